import type { CustomersContext } from '../../context.ts';
import type { CustomerRecord } from '../../db/customer.store.ts';

export { customerNotFound } from '../../commands/errors.ts';

/**
 * FORBIDDEN when the customer is outside the caller's scope, before a command opens its
 * transaction (the refusal is audited as FORBIDDEN; the command checks again under its lock).
 */
export async function assertCustomerInScope(ctx: CustomersContext, customerId: string): Promise<void> {
  await ctx.loaders.customer.load(customerId);
}

/**
 * The customer as it is after a change, for the payload: null when the change took it out of the
 * caller's scope (a branch manager who moved it to another branch no longer sees it).
 */
export async function customerAfterChange(ctx: CustomersContext, customerId: string): Promise<CustomerRecord | null> {
  ctx.loaders.customer.clear(customerId);
  try {
    return await ctx.loaders.customer.load(customerId);
  } catch (error) {
    if ((error as { extensions?: { code?: unknown } }).extensions?.code === 'FORBIDDEN') return null;
    throw error;
  }
}
