import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { requestRestructuring as requestRestructuringCommand } from '../../commands/request-restructuring.ts';
import { findRestructurings } from '../../db/restructuring.store.ts';

/** Requests a restructuring (payment holiday, term extension, rate reduction) for approval. */
export const requestRestructuring: MutationResolvers['requestRestructuring'] = async (_parent, { input }, ctx) => {
  const { restructuringId, userErrors } = await requestRestructuringCommand(ctx, input);
  if (!restructuringId) return { restructuring: null, loan: null, userErrors };
  const [r] = await findRestructurings(ctx.db, ctx.scope, { ids: [restructuringId] });
  return { restructuring: r ?? null, loan: r ? await ctx.loaders.loan.load(r.loan_id) : null, userErrors: [] };
};
