import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { declareCrisisMeasure as declareCrisisMeasureCommand } from '../../commands/declare-crisis-measure.ts';
import { findCrisisMeasuresByIds } from '../../db/crisis.store.ts';

/** Declares a crisis measure for a second person's approval. */
export const declareCrisisMeasure: MutationResolvers['declareCrisisMeasure'] = async (_parent, { input }, ctx) => {
  const { measureId, userErrors } = await declareCrisisMeasureCommand(ctx, {
    name: input.name,
    kind: input.kind,
    reason: input.reason,
    scope: {
      branchIds: input.scope.branchIds ?? [],
      regions: input.scope.regions ?? [],
      industries: input.scope.industries ?? [],
      customerKinds: input.scope.customerKinds ?? [],
      customerIds: input.scope.customerIds ?? [],
    },
    instalments: input.instalments ?? null,
    effectiveOn: input.effectiveOn ?? null,
    waiverFrom: input.waiverFrom ?? null,
    waiverTo: input.waiverTo ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
  });
  if (!measureId) return { measure: null, userErrors };
  const [measure] = await findCrisisMeasuresByIds(ctx.db, ctx.scope, [measureId]);
  return { measure: measure ?? null, userErrors };
};
