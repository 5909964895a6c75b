import { type Kysely, sql } from 'kysely';

/**
 * Post-loan visits feed the early-warning rules (issue 15): a rule kind VISIT_CONCERN (a visit
 * found the business not operating or raised concerns) with its seeded rule; a visit that found
 * the funds used other than declared raises the existing FUND_USE_DEVIATION rule.
 */
const KINDS_BEFORE = ['DPD_OVER', 'CONSECUTIVE_MISSED', 'SCORE_DROP', 'INCOME_DROP', 'LTV_OVER', 'FUND_USE_DEVIATION', 'WATCHLIST_INDUSTRY'];

async function replaceKindCheck(db: Kysely<unknown>, kinds: string[]): Promise<void> {
  const { rows } = await sql<{ conname: string }>`
    select conname from pg_constraint
    where conrelid = 'warning_rule'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%kind%'`.execute(db);
  for (const r of rows) await sql`alter table warning_rule drop constraint ${sql.id(r.conname)}`.execute(db);
  await sql`alter table warning_rule add constraint warning_rule_kind_check check (kind in (${sql.join(kinds.map((k) => sql.lit(k)))}))`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await replaceKindCheck(db, [...KINDS_BEFORE, 'VISIT_CONCERN']);
  await sql`
    insert into warning_rule (code, kind, threshold, severity, active, description)
    values ('VISIT_CONCERN', 'VISIT_CONCERN', null, 'MEDIUM', true, 'A post-loan visit found the business not operating or raised concerns')
    on conflict (code) do nothing`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from warning_rule where kind = 'VISIT_CONCERN'`.execute(db);
  await replaceKindCheck(db, KINDS_BEFORE);
}
