import { requireIdentity, runCommand } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findSettings, updateSettings } from '../../db/account.store.ts';
import { recordProgrammeChange } from '../../db/audit.store.ts';
import { validateSettings } from '../../domain/admin-input.ts';

/** Changes programme settings (administrators); omitted fields keep their value. */
export const updateLoyaltySettings: MutationResolvers['updateLoyaltySettings'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const parsed = validateSettings(input);
  if (!parsed.ok) return { settings: null, userErrors: parsed.errors };
  const s = parsed.value;
  const changes = {
    ...(s.pointsValidityMonths !== undefined ? { points_validity_months: s.pointsValidityMonths } : {}),
    ...(s.expiryWarningDays !== undefined ? { expiry_warning_days: s.expiryWarningDays } : {}),
    ...(s.tierWindowMonths !== undefined ? { tier_window_months: s.tierWindowMonths } : {}),
    ...(s.tierGraceDays !== undefined ? { tier_grace_days: s.tierGraceDays } : {}),
  };
  if (!Object.keys(changes).length) return { settings: await findSettings(ctx.db), userErrors: [] };
  const settings = await runCommand(ctx, { action: 'updateLoyaltySettings', entityType: 'LoyaltySettings', entityId: 'programme' }, async (tx, audit) => {
    const before = await findSettings(tx);
    const after = await updateSettings(tx, changes);
    await recordProgrammeChange(tx, { entity: 'SETTINGS', key: 'programme', actorId: identity.userId, before, after, at: ctx.now() });
    audit.changes(before, after);
    return after;
  });
  return { settings, userErrors: [] };
};
