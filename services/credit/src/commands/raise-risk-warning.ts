import { emit } from '@crm/events';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DB, LoanRow, WarningRuleRow, WarningSeverity } from '../db/schema.ts';
import { insertWarningOnce } from '../db/warning.store.ts';

type Indicators = Record<string, string | number | boolean | null>;

/**
 * Opens a warning for a loan under a rule, with the indicator values that triggered it, and
 * emits RiskWarningRaised, unless the loan already has an open warning for that rule (then
 * nothing is written). The response deadline comes from the severity's response hours.
 */
export async function raiseRiskWarningOnce(
  tx: Kysely<DB>,
  input: { loan: LoanRow; rule: WarningRuleRow; indicators: Indicators; raisedAt: Date; responseHours: Map<WarningSeverity, number> },
): Promise<boolean> {
  const { loan, rule, indicators, raisedAt } = input;
  const id = uuidv7();
  const responseDueAt = new Date(raisedAt.getTime() + (input.responseHours.get(rule.severity) ?? 24) * 3_600_000);
  const raised = await insertWarningOnce(tx, {
    id,
    loan_id: loan.id,
    customer_id: loan.customer_id,
    rule_code: rule.code,
    severity: rule.severity,
    indicators: JSON.stringify(indicators),
    status: 'OPEN',
    officer_id: loan.officer_id,
    raised_at: raisedAt,
    response_due_at: responseDueAt,
    acknowledged_at: null,
    action_taken_at: null,
    resolved_at: null,
    escalated_at: null,
    note: null,
  });
  if (!raised) return false;
  await emit(tx, 'RiskWarningRaised', {
    subject: loan.customer_id,
    data: {
      warningId: id,
      loanId: loan.id,
      customerId: loan.customer_id,
      ruleCode: rule.code,
      severity: rule.severity,
      indicators,
      officerId: loan.officer_id,
      responseDueAt: responseDueAt.toISOString(),
    },
  });
  return true;
}
