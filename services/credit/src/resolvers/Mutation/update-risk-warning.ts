import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateRiskWarning as updateRiskWarningCommand } from '../../commands/update-risk-warning.ts';

/** Moves a risk warning along its workflow. Outside the caller's scope: FORBIDDEN, nothing changes. */
export const updateRiskWarning: MutationResolvers['updateRiskWarning'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await updateRiskWarningCommand(ctx, input);
  return { warning: userErrors.length ? null : await ctx.loaders.warning.load(input.warningId), userErrors };
};
