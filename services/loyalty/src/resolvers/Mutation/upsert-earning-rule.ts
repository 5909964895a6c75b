import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { defineEarningRule } from '../../commands/define-earning-rule.ts';

/** Creates or changes an earning rule by code (administrators): rules are data. */
export const upsertEarningRule: MutationResolvers['upsertEarningRule'] = async (_parent, { input }, ctx) => defineEarningRule(ctx, input);
