import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { decideCrisisMeasure as decideCrisisMeasureCommand } from '../../commands/decide-crisis-measure.ts';
import { findCrisisMeasuresByIds } from '../../db/crisis.store.ts';

/** Approves (bulk relief for every active loan in scope) or rejects a declared crisis measure; not by its declarer. */
export const decideCrisisMeasure: MutationResolvers['decideCrisisMeasure'] = async (_parent, { input }, ctx) => {
  const { measureId, userErrors } = await decideCrisisMeasureCommand(ctx, { measureId: input.measureId, approve: input.approve });
  if (userErrors.length || !measureId) return { measure: null, userErrors };
  const [measure] = await findCrisisMeasuresByIds(ctx.db, ctx.scope, [measureId]);
  return { measure: measure ?? null, userErrors: [] };
};
