import type { Insertable, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB, RepaymentAllocationTable, RepaymentRow, RepaymentTable } from './schema.ts';

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
  }));
  await tx.insertInto('repayment_allocation').values(allocations).execute();
  const values = sql.join(
    lines.map(
      (l) => sql`(${l.number}::int, ${l.penalty}::numeric, ${l.interest}::numeric, ${l.principal}::numeric, ${l.interestWaived}::numeric, ${l.paidOn}::date)`,
    ),
  );
  await sql`
    update instalment i set
      penalty_paid = i.penalty_paid + v.penalty,
      interest_paid = i.interest_paid + v.interest,
      principal_paid = i.principal_paid + v.principal,
      interest = i.interest - v.waived,
      paid_on = coalesce(v.paid_on, i.paid_on)
    from (values ${values}) as v(number, penalty, interest, principal, waived, paid_on)
    where i.loan_id = ${repayment.loanId} and i.version = ${repayment.version} and i.number = v.number
  `.execute(tx);
}
