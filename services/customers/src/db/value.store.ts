import type { DelinquencyBucket } from '@crm/events';
import { addDays, daysBetween, isoDate } from '@crm/service-kit';
import type { ExpressionBuilder, Insertable, Kysely } from 'kysely';
import type { ValueInputs } from '../domain/value-score.ts';
import type { CustomerLoanTable, DB, ValueSignalTable } from './schema.ts';

/** Records a disbursed loan once (the loan id is the key). */
export async function insertLoanOnce(db: Kysely<DB>, row: Insertable<CustomerLoanTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('customer_loan')
    .values(row)
    .onConflict((oc) => oc.column('loan_id').doNothing())
    .returning('loan_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function closeLoan(db: Kysely<DB>, loanId: string, closedOn: string): Promise<void> {
  await db.updateTable('customer_loan').set({ closed_on: closedOn, bucket: 'CURRENT', days_past_due: 0 }).where('loan_id', '=', loanId).execute();
}

/** Undoes closeLoan: the loan counts in the balances and products held again (its bucket follows credit's next DelinquencyBucketChanged). */
export async function reopenLoan(db: Kysely<DB>, loanId: string): Promise<void> {
  await db.updateTable('customer_loan').set({ closed_on: null }).where('loan_id', '=', loanId).execute();
}

/** Keeps the newest bucket of a loan (an older end-of-day run never overwrites a newer one). */
export async function updateLoanBucket(db: Kysely<DB>, loanId: string, bucket: DelinquencyBucket, daysPastDue: number, asOf: string): Promise<void> {
  await db
    .updateTable('customer_loan')
    .set({ bucket, days_past_due: daysPastDue, bucket_as_of: asOf })
    .where('loan_id', '=', loanId)
    .where((eb) => eb.or([eb('bucket_as_of', 'is', null), eb('bucket_as_of', '<=', asOf)]))
    .execute();
}

/** Records one signal per source event (the event id is the key: a replay adds nothing). True when recorded now. */
export async function insertSignalOnce(db: Kysely<DB>, row: Insertable<ValueSignalTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('value_signal')
    .values(row)
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Marks the standing INSTALMENT_PAID signals of these instalments of a loan as reversed by an
 * event: they leave the contribution, the instalments paid and the on-time count. Returns how many.
 */
export async function reverseInstalmentPaidSignals(
  db: Kysely<DB>,
  r: { customerId: string; loanId: string; instalmentNumbers: readonly number[]; reversedBy: string; reversedOn: string },
): Promise<number> {
  if (!r.instalmentNumbers.length) return 0;
  const result = await db
    .updateTable('value_signal')
    .set({ reversed_by: r.reversedBy, reversed_on: r.reversedOn })
    .where('kind', '=', 'INSTALMENT_PAID')
    .where('customer_id', '=', r.customerId)
    .where('loan_id', '=', r.loanId)
    .where('instalment_number', 'in', [...r.instalmentNumbers])
    .where('reversed_by', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** INSTALMENT_PAID signals that count as of a date (not undone by a RepaymentReversed by then). */
const standingPaid = (f: ExpressionBuilder<DB, 'value_signal'>, asOf: string) =>
  f.and([f('kind', '=', 'INSTALMENT_PAID'), f.or([f('reversed_on', 'is', null), f('reversed_on', '>', asOf)])]);

/**
 * The score inputs of many customers as of a date, in four grouped queries whatever the number
 * of customers (loans, signals, worst bucket, latest tier).
 */
export async function findValueInputs(db: Kysely<DB>, customers: readonly { id: string; created_at: Date }[], asOf: string): Promise<Map<string, ValueInputs>> {
  const ids = customers.map((c) => c.id);
  const result = new Map<string, ValueInputs>();
  if (!ids.length) return result;
  const yearAgo = addDays(asOf, -365);

  const loans = await db
    .selectFrom('customer_loan')
    .select((eb) => [
      'customer_id',
      eb.fn
        .sum<string>('principal')
        .filterWhere((f) => f.or([f('closed_on', 'is', null), f('closed_on', '>', asOf)]))
        .as('outstanding'),
      eb.fn
        .count<string>('loan_id')
        .filterWhere((f) => f.or([f('closed_on', 'is', null), f('closed_on', '>', asOf)]))
        .as('active'),
      eb.fn.max<number>('loan_cycle').as('max_cycle'),
    ])
    .where('customer_id', 'in', ids)
    .where('disbursed_on', '<=', asOf)
    .groupBy('customer_id')
    .execute();

  const signals = await db
    .selectFrom('value_signal')
    .select((eb) => [
      'customer_id',
      eb.fn
        .sum<string>('interest_paid')
        .filterWhere((f) => f.and([standingPaid(f, asOf), f('occurred_on', '>', yearAgo)]))
        .as('interest12'),
      eb.fn
        .sum<string>('penalty_paid')
        .filterWhere((f) => f.and([standingPaid(f, asOf), f('occurred_on', '>', yearAgo)]))
        .as('penalty12'),
      // Instalments from events without the interest/penalty split: their total repaid.
      eb.fn
        .sum<string>('amount')
        .filterWhere((f) => f.and([standingPaid(f, asOf), f('occurred_on', '>', yearAgo), f('interest_paid', 'is', null), f('penalty_paid', 'is', null)]))
        .as('unsplit12'),
      eb.fn
        .count<string>('event_id')
        .filterWhere((f) => standingPaid(f, asOf))
        .as('paid'),
      eb.fn
        .count<string>('event_id')
        .filterWhere((f) => f.and([standingPaid(f, asOf), f('on_time', '=', true)]))
        .as('paid_on_time'),
      eb.fn
        .count<string>('event_id')
        .filterWhere((f) => f.and([f('kind', '=', 'INSTALMENT_OVERDUE'), f('occurred_on', '>', yearAgo)]))
        .as('overdue12'),
      eb.fn
        .avg<string>('score')
        .filterWhere((f) => f.and([f('kind', '=', 'SURVEY'), f('label', '=', 'NPS')]))
        .as('nps'),
      eb.fn
        .avg<string>('score')
        .filterWhere((f) => f.and([f('kind', '=', 'SURVEY'), f('label', '=', 'CSAT')]))
        .as('csat'),
      eb.fn
        .count<string>('event_id')
        .filterWhere((f) =>
          f.and([
            f('kind', '=', 'COMPLAINT_RECEIVED'),
            f.not(
              f.exists(
                f
                  .selectFrom('value_signal as r')
                  .select('r.event_id')
                  .whereRef('r.customer_id', '=', 'value_signal.customer_id')
                  .whereRef('r.label', '=', 'value_signal.label')
                  .where('r.kind', '=', 'COMPLAINT_RESOLVED')
                  .where('r.occurred_on', '<=', asOf),
              ),
            ),
          ]),
        )
        .as('open_complaints'),
    ])
    .where('customer_id', 'in', ids)
    .where('occurred_on', '<=', asOf)
    .groupBy('customer_id')
    .execute();

  const buckets = await db
    .selectFrom('customer_loan')
    .select(['customer_id', 'bucket'])
    .distinctOn('customer_id')
    .where('customer_id', 'in', ids)
    .where('disbursed_on', '<=', asOf)
    .where((eb) => eb.or([eb('closed_on', 'is', null), eb('closed_on', '>', asOf)]))
    .where('bucket_as_of', '<=', asOf)
    .orderBy('customer_id')
    .orderBy('days_past_due', 'desc')
    .execute();

  const tiers = await db
    .selectFrom('value_signal')
    .select(['customer_id', 'label'])
    .distinctOn('customer_id')
    .where('customer_id', 'in', ids)
    .where('kind', '=', 'TIER')
    .where('occurred_on', '<=', asOf)
    .orderBy('customer_id')
    .orderBy('occurred_on', 'desc')
    .orderBy('event_id', 'desc')
    .execute();

  const loanBy = new Map(loans.map((r) => [r.customer_id, r]));
  const signalBy = new Map(signals.map((r) => [r.customer_id, r]));
  const bucketBy = new Map(buckets.map((r) => [r.customer_id, r.bucket]));
  const tierBy = new Map(tiers.map((r) => [r.customer_id, r.label]));
  for (const c of customers) {
    const l = loanBy.get(c.id);
    const s = signalBy.get(c.id);
    result.set(c.id, {
      outstandingPrincipal: l?.outstanding ?? '0',
      interestPaidLast12Months: s?.interest12 ?? '0',
      penaltyPaidLast12Months: s?.penalty12 ?? '0',
      repaidWithoutSplitLast12Months: s?.unsplit12 ?? '0',
      activeLoans: Number(l?.active ?? 0),
      tenureDays: Math.max(0, daysBetween(isoDate(new Date(c.created_at)), asOf)),
      instalmentsPaid: Number(s?.paid ?? 0),
      instalmentsPaidOnTime: Number(s?.paid_on_time ?? 0),
      overdueLast12Months: Number(s?.overdue12 ?? 0),
      worstBucket: bucketBy.get(c.id) ?? 'CURRENT',
      averageNps: s?.nps ?? null,
      averageCsat: s?.csat ?? null,
      openComplaints: Number(s?.open_complaints ?? 0),
      maxLoanCycle: Number(l?.max_cycle ?? 0),
      loyaltyTier: tierBy.get(c.id) ?? null,
    });
  }
  return result;
}
