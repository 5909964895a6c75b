import { runCommand, type UserError } from '@crm/service-kit';
import type { UpdateRiskWarningRuleInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import type { WarningRuleRow } from '../db/schema.ts';
import { findRules, updateRule } from '../db/warning.store.ts';

/** Changes an early-warning rule's threshold, severity or activity. */
export async function updateRiskWarningRule(
  ctx: CreditContext,
  cmd: UpdateRiskWarningRuleInput,
): Promise<{ rule: WarningRuleRow | null; userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'updateRiskWarningRule', entityType: 'RiskWarningRule', entityId: cmd.code }, async (tx, audit) => {
    if (cmd.threshold?.lt(0)) return { rule: null, userErrors: [{ field: 'threshold', code: 'NOT_POSITIVE', message: 'must not be negative' }] };
    const before = (await findRules(tx)).find((r) => r.code === cmd.code);
    const rule = await updateRule(tx, cmd.code, {
      ...(cmd.threshold ? { threshold: cmd.threshold.toFixed() } : {}),
      ...(cmd.severity ? { severity: cmd.severity } : {}),
      ...(cmd.active === null || cmd.active === undefined ? {} : { active: cmd.active }),
    });
    if (!rule) return { rule: null, userErrors: [{ field: 'code', code: 'RISK_WARNING_RULE_NOT_FOUND', message: `No rule ${cmd.code}` }] };
    audit.changes(before ? { threshold: before.threshold, severity: before.severity, active: before.active } : null, {
      threshold: rule.threshold,
      severity: rule.severity,
      active: rule.active,
    });
    return { rule, userErrors: [] };
  });
}
