import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import type { RiskWarningOutcome } from '../db/schema.ts';
import { assertWarningInScope, lockWarning } from '../db/warning.store.ts';
import { recordWarningOutcome } from '../db/warning-outcome.store.ts';

/**
 * Records what the handling of a RESOLVED risk warning achieved (CURED, RESTRUCTURED, RECOVERY,
 * FALSE_ALARM), once: a warning still open is WARNING_NOT_RESOLVED, a second outcome
 * OUTCOME_ALREADY_RECORDED. Whether it was resolved before its loan went more than 30 days past due
 * is fixed from the end-of-day snapshots at the same time. Emits RiskWarningOutcomeRecorded.
 * Outside the caller's scope: FORBIDDEN, nothing changes.
 */
export async function recordRiskWarningOutcome(
  ctx: CreditContext,
  cmd: { warningId: string; outcome: RiskWarningOutcome },
): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertWarningInScope(ctx.db, ctx.scope, cmd.warningId);
  const now = ctx.now();
  return runCommand(ctx, { action: 'recordRiskWarningOutcome', entityType: 'RiskWarning', entityId: cmd.warningId }, async (tx, audit) => {
    const w = await lockWarning(tx, ctx.scope, cmd.warningId);
    if (!w) return { userErrors: [{ field: 'warningId', code: 'RISK_WARNING_NOT_FOUND', message: `No warning ${cmd.warningId}` }] };
    if (w.status !== 'RESOLVED')
      return { userErrors: [{ field: 'warningId', code: 'WARNING_NOT_RESOLVED', message: `resolve the warning first (it is ${w.status})` }] };
    if (w.outcome !== null)
      return { userErrors: [{ field: 'outcome', code: 'OUTCOME_ALREADY_RECORDED', message: `the outcome ${w.outcome} was recorded already` }] };
    const after = await recordWarningOutcome(tx, w.id, { outcome: cmd.outcome, by: actorId, at: now });
    const inTime = after?.resolved_before_30_dpd ?? false;
    audit.changes({ outcome: null }, { outcome: cmd.outcome, resolvedBefore30Dpd: inTime });
    await emit(tx, 'RiskWarningOutcomeRecorded', {
      subject: w.customer_id,
      time: now,
      data: {
        warningId: w.id,
        loanId: w.loan_id,
        customerId: w.customer_id,
        ruleCode: w.rule_code,
        outcome: cmd.outcome,
        resolvedBefore30Dpd: inTime,
        recordedBy: actorId,
        recordedAt: now.toISOString(),
      },
    });
    return { userErrors: [] };
  });
}
