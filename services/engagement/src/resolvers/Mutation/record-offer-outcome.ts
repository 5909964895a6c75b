import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordOfferOutcome as run } from '../../commands/record-offer-outcome.ts';

/** Records the customer's answer to an open offer. */
export const recordOfferOutcome: MutationResolvers['recordOfferOutcome'] = (_parent, { input }, ctx) => run(ctx, input);
