import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setLoanProductReminderDays as run } from '../../commands/set-loan-product-reminder-days.ts';

/** Sets a product's due-reminder lead days (administrators). */
export const setLoanProductReminderDays: MutationResolvers['setLoanProductReminderDays'] = async (_parent, { input }, ctx) => {
  const { productId, userErrors } = await run(ctx, input);
  // read after the command's transaction: the loader sees the new lead
  return { product: productId ? await ctx.loaders.product.load(productId) : null, userErrors };
};
