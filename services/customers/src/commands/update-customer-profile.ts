import { emit } from '@crm/events';
import { forbidden, type Identity, isoDate, MASKED_FIELDS, maskValue, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CustomersContext } from '../context.ts';
import { applyProfileChanges, lockCustomerRecord } from '../db/customer.store.ts';
import { insertChanges } from '../db/history.store.ts';
import type { CustomerChangeRow } from '../db/schema.ts';
import { diffProfile, displayNameAfter, validateProfileUpdate } from '../domain/profile.ts';
import { maskNationalId } from '../domain/registration.ts';
import { customerNotFound } from './errors.ts';

/**
 * Moving a customer to another branch takes a branch manager of the branch it leaves, or an
 * administrator: anyone else could move a customer out of a colleague's sight and back.
 */
export function mayMoveOutOf(identity: Identity, branchId: string): boolean {
  return identity.roles.includes('administrator') || (identity.roles.includes('branch_manager') && identity.branchId === branchId);
}

const MASKED_IN_AUDIT = new Set<string>([...MASKED_FIELDS, 'line', 'employer', 'legalRepresentative']);

export const moveRefused = () => forbidden('Only a branch manager of its branch or an administrator may move a customer to another branch');

/** Changes profile fields (validated input, as sent): history, CustomerProfileUpdated and the audit of what changed. */
export function updateCustomerProfile(
  ctx: CustomersContext,
  identity: Identity,
  input: { customerId: string },
): Promise<{ userErrors: UserError[]; changes: CustomerChangeRow[] }> {
  return runCommand(ctx, { action: 'updateCustomerProfile', entityType: 'Customer', entityId: input.customerId }, async (tx, audit) => {
    const now = ctx.now();
    const current = await lockCustomerRecord(tx, ctx.scope, input.customerId);
    if (!current) return { userErrors: [customerNotFound()], changes: [] };
    const validation = validateProfileUpdate(input, current.kind, isoDate(now));
    if (!validation.ok) return { userErrors: validation.errors, changes: [] };
    const changes = diffProfile(validation.value, (table, column) => {
      const row = table === 'customer' ? current : table === 'individual_profile' ? current.individual : current.enterprise;
      return row ? Reflect.get(row, column) : null;
    });
    if (!changes.length) return { userErrors: [], changes: [] };
    if (changes.some((c) => c.field === 'branchId') && !mayMoveOutOf(identity, current.branch_id)) throw moveRefused();
    const displayName = displayNameAfter(current.kind, changes, {
      firstName: current.individual?.first_name,
      lastName: current.individual?.last_name,
      legalName: current.enterprise?.legal_name,
    });
    await applyProfileChanges(tx, current.id, changes, { updated_at: now, display_name: displayName });
    // The national id is kept masked in the history and in the event, like everywhere it is shown.
    const shown = (field: string, value: string | null) => (field === 'individual.nationalId' && value ? maskNationalId(value) : value);
    const rows: CustomerChangeRow[] = changes.map((c) => ({
      id: uuidv7(),
      customer_id: current.id,
      field: c.field,
      old_value: shown(c.field, c.oldValue),
      new_value: shown(c.field, c.newValue),
      changed_by: identity.userId,
      changed_at: now,
    }));
    await insertChanges(tx, rows);
    await emit(tx, 'CustomerProfileUpdated', {
      subject: current.id,
      time: now,
      data: {
        customerId: current.id,
        changes: rows.map((r) => ({ field: r.field, oldValue: r.old_value, newValue: r.new_value })),
        updatedBy: identity.userId,
        updatedAt: now.toISOString(),
      },
    });
    // Personal data is masked in the audit record (field paths such as contact.phone, by their last name).
    const mask = (field: string, value: string | null) => (MASKED_IN_AUDIT.has(field.split('.').pop() ?? field) ? maskValue(value) : value);
    for (const r of rows) audit.change({ field: r.field, before: mask(r.field, r.old_value), after: mask(r.field, r.new_value) });
    return { userErrors: [], changes: rows };
  });
}
