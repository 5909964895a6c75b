import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { decideRestructuring as decideRestructuringCommand } from '../../commands/decide-restructuring.ts';
import { findRestructurings } from '../../db/restructuring.store.ts';

/** Approves (new schedule version, LoanRestructured) or rejects a requested restructuring; not by its requester. */
export const decideRestructuring: MutationResolvers['decideRestructuring'] = async (_parent, { input }, ctx) => {
  const outcome = await decideRestructuringCommand(ctx, input);
  if (outcome.userErrors.length) return { restructuring: null, loan: null, userErrors: outcome.userErrors };
  const [r] = await findRestructurings(ctx.db, ctx.scope, { ids: [input.restructuringId] });
  return { restructuring: r ?? null, loan: outcome.loanId ? await ctx.loaders.loan.load(outcome.loanId) : null, userErrors: [] };
};
