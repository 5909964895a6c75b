import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordRiskWarningOutcome as recordRiskWarningOutcomeCommand } from '../../commands/record-risk-warning-outcome.ts';

/** Records the outcome of a resolved risk warning (once). */
export const recordRiskWarningOutcome: MutationResolvers['recordRiskWarningOutcome'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await recordRiskWarningOutcomeCommand(ctx, { warningId: input.warningId, outcome: input.outcome });
  if (userErrors.length) return { warning: null, userErrors };
  ctx.loaders.warning.clear(input.warningId);
  return { warning: await ctx.loaders.warning.load(input.warningId), userErrors: [] };
};
