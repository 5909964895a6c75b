import { type Kysely, type RawBuilder, sql } from 'kysely';
import { PAR30_DAYS } from '../domain/kpis.ts';
import type { DB, RiskWarningOutcome, RiskWarningRow } from './schema.ts';

/**
 * Risk-warning outcomes (issue 15, "did it work"). One SQL source for "resolved before 30 days
 * past due", used by the outcome recorded on a warning and by the creditKpi metric
 * WARNINGS_RESOLVED_BEFORE_30_DPD: over warning rows aliased `w`, with the end-of-day snapshots.
 */

const raisedOn = sql`(w.raised_at at time zone 'UTC')::date`;
const resolvedOn = sql`(w.resolved_at at time zone 'UTC')::date`;

/** The loan was at most 30 days past due when the warning was raised: its latest snapshot on or before that day (none: current). */
export const raisedBefore30DpdSql: RawBuilder<boolean> = sql<boolean>`coalesce((
  select d.dpd <= ${PAR30_DAYS}::int from loan_delinquency d
   where d.loan_id = w.loan_id and d.as_of <= ${raisedOn} order by d.as_of desc limit 1), true)`;

/** Resolved, and no snapshot of the loan more than 30 days past due from the day raised to the day resolved. */
export const resolvedBefore30DpdSql: RawBuilder<boolean> = sql<boolean>`(w.status = 'RESOLVED' and not exists (
  select 1 from loan_delinquency d
   where d.loan_id = w.loan_id and d.dpd > ${PAR30_DAYS}::int and d.as_of >= ${raisedOn} and d.as_of <= ${resolvedOn}))`;

/** The outcome is known: resolved, or the loan went more than 30 days past due after the warning was raised. */
export const outcomeKnownSql: RawBuilder<boolean> = sql<boolean>`(w.status = 'RESOLVED' or exists (
  select 1 from loan_delinquency d
   where d.loan_id = w.loan_id and d.dpd > ${PAR30_DAYS}::int and d.as_of >= ${raisedOn}))`;

/** Records a resolved warning's outcome with whether it was resolved before 30 DPD (fixed now); returns the row. */
export async function recordWarningOutcome(
  tx: Kysely<DB>,
  id: string,
  o: { outcome: RiskWarningOutcome; by: string; at: Date },
): Promise<RiskWarningRow | undefined> {
  return tx
    .updateTable('risk_warning as w')
    .set({ outcome: o.outcome, outcome_recorded_by: o.by, outcome_recorded_at: o.at, resolved_before_30_dpd: resolvedBefore30DpdSql })
    .where('w.id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
