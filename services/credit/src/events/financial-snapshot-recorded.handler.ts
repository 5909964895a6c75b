import { type EventHandler, emit } from '@crm/events';
import { v7 as uuidv7 } from 'uuid';
import { findLoansByCustomerIds } from '../db/loan.store.ts';
import type { DB } from '../db/schema.ts';
import { findActiveRulesOfKind, findResponseHours, insertWarningOnce } from '../db/warning.store.ts';
import { firedSnapshotRules } from '../domain/snapshot-rules.ts';

/**
 * Income-drop and score-drop early warnings for each active loan of the customer. A redelivery
 * or a second snapshot raises nothing new while the warning for that loan and rule is open.
 */
export const onFinancialSnapshotRecorded: EventHandler<DB, 'FinancialSnapshotRecorded'> = async (tx, event) => {
  const s = event.data;
  const loans = (await findLoansByCustomerIds(tx, [s.customerId])).filter((l) => l.status === 'ACTIVE');
  if (!loans.length) return;
  const rules = await findActiveRulesOfKind(tx, ['SCORE_DROP', 'INCOME_DROP']);
  const fired = firedSnapshotRules(
    {
      incomeChangeRatio: s.incomeChangeRatio,
      monthlyIncome: s.monthlyIncome,
      previousMonthlyIncome: s.previousMonthlyIncome,
      externalCreditScore: s.externalCreditScore,
      previousExternalCreditScore: s.previousExternalCreditScore,
      asOf: s.asOf,
    },
    rules.flatMap((r) => (r.kind === 'SCORE_DROP' || r.kind === 'INCOME_DROP' ? [{ code: r.code, kind: r.kind, threshold: r.threshold }] : [])),
  );
  if (!fired.length) return;
  const hours = await findResponseHours(tx);
  const raisedAt = new Date(event.time);
  for (const loan of loans) {
    for (const f of fired) {
      const rule = rules.find((r) => r.code === f.code);
      if (!rule) continue;
      const id = uuidv7();
      const responseDueAt = new Date(raisedAt.getTime() + (hours.get(rule.severity) ?? 24) * 3_600_000);
      const indicators = { ...f.indicators, snapshotId: s.snapshotId };
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
      if (!raised) continue;
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
    }
  }
};
