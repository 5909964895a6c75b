import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

export async function recordLoanDisbursed(
  db: Kysely<DB>,
  loan: { loanId: string; customerId: string; officerId: string | null; disbursedOn: string; at: Date },
): Promise<void> {
  await db
    .insertInto('loan_replica')
    .values({
      loan_id: loan.loanId,
      customer_id: loan.customerId,
      officer_id: loan.officerId,
      status: 'ACTIVE',
      disbursed_on: loan.disbursedOn,
      updated_at: loan.at,
    })
    .onConflict((oc) => oc.column('loan_id').doUpdateSet({ officer_id: loan.officerId, disbursed_on: loan.disbursedOn, updated_at: loan.at }))
    .execute();
}

export async function recordLoanClosed(
  db: Kysely<DB>,
  loan: { loanId: string; customerId: string; closedOn: string; status: 'CLOSED' | 'WRITTEN_OFF'; at: Date },
): Promise<void> {
  await db
    .insertInto('loan_replica')
    .values({
      loan_id: loan.loanId,
      customer_id: loan.customerId,
      officer_id: null,
      status: loan.status,
      closed_on: loan.closedOn,
      bucket: 'CURRENT',
      days_past_due: 0,
      updated_at: loan.at,
    })
    .onConflict((oc) =>
      oc.column('loan_id').doUpdateSet({ status: loan.status, closed_on: loan.closedOn, bucket: 'CURRENT', days_past_due: 0, updated_at: loan.at }),
    )
    .execute();
}

/** The loan's delinquency as of an end-of-day run (an older run never overwrites a newer one). */
export async function recordLoanDelinquency(
  db: Kysely<DB>,
  loan: { loanId: string; customerId: string; bucket: string; daysPastDue: number; at: Date },
): Promise<void> {
  await db
    .insertInto('loan_replica')
    .values({
      loan_id: loan.loanId,
      customer_id: loan.customerId,
      officer_id: null,
      status: 'ACTIVE',
      bucket: loan.bucket,
      days_past_due: loan.daysPastDue,
      updated_at: loan.at,
    })
    .onConflict((oc) =>
      oc
        .column('loan_id')
        .doUpdateSet({ bucket: loan.bucket, days_past_due: loan.daysPastDue, updated_at: loan.at })
        .where('loan_replica.updated_at', '<=', loan.at)
        .where('loan_replica.status', '=', 'ACTIVE'),
    )
    .execute();
}

export async function findLoanOfficer(db: Kysely<DB>, loanId: string): Promise<string | null> {
  const row = await db.selectFrom('loan_replica').select('officer_id').where('loan_id', '=', loanId).executeTakeFirst();
  return row?.officer_id ?? null;
}
