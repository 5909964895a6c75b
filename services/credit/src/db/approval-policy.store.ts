import type { Kysely } from 'kysely';
import type { ApprovalPolicyRow, DB } from './schema.ts';

export async function findApprovalPolicies(db: Kysely<DB>): Promise<ApprovalPolicyRow[]> {
  return db.selectFrom('approval_policy').selectAll().orderBy('currency').execute();
}

export async function findApprovalPolicy(db: Kysely<DB>, currency: string, lock = false): Promise<ApprovalPolicyRow | undefined> {
  return db
    .selectFrom('approval_policy')
    .selectAll()
    .where('currency', '=', currency)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function upsertApprovalPolicy(
  tx: Kysely<DB>,
  row: { currency: string; second_approval_above: string; write_off_admin_above: string | null; updated_by: string; updated_at: Date },
): Promise<void> {
  await tx
    .insertInto('approval_policy')
    .values(row)
    .onConflict((oc) =>
      oc.column('currency').doUpdateSet({
        second_approval_above: row.second_approval_above,
        write_off_admin_above: row.write_off_admin_above,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}
