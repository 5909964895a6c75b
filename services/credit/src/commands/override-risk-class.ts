import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { OverrideRiskClassInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { insertRiskClassChange, lockLoan, updateLoan } from '../db/loan.store.ts';
import { assertLoanInScope } from '../db/scope.ts';

/** Overrides (or clears the override of) a loan's risk class, with a reason; every change is recorded. Outside the caller's scope: FORBIDDEN. */
export async function overrideRiskClass(ctx: CreditContext, cmd: OverrideRiskClassInput): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  const reason = cmd.reason.trim();
  const now = ctx.now();
  // the class change is dated on the business date (the wall clock's until one is set or closed)
  const asOf = (await findBusinessDate(ctx.db, now)).date;
  return runCommand(ctx, { action: 'overrideRiskClass', entityType: 'Loan', entityId: cmd.loanId }, async (tx, audit): Promise<{ userErrors: UserError[] }> => {
    if (!reason) return { userErrors: [{ field: 'reason', code: 'REQUIRED', message: 'an override needs a reason' }] };
    const loan = await lockLoan(tx, ctx.scope, cmd.loanId);
    if (!loan) return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    if (loan.status !== 'ACTIVE')
      return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_ACTIVE', message: `cannot classify a loan that is ${loan.status}` }] };
    const override = cmd.riskClass ?? null;
    const effective = override ?? loan.computed_risk_class;
    await updateLoan(tx, loan.id, { risk_class_override: override, risk_class_override_reason: override ? reason : null, risk_class: effective });
    await insertRiskClassChange(tx, {
      id: uuidv7(),
      loan_id: loan.id,
      as_of: asOf,
      previous_class: loan.risk_class,
      risk_class: effective,
      reason,
      override: true,
      changed_by: actorId,
      changed_at: now,
    });
    if (effective !== loan.risk_class) {
      await emit(tx, 'RiskClassChanged', {
        subject: loan.customer_id,
        data: {
          loanId: loan.id,
          customerId: loan.customer_id,
          previousClass: loan.risk_class,
          riskClass: effective,
          reason,
          override: true,
          changedBy: actorId,
          asOf,
        },
      });
    }
    audit.changes({ riskClass: loan.risk_class, riskClassOverride: loan.risk_class_override }, { riskClass: effective, riskClassOverride: override });
    return { userErrors: [] };
  });
}
