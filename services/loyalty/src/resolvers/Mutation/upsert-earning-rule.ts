import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { upsertRule } from '../../db/rule.store.ts';
import { validateRule } from '../../domain/admin-input.ts';

/** Creates or changes an earning rule by code (administrators): rules are data. */
export const upsertEarningRule: MutationResolvers['upsertEarningRule'] = async (_parent, { input }, ctx) => {
  requireRole(requireIdentity(ctx), 'administrator');
  const parsed = validateRule(input);
  if (!parsed.ok) return { rule: null, userErrors: parsed.errors };
  const r = parsed.value;
  const rule = await upsertRule(ctx.db, {
    code: r.code,
    description: r.description,
    calculation: r.calculation,
    points: r.points,
    rate: r.rate?.toFixed() ?? null,
    tier_multiplier: r.tierMultiplier,
    active: r.active,
  });
  return { rule, userErrors: [] };
};
