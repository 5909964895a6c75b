import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { UpsertEarningRuleInput } from '../__generated__/resolvers-types.ts';
import type { LoyaltyContext } from '../context.ts';
import { recordProgrammeChange } from '../db/audit.store.ts';
import { invalidateProgrammeCache } from '../db/programme.cache.ts';
import { findRules, upsertRule } from '../db/rule.store.ts';
import type { EarningRuleRow } from '../db/schema.ts';
import { validateRule } from '../domain/admin-input.ts';

export type DefineEarningRuleResult = { rule: EarningRuleRow; userErrors: [] } | { rule: null; userErrors: UserError[] };

/** Creates or changes an earning rule by code (administrators): rules are data; the programme change is kept. */
export function defineEarningRule(ctx: LoyaltyContext, input: UpsertEarningRuleInput): Promise<DefineEarningRuleResult> {
  const identity = requireIdentity(ctx);
  return runCommand(ctx, { action: 'upsertEarningRule', entityType: 'LoyaltyEarningRule' }, async (tx, audit): Promise<DefineEarningRuleResult> => {
    const parsed = validateRule(input);
    if (!parsed.ok) return { rule: null, userErrors: parsed.errors };
    const r = parsed.value;
    audit.entity(r.code);
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
    audit.changes(before, after);
    return { rule: after, userErrors: [] };
  }).finally(() => invalidateProgrammeCache(ctx.db));
}
