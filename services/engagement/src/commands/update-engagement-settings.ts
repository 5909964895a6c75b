import { runCommand, type UserError } from '@crm/service-kit';
import type { UpdateEngagementSettingsInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findIntegerSetting, SETTING_POST_LOAN_VISIT_DAYS, saveSetting } from '../db/setting.store.ts';
import { validateSettingsChange } from '../domain/settings.ts';
import { DEFAULT_POST_LOAN_VISIT_DAYS } from '../domain/tasks.ts';

export type EngagementSettingsResult = { settings: { postLoanVisitDays: number } | null; userErrors: UserError[] };

/** Changes tunable settings (configuration), with the before and after values on the audit record. */
export async function updateEngagementSettings(ctx: EngagementContext, input: UpdateEngagementSettingsInput): Promise<EngagementSettingsResult> {
  const result = validateSettingsChange(input);
  return runCommand(
    ctx,
    { action: 'updateEngagementSettings', entityType: 'EngagementSettings', entityId: 'engagement' },
    async (tx, audit): Promise<EngagementSettingsResult> => {
      if (!result.ok) return { settings: null, userErrors: result.errors };
      const before = await findIntegerSetting(tx, SETTING_POST_LOAN_VISIT_DAYS, DEFAULT_POST_LOAN_VISIT_DAYS);
      const { postLoanVisitDays } = result.value;
      if (postLoanVisitDays !== null) await saveSetting(tx, SETTING_POST_LOAN_VISIT_DAYS, String(postLoanVisitDays), ctx.now());
      const after = await findIntegerSetting(tx, SETTING_POST_LOAN_VISIT_DAYS, DEFAULT_POST_LOAN_VISIT_DAYS);
      audit.changes({ postLoanVisitDays: before }, { postLoanVisitDays: after });
      return { settings: { postLoanVisitDays: after }, userErrors: [] };
    },
  );
}
