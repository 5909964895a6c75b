import { emit } from '@crm/events';
import { type Identity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CustomersContext } from '../context.ts';
import { lockCustomer, updateCustomer } from '../db/customer.store.ts';
import { insertChanges } from '../db/history.store.ts';
import type { SpecialCareFlag } from '../db/schema.ts';
import { asText } from '../domain/profile.ts';
import { customerNotFound } from './errors.ts';

export interface SetCustomerSpecialCare {
  customerId: string;
  flags: readonly SpecialCareFlag[];
  note?: string | null | undefined;
}

/** Replaces the special-care flags (and note); each change goes to the history and the audit. */
export function setCustomerSpecialCare(ctx: CustomersContext, identity: Identity, input: SetCustomerSpecialCare): Promise<{ userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'setCustomerSpecialCare', entityType: 'Customer', entityId: input.customerId }, async (tx, audit) => {
    const note = input.note?.trim() || null;
    if (note && note.length > 1000) return { userErrors: [{ field: 'note', message: 'must be at most 1000 characters', code: 'TOO_BIG' }] };
    const flags = [...new Set(input.flags)].sort();
    const now = ctx.now();
    const customer = await lockCustomer(tx, ctx.scope, input.customerId);
    if (!customer) return { userErrors: [customerNotFound()] };
    const changes = [
      { field: 'specialCare.flags', oldValue: asText([...customer.special_care].sort()), newValue: asText(flags) },
      { field: 'specialCare.note', oldValue: customer.special_care_note, newValue: note },
    ].filter((c) => c.oldValue !== c.newValue);
    if (!changes.length) return { userErrors: [] };
    await updateCustomer(tx, customer.id, { special_care: flags, special_care_note: note, updated_at: now });
    await insertChanges(
      tx,
      changes.map((c) => ({
        id: uuidv7(),
        customer_id: customer.id,
        field: c.field,
        old_value: c.oldValue,
        new_value: c.newValue,
        changed_by: identity.userId,
        changed_at: now,
      })),
    );
    // The note is free text about the customer's situation: the audit says that it changed, not what it says.
    const shown = (field: string, value: string | null) => (field === 'specialCare.note' && value !== null ? '[note]' : value);
    for (const c of changes) audit.change({ field: c.field, before: shown(c.field, c.oldValue), after: shown(c.field, c.newValue) });
    await emit(tx, 'SpecialCareChanged', {
      subject: customer.id,
      time: now,
      data: {
        customerId: customer.id,
        previousFlags: [...customer.special_care].sort(),
        flags,
        noteChanged: changes.some((c) => c.field === 'specialCare.note'),
        changedBy: identity.userId,
        changedAt: now.toISOString(),
      },
    });
    return { userErrors: [] };
  });
}
