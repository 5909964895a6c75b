import type { Kysely } from 'kysely';
import type { DB, RiskClassThresholdRow } from './schema.ts';

export async function findThresholds(db: Kysely<DB>): Promise<RiskClassThresholdRow[]> {
  return db.selectFrom('risk_class_threshold').selectAll().orderBy('min_dpd').execute();
}

/** Replaces the whole table in one transaction (the thresholds only make sense together). */
export async function replaceThresholds(db: Kysely<DB>, rows: RiskClassThresholdRow[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('risk_class_threshold').execute();
    await tx.insertInto('risk_class_threshold').values(rows).execute();
  });
}
