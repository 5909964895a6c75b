import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { applyProfileChanges, findCustomersByIds } from '../../db/customer.store.ts';
import { insertChanges } from '../../db/history.store.ts';
import type { CustomerChangeRow } from '../../db/schema.ts';
import { diffProfile, displayNameAfter, validateProfileUpdate } from '../../domain/profile.ts';
import { maskNationalId } from '../../domain/registration.ts';
import { customerNotFound } from './errors.ts';

export const updateCustomerProfile: MutationResolvers['updateCustomerProfile'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent');
  const now = ctx.now();

  const result = await ctx.db.transaction().execute(async (tx) => {
    const [current] = await findCustomersByIds(tx, [input.customerId], { forUpdate: true });
    if (!current) return { errors: [customerNotFound()] };
    const validation = validateProfileUpdate(input, current.kind, now.toISOString().slice(0, 10));
    if (!validation.ok) return { errors: validation.errors };
    const changes = diffProfile(validation.updates, (table, column) => {
      const row = table === 'customer' ? current : table === 'individual_profile' ? current.individual : current.enterprise;
      return row ? Reflect.get(row, column) : null;
    });
    if (!changes.length) return { errors: [], rows: [] };
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
    return { errors: [], rows };
  });
  if (result.errors.length) return { customer: null, changes: [], userErrors: result.errors };
  ctx.loaders.customer.clear(input.customerId);
  return { customer: await ctx.loaders.customer.load(input.customerId), changes: result.rows ?? [], userErrors: [] };
};
