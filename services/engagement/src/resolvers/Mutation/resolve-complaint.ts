import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { resolveComplaint as run } from '../../commands/resolve-complaint.ts';

export const resolveComplaint: MutationResolvers['resolveComplaint'] = (_parent, { input }, ctx) => run(ctx, input);
