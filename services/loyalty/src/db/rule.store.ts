import type { Kysely } from 'kysely';
import type { DB, EarningRuleRow } from './schema.ts';

export async function findRules(db: Kysely<DB>): Promise<EarningRuleRow[]> {
  return db.selectFrom('earning_rule').selectAll().orderBy('code').execute();
}

export async function upsertRule(db: Kysely<DB>, rule: EarningRuleRow): Promise<EarningRuleRow> {
  const { code, ...rest } = rule;
  return db
    .insertInto('earning_rule')
    .values(rule)
    .onConflict((oc) => oc.column('code').doUpdateSet(rest))
    .returningAll()
    .executeTakeFirstOrThrow();
}
