import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findIntegerSetting, SETTING_POST_LOAN_VISIT_DAYS, saveSetting } from '../../db/setting.store.ts';
import { validateSettingsChange } from '../../domain/settings.ts';
import { DEFAULT_POST_LOAN_VISIT_DAYS } from '../../domain/tasks.ts';

export const updateEngagementSettings: MutationResolvers['updateEngagementSettings'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager');
  const result = validateSettingsChange(input);
  if (!result.ok) return { settings: null, userErrors: result.errors };
  const { postLoanVisitDays } = result.value;
  if (postLoanVisitDays !== null) await saveSetting(ctx.db, SETTING_POST_LOAN_VISIT_DAYS, String(postLoanVisitDays), ctx.now());
  return { settings: { postLoanVisitDays: await findIntegerSetting(ctx.db, SETTING_POST_LOAN_VISIT_DAYS, DEFAULT_POST_LOAN_VISIT_DAYS) }, userErrors: [] };
};
