import type { Kysely } from 'kysely';
import { findLoansByCustomerIds } from '../db/loan.store.ts';
import type { DB } from '../db/schema.ts';
import { SYSTEM_SCOPE } from '../db/scope.ts';
import { findActiveRulesOfKind, findResponseHours } from '../db/warning.store.ts';
import { firedSnapshotRules, type SnapshotIndicators } from '../domain/snapshot-rules.ts';
import { raiseRiskWarningOnce } from './raise-risk-warning.ts';

/**
 * Income-drop and score-drop early warnings for each active loan of the customer after a new
 * financial snapshot, in the caller's transaction. Raises nothing new while the warning for that
 * loan and rule is open (a redelivery or a second snapshot). Returns how many were raised.
 */
export async function raiseSnapshotWarnings(
  tx: Kysely<DB>,
  input: { customerId: string; snapshotId: string; indicators: SnapshotIndicators; raisedAt: Date },
): Promise<number> {
  const loans = (await findLoansByCustomerIds(tx, SYSTEM_SCOPE, [input.customerId])).filter((l) => l.status === 'ACTIVE');
  if (!loans.length) return 0;
  const rules = await findActiveRulesOfKind(tx, ['SCORE_DROP', 'INCOME_DROP']);
  const fired = firedSnapshotRules(
    input.indicators,
    rules.flatMap((r) => (r.kind === 'SCORE_DROP' || r.kind === 'INCOME_DROP' ? [{ code: r.code, kind: r.kind, threshold: r.threshold }] : [])),
  );
  if (!fired.length) return 0;
  const hours = await findResponseHours(tx);
  let raised = 0;
  for (const loan of loans) {
    for (const f of fired) {
      const rule = rules.find((r) => r.code === f.code);
      if (!rule) continue;
      const indicators = { ...f.indicators, snapshotId: input.snapshotId };
      if (await raiseRiskWarningOnce(tx, { loan, rule, indicators, raisedAt: input.raisedAt, responseHours: hours })) raised++;
    }
  }
  return raised;
}
