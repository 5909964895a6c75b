import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { UpdateLoyaltySettingsInput } from '../__generated__/resolvers-types.ts';
import type { LoyaltyContext } from '../context.ts';
import { findSettings, updateSettings } from '../db/account.store.ts';
import { recordProgrammeChange } from '../db/audit.store.ts';
import { invalidateProgrammeCache } from '../db/programme.cache.ts';
import type { LoyaltySettingRow } from '../db/schema.ts';
import { pointValueComplete, validateSettings } from '../domain/admin-input.ts';

export type UpdateLoyaltySettingsResult = { settings: LoyaltySettingRow; userErrors: [] } | { settings: null; userErrors: UserError[] };

/** Changes programme settings (administrators); omitted fields keep their value; the programme change is kept. */
export function updateLoyaltySettings(ctx: LoyaltyContext, input: UpdateLoyaltySettingsInput): Promise<UpdateLoyaltySettingsResult> {
  const identity = requireIdentity(ctx);
  return runCommand(
    ctx,
    { action: 'updateLoyaltySettings', entityType: 'LoyaltySettings', entityId: 'programme' },
    async (tx, audit): Promise<UpdateLoyaltySettingsResult> => {
      const parsed = validateSettings(input);
      if (!parsed.ok) return { settings: null, userErrors: parsed.errors };
      const s = parsed.value;
      const changes = {
        ...(s.pointsValidityMonths !== undefined ? { points_validity_months: s.pointsValidityMonths } : {}),
        ...(s.expiryWarningDays !== undefined ? { expiry_warning_days: s.expiryWarningDays } : {}),
        ...(s.tierWindowMonths !== undefined ? { tier_window_months: s.tierWindowMonths } : {}),
        ...(s.tierGraceDays !== undefined ? { tier_grace_days: s.tierGraceDays } : {}),
        ...(s.pointValue !== undefined ? { point_value: s.pointValue.toFixed() } : {}),
        ...(s.pointValueCurrency !== undefined ? { point_value_currency: s.pointValueCurrency } : {}),
      };
      const before = await findSettings(tx);
      if (!Object.keys(changes).length) return { settings: before, userErrors: [] };
      if (!pointValueComplete({ ...before, ...changes })) {
        const field = changes.point_value === undefined ? 'pointValue' : 'pointValueCurrency';
        return { settings: null, userErrors: [{ field, message: 'The point value needs its currency (and the currency a value)', code: 'REQUIRED' }] };
      }
      const after = await updateSettings(tx, changes);
      await recordProgrammeChange(tx, { entity: 'SETTINGS', key: 'programme', actorId: identity.userId, before, after, at: ctx.now() });
      audit.changes(before, after);
      return { settings: after, userErrors: [] };
    },
    // The cached settings are dropped once the change committed (or failed).
  ).finally(() => invalidateProgrammeCache(ctx.db));
}
