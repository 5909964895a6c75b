import type { DelinquencyBucket } from '@crm/events';
import { addDays, daysBetween, isoDate } from '@crm/service-kit';
import { type ExpressionBuilder, type Insertable, type Kysely, sql } from 'kysely';
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

/**
 * Records one signal per fact: a row with the same event id (a replay) or the same business key
 * (the same fact under another event id) already there adds nothing. True when recorded now.
 */
export async function insertSignalOnce(db: Kysely<DB>, row: Insertable<ValueSignalTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('value_signal')
    .values(row)
    // No conflict target: either unique key (event_id, business_key) makes it a no-op.
    .onConflict((oc) => oc.doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Marks the standing INSTALMENT_PAID signals of these instalments of a loan as reversed by an
 * event: they leave the contribution, the instalments paid and the on-time count. Their business
 * keys are retired (`:reversed-by:<event>` appended) so that the instalment paid again counts as
 * the new fact it is. Returns how many.
 */
export async function reverseInstalmentPaidSignals(
  db: Kysely<DB>,
  r: { customerId: string; loanId: string; instalmentNumbers: readonly number[]; reversedBy: string; reversedOn: string },
): Promise<number> {
  if (!r.instalmentNumbers.length) return 0;
  const result = await db
    .updateTable('value_signal')
    .set((eb) => ({
      reversed_by: r.reversedBy,
      reversed_on: r.reversedOn,
      business_key: sql<string>`${eb.ref('business_key')} || ${`:reversed-by:${r.reversedBy}`}`,
    }))
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
 * The score inputs of many customers as of a date, in one statement whatever the number of
 * customers: four grouped parts (loans, signals, worst bucket, latest tier) as CTEs, joined per customer.
 */
export async function findValueInputs(db: Kysely<DB>, customers: readonly { id: string; created_at: Date }[], asOf: string): Promise<Map<string, ValueInputs>> {
  const ids = customers.map((c) => c.id);
  const result = new Map<string, ValueInputs>();
  if (!ids.length) return result;
  const yearAgo = addDays(asOf, -365);

  const loans = db
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
    .groupBy('customer_id');

  const signals = db
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
    .groupBy('customer_id');

  const buckets = db
    .selectFrom('customer_loan')
    .select(['customer_id', 'bucket'])
    .distinctOn('customer_id')
    .where('customer_id', 'in', ids)
    .where('disbursed_on', '<=', asOf)
    .where((eb) => eb.or([eb('closed_on', 'is', null), eb('closed_on', '>', asOf)]))
    .where('bucket_as_of', '<=', asOf)
    .orderBy('customer_id')
    .orderBy('days_past_due', 'desc');

  const tiers = db
    .selectFrom('value_signal')
    .select(['customer_id', 'label'])
    .distinctOn('customer_id')
    .where('customer_id', 'in', ids)
    .where('kind', '=', 'TIER')
    .where('occurred_on', '<=', asOf)
    .orderBy('customer_id')
    .orderBy('occurred_on', 'desc')
    .orderBy('event_id', 'desc');

  const rows = await db
    .with('l', () => loans)
    .with('s', () => signals)
    .with('b', () => buckets)
    .with('t', () => tiers)
    .selectFrom('customer as c')
    .leftJoin('l', 'l.customer_id', 'c.id')
    .leftJoin('s', 's.customer_id', 'c.id')
    .leftJoin('b', 'b.customer_id', 'c.id')
    .leftJoin('t', 't.customer_id', 'c.id')
    .select([
      'c.id',
      'l.outstanding',
      'l.active',
      'l.max_cycle',
      's.interest12',
      's.penalty12',
      's.unsplit12',
      's.paid',
      's.paid_on_time',
      's.overdue12',
      's.nps',
      's.csat',
      's.open_complaints',
      'b.bucket',
      't.label as tier',
    ])
    .where('c.id', 'in', ids)
    .execute();

  // A part with no row for a customer comes back as nulls: the defaults below apply, as before.
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const c of customers) {
    const l = byId.get(c.id);
    const s = l;
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
      worstBucket: l?.bucket ?? 'CURRENT',
      averageNps: s?.nps ?? null,
      averageCsat: s?.csat ?? null,
      openComplaints: Number(s?.open_complaints ?? 0),
      maxLoanCycle: Number(l?.max_cycle ?? 0),
      loyaltyTier: l?.tier ?? null,
    });
  }
  return result;
}
