import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockCustomer, updateCustomer } from '../../db/customer.store.ts';
import { insertChanges } from '../../db/history.store.ts';
import { asText } from '../../domain/profile.ts';
import { customerNotFound } from './errors.ts';

/** Replaces the special-care flags (and note); each change goes to the history. */
export const setCustomerSpecialCare: MutationResolvers['setCustomerSpecialCare'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent');
  const note = input.note?.trim() || null;
  if (note && note.length > 1000) return { customer: null, userErrors: [{ field: 'note', message: 'must be at most 1000 characters', code: 'TOO_BIG' }] };
  const flags = [...new Set(input.flags)].sort();
  const now = ctx.now();
  const found = await ctx.db.transaction().execute(async (tx) => {
    const customer = await lockCustomer(tx, input.customerId);
    if (!customer) return false;
    const changes = [
      { field: 'specialCare.flags', oldValue: asText([...customer.special_care].sort()), newValue: asText(flags) },
      { field: 'specialCare.note', oldValue: customer.special_care_note, newValue: note },
    ].filter((c) => c.oldValue !== c.newValue);
    if (!changes.length) return true;
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
    return true;
  });
  if (!found) return { customer: null, userErrors: [customerNotFound()] };
  ctx.loaders.customer.clear(input.customerId);
  return { customer: await ctx.loaders.customer.load(input.customerId), userErrors: [] };
};
