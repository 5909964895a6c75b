import type { Kysely } from 'kysely';
import type { DB, RiskClassThresholdRow } from './schema.ts';

export async function findThresholds(db: Kysely<DB>): Promise<RiskClassThresholdRow[]> {
  return db.selectFrom('risk_class_threshold').selectAll().orderBy('min_dpd').execute();
}

/** Replaces the whole table (the thresholds only make sense together): call it inside a transaction. */
export async function replaceThresholds(tx: Kysely<DB>, rows: RiskClassThresholdRow[]): Promise<void> {
  await tx.deleteFrom('risk_class_threshold').execute();
  await tx.insertInto('risk_class_threshold').values(rows).execute();
}
