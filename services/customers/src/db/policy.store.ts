import type { Kysely } from 'kysely';
import type { CustomerPolicyRow, DB, Grade, GradeThresholdRow } from './schema.ts';

/** The service's periods (one row, seeded by the migration). */
export async function findPolicy(db: Kysely<DB>): Promise<CustomerPolicyRow> {
  return db.selectFrom('customer_policy').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updatePolicy(db: Kysely<DB>, changes: { stale_after_days?: number; at_risk_window_days?: number }): Promise<CustomerPolicyRow> {
  return db.updateTable('customer_policy').set(changes).where('id', '=', 1).returningAll().executeTakeFirstOrThrow();
}

/** Grade floors, highest first. */
export async function findGradeThresholds(db: Kysely<DB>): Promise<GradeThresholdRow[]> {
  return db.selectFrom('grade_threshold').selectAll().orderBy('min_score', 'desc').execute();
}

export async function replaceGradeThresholds(db: Kysely<DB>, rows: { grade: Grade; min_score: string }[]): Promise<void> {
  await db
    .insertInto('grade_threshold')
    .values(rows)
    .onConflict((oc) => oc.column('grade').doUpdateSet((eb) => ({ min_score: eb.ref('excluded.min_score') })))
    .execute();
}
