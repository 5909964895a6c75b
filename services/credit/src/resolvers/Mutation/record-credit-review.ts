import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordCreditReview as recordCreditReviewCommand } from '../../commands/record-credit-review.ts';
import { findReviews } from '../../db/review.store.ts';

/** Records a credit review; a fund use other than declared raises a FUND_USE_DEVIATION warning. */
export const recordCreditReview: MutationResolvers['recordCreditReview'] = async (_parent, { input }, ctx) => {
  const { reviewId, userErrors } = await recordCreditReviewCommand(ctx, input);
  if (!reviewId) return { review: null, userErrors };
  return { review: (await findReviews(ctx.db, ctx.scope, { ids: [reviewId] }))[0] ?? null, userErrors: [] };
};
