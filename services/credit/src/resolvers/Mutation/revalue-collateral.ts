import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { revalueCollateral as revalueCollateralCommand } from '../../commands/revalue-collateral.ts';
import { findCollateral } from '../../db/collateral.store.ts';

/** Records a new valuation of a collateral (the history is kept). */
export const revalueCollateral: MutationResolvers['revalueCollateral'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await revalueCollateralCommand(ctx, input);
  if (userErrors.length) return { collateral: null, userErrors };
  return { collateral: (await findCollateral(ctx.db, ctx.scope, { ids: [input.collateralId] }))[0] ?? null, userErrors: [] };
};
