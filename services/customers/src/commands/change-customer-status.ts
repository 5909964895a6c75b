import { emit } from '@crm/events';
import { type Identity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CustomersContext } from '../context.ts';
import { lockCustomer, updateCustomer } from '../db/customer.store.ts';
import { insertChanges } from '../db/history.store.ts';
import type { CustomerStatus } from '../db/schema.ts';
import { checkStatusTransition } from '../domain/profile.ts';
import { customerNotFound } from './errors.ts';

export interface ChangeCustomerStatus {
  customerId: string;
  status: CustomerStatus;
  reason?: string | null | undefined;
}

/** Moves a customer in the status lifecycle (allowed transitions only), with history, event and audit. */
export function changeCustomerStatus(ctx: CustomersContext, identity: Identity, input: ChangeCustomerStatus): Promise<{ userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'changeCustomerStatus', entityType: 'Customer', entityId: input.customerId }, async (tx, audit) => {
    const now = ctx.now();
    const reason = input.reason?.trim() || null;
    if (reason && reason.length > 500) return { userErrors: [{ field: 'reason', message: 'must be at most 500 characters', code: 'TOO_BIG' }] };
    const current = await lockCustomer(tx, ctx.scope, input.customerId);
    if (!current) return { userErrors: [customerNotFound()] };
    const refused = checkStatusTransition(current.status, input.status);
    if (refused) return { userErrors: [refused] };
    await updateCustomer(tx, current.id, { status: input.status, updated_at: now });
    await insertChanges(tx, [
      {
        id: uuidv7(),
        customer_id: current.id,
        field: 'status',
        old_value: current.status,
        new_value: input.status,
        changed_by: identity.userId,
        changed_at: now,
      },
    ]);
    await emit(tx, 'CustomerStatusChanged', {
      subject: current.id,
      time: now,
      data: { customerId: current.id, previousStatus: current.status, status: input.status, reason, changedAt: now.toISOString() },
    });
    audit.changes({ status: current.status }, { status: input.status });
    if (reason) audit.detail({ reason });
    return { userErrors: [] };
  });
}
