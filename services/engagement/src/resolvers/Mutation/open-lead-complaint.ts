import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { openLeadComplaint as run } from '../../commands/open-lead-complaint.ts';

export const openLeadComplaint: MutationResolvers['openLeadComplaint'] = (_parent, { input }, ctx) => run(ctx, input);
