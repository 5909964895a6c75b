import type { Kysely } from 'kysely';
import { findLoansByIds } from '../db/loan.store.ts';
import type { DB } from '../db/schema.ts';
import { SYSTEM_SCOPE } from '../db/scope.ts';
import { findActiveRulesOfKind, findResponseHours } from '../db/warning.store.ts';
import { type VisitFindings, visitIndicators, visitWarningKinds } from '../domain/visits.ts';
import { raiseRiskWarningOnce } from './raise-risk-warning.ts';

/**
 * A post-loan visit's outcome (engagement's VisitOutcomeRecorded), in the consumer's
 * transaction: the early-warning rules its findings fire (`visitWarningKinds`: FUND_USE_DEVIATION,
 * VISIT_CONCERN) are raised on the active loan with the visit's indicators, each only while no
 * warning of that rule is open for the loan (a redelivery or a second visit raises nothing new).
 * Returns how many were raised.
 */
export async function raiseVisitWarnings(
  tx: Kysely<DB>,
  input: VisitFindings & { loanId: string; taskId: string; visitedOn: string; raisedAt: Date },
): Promise<number> {
  const kinds = visitWarningKinds(input);
  if (!kinds.length) return 0;
  const [loan] = await findLoansByIds(tx, SYSTEM_SCOPE, [input.loanId]);
  if (loan?.status !== 'ACTIVE') return 0;
  const hours = await findResponseHours(tx);
  const indicators = visitIndicators({ ...input, declaredPurpose: loan.purpose });
  let raised = 0;
  for (const rule of await findActiveRulesOfKind(tx, kinds)) {
    if (await raiseRiskWarningOnce(tx, { loan, rule, indicators, raisedAt: input.raisedAt, responseHours: hours })) raised++;
  }
  return raised;
}
