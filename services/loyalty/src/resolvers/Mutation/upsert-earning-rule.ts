import { requireIdentity, runCommand } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordProgrammeChange } from '../../db/audit.store.ts';
import { findRules, upsertRule } from '../../db/rule.store.ts';
import { validateRule } from '../../domain/admin-input.ts';

/** Creates or changes an earning rule by code (administrators): rules are data. */
export const upsertEarningRule: MutationResolvers['upsertEarningRule'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const parsed = validateRule(input);
  if (!parsed.ok) return { rule: null, userErrors: parsed.errors };
  const r = parsed.value;
  const rule = await runCommand(ctx, { action: 'upsertEarningRule', entityType: 'LoyaltyEarningRule' }, async (tx, audit) => {
    const before = (await findRules(tx)).find((x) => x.code === r.code) ?? null;
    const after = await upsertRule(tx, {
      code: r.code,
      description: r.description,
      calculation: r.calculation,
      points: r.points,
      rate: r.rate?.toFixed() ?? null,
      tier_multiplier: r.tierMultiplier,
      active: r.active,
    });
    await recordProgrammeChange(tx, { entity: 'EARNING_RULE', key: r.code, actorId: identity.userId, before, after, at: ctx.now() });
    audit.entity(r.code);
    audit.changes(before, after);
    return after;
  });
  return { rule, userErrors: [] };
};
