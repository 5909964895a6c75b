import type { PageWindow, Scope } from '@crm/service-kit';
import { countsOf, type Listed, type ListPage, pageQuery, type SortKey, windowPages } from '@crm/service-kit';
import type { Insertable, Kysely } from 'kysely';
import { sql } from 'kysely';
import { type LoanAttributeFilter, loanAttributes } from './loan.store.ts';
import type { DB, RepaymentAllocationTable, RepaymentRow, RepaymentTable } from './schema.ts';
import { customerInScope } from './scope.ts';

export async function findRepaymentByReference(db: Kysely<DB>, externalReference: string): Promise<RepaymentRow | undefined> {
  return db.selectFrom('repayment').selectAll().where('external_reference', '=', externalReference).executeTakeFirst();
}

export async function findRepaymentsOfLoans(db: Kysely<DB>, loanIds: readonly string[]): Promise<RepaymentRow[]> {
  if (!loanIds.length) return [];
  return db
    .selectFrom('repayment')
    .selectAll()
    .where('loan_id', 'in', [...loanIds])
    .orderBy('paid_on')
    .orderBy('id')
    .execute();
}

export async function insertRepayment(db: Kysely<DB>, row: Insertable<RepaymentTable>): Promise<void> {
  await db.insertInto('repayment').values(row).execute();
}

export interface InstalmentPayment {
  number: number;
  penalty: string;
  interest: string;
  principal: string;
  interestWaived: string;
  /** The per-instalment fee paid and the fee a settlement no longer charges (zero when absent). */
  fee?: string;
  feeWaived?: string;
  /** Set when the payment settles the instalment. */
  paidOn: string | null;
}

/**
 * Records where a repayment went and adds it to the instalments, in two statements whatever
 * the number of instalments it touches.
 */
export async function applyAllocation(
  tx: Kysely<DB>,
  repayment: { id: string; loanId: string; version: number; paidOn: string },
  lines: InstalmentPayment[],
): Promise<void> {
  if (!lines.length) return;
  const allocations: Insertable<RepaymentAllocationTable>[] = lines.map((l) => ({
    repayment_id: repayment.id,
    loan_id: repayment.loanId,
    version: repayment.version,
    number: l.number,
    paid_on: repayment.paidOn,
    penalty: l.penalty,
    interest: l.interest,
    principal: l.principal,
    fee: l.fee ?? '0',
  }));
  await tx.insertInto('repayment_allocation').values(allocations).execute();
  const values = sql.join(
    lines.map(
      (l) =>
        sql`(${l.number}::int, ${l.penalty}::numeric, ${l.interest}::numeric, ${l.principal}::numeric, ${l.interestWaived}::numeric, ${l.fee ?? '0'}::numeric, ${l.feeWaived ?? '0'}::numeric, ${l.paidOn}::date)`,
    ),
  );
  await sql`
    update instalment i set
      penalty_paid = i.penalty_paid + v.penalty,
      interest_paid = i.interest_paid + v.interest,
      principal_paid = i.principal_paid + v.principal,
      interest = i.interest - v.waived,
      interest_waived = i.interest_waived + v.waived,
      fee_paid = i.fee_paid + v.fee,
      fee = i.fee - v.fee_waived,
      fee_waived = i.fee_waived + v.fee_waived,
      paid_on = coalesce(v.paid_on, i.paid_on)
    from (values ${values}) as v(number, penalty, interest, principal, waived, fee, fee_waived, paid_on)
    where i.loan_id = ${repayment.loanId} and i.version = ${repayment.version} and i.number = v.number
  `.execute(tx);
}

const repaymentColumns = [
  'id',
  'loan_id',
  'amount',
  'currency',
  'channel',
  'external_reference',
  'penalty_paid',
  'interest_paid',
  'principal_paid',
  'prepaid_principal',
  'fee_paid',
  'recorded_by',
  'recorded_at',
  'reversed_at',
  'reversed_by',
  'reversal_reason',
  'rescheduled_version',
] as const;

/** A repayment by id, its value date as YYYY-MM-DD on both engines. */
export async function findRepaymentById(db: Kysely<DB>, id: string): Promise<RepaymentRow | undefined> {
  return db
    .selectFrom('repayment')
    .select(repaymentColumns)
    .select(sql<string>`to_char(paid_on, 'YYYY-MM-DD')`.as('paid_on'))
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The value date of each loan's latest standing (not reversed) repayment; loans without one are absent. */
export async function findLatestValueDates(db: Kysely<DB>, loanIds: readonly string[]): Promise<Map<string, string>> {
  if (!loanIds.length) return new Map();
  const rows = await db
    .selectFrom('repayment')
    .select(['loan_id', sql<string>`to_char(max(paid_on), 'YYYY-MM-DD')`.as('paid_on')])
    .where('loan_id', 'in', loanIds)
    .where('reversed_at', 'is', null)
    .groupBy('loan_id')
    .execute();
  return new Map(rows.map((r) => [r.loan_id, r.paid_on]));
}

/** The repayments of a loan that stand (not reversed), in value-date order then booking order. */
export async function findStandingRepayments(db: Kysely<DB>, loanId: string): Promise<RepaymentRow[]> {
  return db
    .selectFrom('repayment')
    .select(repaymentColumns)
    .select(sql<string>`to_char(paid_on, 'YYYY-MM-DD')`.as('paid_on'))
    .where('loan_id', '=', loanId)
    .where('reversed_at', 'is', null)
    .orderBy('paid_on')
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
}

/** Every allocation line on a schedule version of a loan. */
export async function findAllocations(db: Kysely<DB>, loanId: string, version: number) {
  return db
    .selectFrom('repayment_allocation')
    .select(['repayment_id', 'number', 'penalty', 'interest', 'principal', 'fee'])
    .where('loan_id', '=', loanId)
    .where('version', '=', version)
    .execute();
}

/** What a reversal writes back: the allocation redone from scratch, instalment by instalment and repayment by repayment. */
export interface Reallocation {
  loanId: string;
  version: number;
  allocations: Insertable<RepaymentAllocationTable>[];
  instalments: {
    number: number;
    principalPaid: string;
    interestPaid: string;
    penaltyPaid: string;
    interest: string;
    interestWaived: string;
    /** The per-instalment fee as it stands, what was paid and waived of it (unchanged when absent). */
    fee?: string;
    feePaid?: string;
    feeWaived?: string;
    paidOn: string | null;
  }[];
  repayments: { id: string; penaltyPaid: string; interestPaid: string; principalPaid: string; prepaidPrincipal: string; feePaid?: string }[];
  /** Only these repayments' allocation lines are replaced (a back-dated booking); all of the version's when absent. */
  replaced?: string[];
}

/** Replaces the allocation of a schedule version and the paid figures of its instalments and repayments. */
export async function writeReallocation(tx: Kysely<DB>, r: Reallocation): Promise<void> {
  if (!r.replaced) await tx.deleteFrom('repayment_allocation').where('loan_id', '=', r.loanId).where('version', '=', r.version).execute();
  else if (r.replaced.length)
    await tx
      .deleteFrom('repayment_allocation')
      .where('loan_id', '=', r.loanId)
      .where('version', '=', r.version)
      .where('repayment_id', 'in', r.replaced)
      .execute();
  if (r.allocations.length) await tx.insertInto('repayment_allocation').values(r.allocations).execute();
  if (r.instalments.length) {
    const values = sql.join(
      r.instalments.map(
        (i) =>
          sql`(${i.number}::int, ${i.principalPaid}::numeric, ${i.interestPaid}::numeric, ${i.penaltyPaid}::numeric, ${i.interest}::numeric, ${i.interestWaived}::numeric,
            ${i.fee ?? null}::numeric, ${i.feePaid ?? null}::numeric, ${i.feeWaived ?? null}::numeric, ${i.paidOn}::date)`,
      ),
    );
    await sql`
      update instalment i set
        principal_paid = v.principal_paid, interest_paid = v.interest_paid, penalty_paid = v.penalty_paid,
        interest = v.interest, interest_waived = v.interest_waived, paid_on = v.paid_on,
        fee = coalesce(v.fee, i.fee), fee_paid = coalesce(v.fee_paid, i.fee_paid), fee_waived = coalesce(v.fee_waived, i.fee_waived)
      from (values ${values}) as v(number, principal_paid, interest_paid, penalty_paid, interest, interest_waived, fee, fee_paid, fee_waived, paid_on)
      where i.loan_id = ${r.loanId} and i.version = ${r.version} and i.number = v.number
    `.execute(tx);
  }
  for (const p of r.repayments)
    await tx
      .updateTable('repayment')
      .set({
        penalty_paid: p.penaltyPaid,
        interest_paid: p.interestPaid,
        principal_paid: p.principalPaid,
        prepaid_principal: p.prepaidPrincipal,
        ...(p.feePaid === undefined ? {} : { fee_paid: p.feePaid }),
      })
      .where('id', '=', p.id)
      .execute();
}

export async function markRepaymentReversed(tx: Kysely<DB>, id: string, by: string, at: Date, reason: string): Promise<void> {
  await tx.updateTable('repayment').set({ reversed_at: at, reversed_by: by, reversal_reason: reason }).where('id', '=', id).execute();
}

// ---- reads for the API (issue 12): Loan.repayments and the top-level repayments list ----

/** Repayments in the order of `Loan.repayments` and `repayments`: value date, then id (ties on the date broken by id). */
export const REPAYMENT_ORDER: SortKey[] = [
  { ref: 'paid_on', type: 'date' },
  { ref: 'id', type: 'text' },
];

const repaymentsOfLoans = (db: Kysely<DB>, scope: Scope, loanIds: readonly string[]) =>
  db
    .selectFrom('repayment as r')
    .innerJoin('loan as l', 'l.id', 'r.loan_id')
    .selectAll('r')
    .select('r.loan_id as _parent')
    .where('r.loan_id', 'in', [...loanIds])
    .where(customerInScope(scope, 'l.customer_id'));

/** One page of repayments per loan, in one statement. */
export async function findRepaymentPages(db: Kysely<DB>, scope: Scope, loanIds: readonly string[], window: PageWindow) {
  if (!loanIds.length) return [];
  return windowPages<RepaymentRow>(db, repaymentsOfLoans(db, scope, loanIds), REPAYMENT_ORDER, 'asc', window);
}

export async function countRepaymentsOfLoans(db: Kysely<DB>, scope: Scope, loanIds: readonly string[]): Promise<Map<string, number>> {
  if (!loanIds.length) return new Map();
  return countsOf(db, repaymentsOfLoans(db, scope, loanIds));
}

export interface RepaymentFilter extends LoanAttributeFilter {
  loanId?: string | null;
  /** Value date on or after. */
  paidFrom?: string | null;
  /** Value date on or before. */
  paidTo?: string | null;
  channel?: string | null;
  /** true: reversed only; false: standing only. */
  reversed?: boolean | null;
}

const repaymentList = (db: Kysely<DB>, scope: Scope, f: RepaymentFilter) =>
  db
    .selectFrom('repayment')
    .innerJoin('loan as l', 'l.id', 'repayment.loan_id')
    .selectAll('repayment')
    .where(customerInScope(scope, 'l.customer_id'))
    .where(loanAttributes(f, 'l'))
    .$if(!!f.loanId, (q) => q.where('repayment.loan_id', '=', f.loanId ?? ''))
    .$if(!!f.paidFrom, (q) => q.where('repayment.paid_on', '>=', f.paidFrom ?? ''))
    .$if(!!f.paidTo, (q) => q.where('repayment.paid_on', '<=', f.paidTo ?? ''))
    .$if(!!f.channel, (q) => q.where('repayment.channel', '=', f.channel ?? ''))
    .$if(f.reversed === true, (q) => q.where('repayment.reversed_at', 'is not', null))
    .$if(f.reversed === false, (q) => q.where('repayment.reversed_at', 'is', null));

/** `repayments`: a page in (value date, id) order, or a changedSince pull. */
export async function listRepayments(db: Kysely<DB>, scope: Scope, filter: RepaymentFilter, page: ListPage): Promise<Listed<RepaymentRow>[]> {
  return pageQuery(
    repaymentList(db, scope, filter),
    'repayment',
    REPAYMENT_ORDER.map((k) => ({ ...k, ref: `repayment.${k.ref}` })),
    'asc',
    page,
  ).execute();
}

export async function countRepayments(db: Kysely<DB>, scope: Scope, filter: RepaymentFilter): Promise<number> {
  const row = await db
    .selectFrom(repaymentList(db, scope, filter).as('x'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
