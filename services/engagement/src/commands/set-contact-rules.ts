import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { SetContactRulesInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findContactRules, replaceContactRules } from '../db/contact-limit.store.ts';
import { type ContactRules, validateContactRules } from '../domain/contact-limits.ts';

export type ContactRulesResult = { rules: ContactRules | null; userErrors: UserError[] };

/** Replaces the contact limits and/or hours (administrators); audited with the rules before and after. */
export async function setContactRules(ctx: EngagementContext, input: SetContactRulesInput): Promise<ContactRulesResult> {
  const identity = requireIdentity(ctx);
  return runCommand(ctx, { action: 'setContactRules', entityType: 'ContactRules', entityId: 'engagement' }, async (tx, audit): Promise<ContactRulesResult> => {
    const current = await findContactRules(tx);
    const result = validateContactRules(input, current);
    if (!result.ok) return { rules: null, userErrors: result.errors };
    await replaceContactRules(
      tx,
      { ...(input.limits ? { limits: result.value.limits } : {}), ...(input.hours ? { hours: result.value.hours } : {}) },
      identity.userId,
      ctx.now(),
    );
    audit.changes({ limits: current.limits, hours: current.hours }, { limits: result.value.limits, hours: result.value.hours });
    return { rules: result.value, userErrors: [] };
  });
}
