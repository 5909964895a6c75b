import type { EventHandler } from '@crm/events';
import { settleCreditReview } from '../commands/settle-credit-review.ts';
import type { DB } from '../db/schema.ts';

/** Credit recorded a review: the loan's planned review (and any escalation of it) is done; the next counts from it. */
export const onCreditReviewRecorded: EventHandler<DB, 'CreditReviewRecorded'> = async (tx, event) => {
  const r = event.data;
  await settleCreditReview(tx, { loanId: r.loanId, reviewedOn: r.reviewedOn, reviewerId: r.reviewerId, at: new Date(event.time) });
};
