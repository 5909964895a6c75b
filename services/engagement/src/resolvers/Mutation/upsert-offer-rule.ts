import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { upsertOfferRule as run } from '../../commands/upsert-offer-rule.ts';

/** Creates or changes an offer rule (administrators). */
export const upsertOfferRule: MutationResolvers['upsertOfferRule'] = (_parent, { input }, ctx) => {
  const c = input.conditions;
  // absent (null) conditions do not restrict: they are left out of the rule
  const conditions = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined));
  return run(ctx, {
    code: input.code,
    kind: input.kind,
    title: input.title,
    priority: input.priority,
    conditions,
    validDays: input.validDays,
    cooldownDays: input.cooldownDays,
    active: input.active ?? true,
  });
};
