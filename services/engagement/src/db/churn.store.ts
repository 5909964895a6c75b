import type { Kysely } from 'kysely';
import type { ChurnRiskRow, DB } from './schema.ts';

export async function findChurnRisks(db: Kysely<DB>, customerIds: readonly string[]): Promise<ChurnRiskRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('churn_risk')
    .selectAll()
    .where('customer_id', 'in', [...customerIds])
    .execute();
}
