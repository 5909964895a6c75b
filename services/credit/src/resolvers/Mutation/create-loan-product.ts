import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { createLoanProduct as createLoanProductCommand } from '../../commands/create-loan-product.ts';

/** Defines a loan product (administrators). */
export const createLoanProduct: MutationResolvers['createLoanProduct'] = async (_parent, { input }, ctx) => {
  const { productId, userErrors } = await createLoanProductCommand(ctx, input);
  return { product: productId ? await ctx.loaders.product.load(productId) : null, userErrors };
};
