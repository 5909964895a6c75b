import { createEvent, emit, writeToOutbox } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { UpdateRiskWarningInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { assertWarningInScope, lockWarning, updateWarning } from '../db/warning.store.ts';
import { nextWarningStatus } from '../domain/warnings.ts';

/** Moves a risk warning along its workflow. Outside the caller's scope: FORBIDDEN, nothing changes. */
export async function updateRiskWarning(ctx: CreditContext, cmd: UpdateRiskWarningInput): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertWarningInScope(ctx.db, ctx.scope, cmd.warningId);
  const now = ctx.now();
  const note = cmd.note?.trim() || null;
  return runCommand(
    ctx,
    { action: 'updateRiskWarning', entityType: 'RiskWarning', entityId: cmd.warningId },
    async (tx, audit): Promise<{ userErrors: UserError[] }> => {
      const w = await lockWarning(tx, ctx.scope, cmd.warningId);
      if (!w) return { userErrors: [{ field: 'warningId', code: 'RISK_WARNING_NOT_FOUND', message: `No warning ${cmd.warningId}` }] };
      const next = nextWarningStatus(w.status, cmd.action, note);
      if (!next.ok) return { userErrors: next.errors };
      const stamp =
        next.to === 'ACKNOWLEDGED'
          ? { acknowledged_at: now }
          : next.to === 'ACTION_TAKEN'
            ? { action_taken_at: now }
            : next.to === 'RESOLVED'
              ? { resolved_at: now }
              : { escalated_at: now };
      await updateWarning(tx, w.id, { status: next.to, ...stamp, ...(note ? { note } : {}) }, { from: w.status, to: next.to, by: actorId, note, at: now });
      if (next.to === 'ESCALATED') {
        await writeToOutbox(tx, [
          createEvent('RiskWarningEscalated', {
            subject: w.customer_id,
            time: now,
            data: {
              warningId: w.id,
              loanId: w.loan_id,
              customerId: w.customer_id,
              ruleCode: w.rule_code,
              severity: w.severity,
              officerId: w.officer_id,
              escalatedAt: now.toISOString(),
            },
          }),
        ]);
      } else {
        await emit(tx, 'RiskWarningStatusChanged', {
          subject: w.customer_id,
          time: now,
          data: {
            warningId: w.id,
            loanId: w.loan_id,
            customerId: w.customer_id,
            ruleCode: w.rule_code,
            severity: w.severity,
            previousStatus: w.status,
            status: next.to,
            changedBy: actorId,
            changedAt: now.toISOString(),
          },
        });
      }
      audit.changes({ status: w.status }, { status: next.to });
      return { userErrors: [] };
    },
  );
}
