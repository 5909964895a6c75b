import { type Identity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CustomersContext } from '../context.ts';
import { lockCustomer, updateCustomer } from '../db/customer.store.ts';
import { insertChanges } from '../db/history.store.ts';
import { customerNotFound } from './errors.ts';

/** Records that staff reviewed the profile (clears the stale flag), with history and audit. */
export function markCustomerProfileReviewed(ctx: CustomersContext, identity: Identity, input: { customerId: string }): Promise<{ userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'markCustomerProfileReviewed', entityType: 'Customer', entityId: input.customerId }, async (tx, audit) => {
    const now = ctx.now();
    const current = await lockCustomer(tx, ctx.scope, input.customerId);
    if (!current) return { userErrors: [customerNotFound()] };
    const before = current.reviewed_at ? new Date(current.reviewed_at).toISOString() : null;
    await updateCustomer(tx, current.id, { reviewed_at: now, updated_at: now });
    await insertChanges(tx, [
      {
        id: uuidv7(),
        customer_id: current.id,
        field: 'reviewedAt',
        old_value: before,
        new_value: now.toISOString(),
        changed_by: identity.userId,
        changed_at: now,
      },
    ]);
    audit.changes({ reviewedAt: before }, { reviewedAt: now.toISOString() });
    return { userErrors: [] };
  });
}
