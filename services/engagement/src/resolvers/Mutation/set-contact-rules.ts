import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setContactRules as run } from '../../commands/set-contact-rules.ts';

export const setContactRules: MutationResolvers['setContactRules'] = (_parent, { input }, ctx) => run(ctx, input);
