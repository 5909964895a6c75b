import { jobNameOf, requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { runCustomersJob as command } from '../../commands/run-grade-evaluation.ts';

/** Runs a customers job now for a date (today or earlier); recorded in customersJobRuns. */
export const runCustomersJob: MutationResolvers['runCustomersJob'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  return command(ctx, identity, { job: jobNameOf(input.job), asOf: input.asOf }, 'runCustomersJob');
};
