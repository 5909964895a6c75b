import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateSettings } from '../../db/account.store.ts';
import { validateSettings } from '../../domain/admin-input.ts';

/** Changes programme settings (administrators); omitted fields keep their value. */
export const updateLoyaltySettings: MutationResolvers['updateLoyaltySettings'] = async (_parent, { input }, ctx) => {
  requireRole(requireIdentity(ctx), 'administrator');
  const parsed = validateSettings(input);
  if (!parsed.ok) return { settings: null, userErrors: parsed.errors };
  const s = parsed.value;
  const settings = await updateSettings(ctx.db, {
    ...(s.pointsValidityMonths !== undefined ? { points_validity_months: s.pointsValidityMonths } : {}),
    ...(s.expiryWarningDays !== undefined ? { expiry_warning_days: s.expiryWarningDays } : {}),
    ...(s.tierWindowMonths !== undefined ? { tier_window_months: s.tierWindowMonths } : {}),
    ...(s.tierGraceDays !== undefined ? { tier_grace_days: s.tierGraceDays } : {}),
  });
  return { settings, userErrors: [] };
};
