/**
 * Post-loan visits feed the early-warning rules (issue 15): engagement records a visit's outcome
 * (VisitOutcomeRecorded) and credit raises, for the visited loan while it is active,
 * FUND_USE_DEVIATION when the funds were found used other than declared (the rule a credit
 * review's fund-use check raises too) and VISIT_CONCERN when the business was found not operating
 * or the officer listed concerns. Each rule once while its warning is open (raiseRiskWarningOnce).
 */
export interface VisitFindings {
  customerMet: boolean;
  businessOperating: boolean | null;
  fundUseAsDeclared: boolean | null;
  concerns: readonly string[];
}

/** The early-warning rule kinds a visit can fire. */
export type VisitWarningKind = 'FUND_USE_DEVIATION' | 'VISIT_CONCERN';

/** The rule kinds a visit's findings fire (an unknown answer, null, fires nothing). */
export function visitWarningKinds(v: VisitFindings): VisitWarningKind[] {
  const kinds: VisitWarningKind[] = [];
  if (v.fundUseAsDeclared === false) kinds.push('FUND_USE_DEVIATION');
  if (v.businessOperating === false || v.concerns.length > 0) kinds.push('VISIT_CONCERN');
  return kinds;
}

/** The indicator values a visit warning records (explainable: what the visit found, which task, when). */
export function visitIndicators(
  v: VisitFindings & { taskId: string; visitedOn: string; declaredPurpose: string | null },
): Record<string, string | boolean | null> {
  return {
    source: 'POST_LOAN_VISIT',
    visitTaskId: v.taskId,
    visitedOn: v.visitedOn,
    customerMet: v.customerMet,
    businessOperating: v.businessOperating,
    fundUseAsDeclared: v.fundUseAsDeclared,
    concerns: v.concerns.length ? v.concerns.join(', ') : null,
    declaredPurpose: v.declaredPurpose,
  };
}
