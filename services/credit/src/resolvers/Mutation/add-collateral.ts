import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { addCollateral as addCollateralCommand } from '../../commands/add-collateral.ts';
import { findCollateral } from '../../db/collateral.store.ts';

/** Pledges collateral to a loan with its first valuation. */
export const addCollateral: MutationResolvers['addCollateral'] = async (_parent, { input }, ctx) => {
  const { collateralId, userErrors } = await addCollateralCommand(ctx, input);
  if (!collateralId) return { collateral: null, userErrors };
  return { collateral: (await findCollateral(ctx.db, ctx.scope, { ids: [collateralId] }))[0] ?? null, userErrors: [] };
};
