import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setRiskClassThresholds as setRiskClassThresholdsCommand } from '../../commands/set-risk-class-thresholds.ts';
import { findThresholds } from '../../db/threshold.store.ts';

/** Replaces the DPD thresholds of the risk classes. */
export const setRiskClassThresholds: MutationResolvers['setRiskClassThresholds'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await setRiskClassThresholdsCommand(ctx, input);
  if (userErrors.length) return { thresholds: [], userErrors };
  const rows = await findThresholds(ctx.db);
  return { thresholds: rows.map((r) => ({ riskClass: r.risk_class, minDaysPastDue: r.min_dpd })), userErrors: [] };
};
