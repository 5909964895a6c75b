import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { overrideRiskClass as overrideRiskClassCommand } from '../../commands/override-risk-class.ts';

/** Overrides (or clears the override of) a loan's risk class, with a reason; every change is recorded. Outside the caller's scope: FORBIDDEN. */
export const overrideRiskClass: MutationResolvers['overrideRiskClass'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await overrideRiskClassCommand(ctx, input);
  return { loan: userErrors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors };
};
