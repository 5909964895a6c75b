import type { EventHandler } from '@crm/events';
import { findLoansByCustomerIds } from '../db/loan.store.ts';
import type { DB } from '../db/schema.ts';
import { SYSTEM_SCOPE } from '../db/scope.ts';
import { findActiveRulesOfKind, findResponseHours } from '../db/warning.store.ts';
import { firedSnapshotRules } from '../domain/snapshot-rules.ts';
import { raiseRiskWarningOnce } from './raise-risk-warning.ts';

/**
 * Income-drop and score-drop early warnings for each active loan of the customer. A redelivery
 * or a second snapshot raises nothing new while the warning for that loan and rule is open.
 */
export const onFinancialSnapshotRecorded: EventHandler<DB, 'FinancialSnapshotRecorded'> = async (tx, event) => {
  const s = event.data;
  const loans = (await findLoansByCustomerIds(tx, SYSTEM_SCOPE, [s.customerId])).filter((l) => l.status === 'ACTIVE');
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
      await raiseRiskWarningOnce(tx, { loan, rule, indicators: { ...f.indicators, snapshotId: s.snapshotId }, raisedAt, responseHours: hours });
    }
  }
};
