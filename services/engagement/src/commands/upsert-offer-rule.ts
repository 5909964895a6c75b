import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { EngagementContext } from '../context.ts';
import { findOfferRule, upsertOfferRule as writeRule } from '../db/offer.store.ts';
import type { OfferRuleRow } from '../db/offer.tables.ts';
import { type OfferConditions, type OfferKind, validateOfferRule } from '../domain/offers.ts';

export interface OfferRuleInput {
  code: string;
  kind: OfferKind;
  title: string;
  priority: number;
  conditions: OfferConditions;
  validDays: number;
  cooldownDays: number;
  active: boolean;
}

/**
 * Creates or changes an offer rule by code (administrators): offer rules are data. The next
 * generation run applies it (its offers are made, re-ranked or withdrawn then). Audited with
 * before and after.
 */
export async function upsertOfferRule(ctx: EngagementContext, input: OfferRuleInput): Promise<{ rule: OfferRuleRow | null; userErrors: UserError[] }> {
  const identity = requireIdentity(ctx);
  return runCommand(ctx, { action: 'upsertOfferRule', entityType: 'OfferRule', entityId: input.code }, async (tx, audit) => {
    const code = input.code.trim().toUpperCase();
    const errors = validateOfferRule({ ...input, code });
    if (errors.length) return { rule: null, userErrors: errors };
    const before = await findOfferRule(tx, code);
    const rule = await writeRule(tx, {
      code,
      kind: input.kind,
      title: input.title.trim(),
      priority: input.priority,
      conditions: JSON.stringify(input.conditions),
      valid_days: input.validDays,
      cooldown_days: input.cooldownDays,
      active: input.active,
      updated_by: identity.userId,
      updated_at: ctx.now(),
    });
    audit.entity(code);
    const shape = (r: OfferRuleRow | undefined) =>
      r
        ? {
            kind: r.kind,
            title: r.title,
            priority: r.priority,
            conditions: r.conditions,
            validDays: r.valid_days,
            cooldownDays: r.cooldown_days,
            active: r.active,
          }
        : null;
    audit.changes(shape(before), shape(rule) ?? {});
    return { rule, userErrors: [] };
  });
}
