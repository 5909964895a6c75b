import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordRetentionOutcome as run } from '../../commands/record-retention-outcome.ts';

/** Records what a retention task achieved (completing it when still open). */
export const recordRetentionOutcome: MutationResolvers['recordRetentionOutcome'] = (_parent, { input }, ctx) => run(ctx, input);
