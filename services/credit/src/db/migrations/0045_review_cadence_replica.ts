import { type Kysely, sql } from 'kysely';

/**
 * One source for review cadence (issue 15): credit's review intervals are no longer constants but
 * a replica of engagement's `monitoring_cadence` table (per risk class, bands by minimum principal,
 * the review interval of each), fed by MonitoringCadenceChanged, which carries the whole table.
 * Seeded with the intervals credit used until now (and engagement's seed): 365 days, 180 for
 * NORMAL loans of 1,000,000 or more, 90 for SPECIAL_MENTION, 30 for SUBSTANDARD and worse; so
 * nothing changes until engagement's table is edited. `as_of` is the time of the table's version
 * (the seed: the epoch): an older or redelivered event changes nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('review_cadence_replica')
    .addColumn('risk_class', 'text', (c) => c.notNull())
    .addColumn('min_principal', 'numeric', (c) => c.notNull().check(sql`min_principal >= 0`))
    .addColumn('review_every_days', 'integer', (c) => c.notNull().check(sql`review_every_days > 0`))
    .addColumn('as_of', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_cadence_replica_pk', ['risk_class', 'min_principal'])
    .execute();
  await sql`insert into review_cadence_replica (risk_class, min_principal, review_every_days, as_of) values
    ('NORMAL', 0, 365, 'epoch'), ('NORMAL', 1000000, 180, 'epoch'), ('SPECIAL_MENTION', 0, 90, 'epoch'),
    ('SUBSTANDARD', 0, 30, 'epoch'), ('DOUBTFUL', 0, 30, 'epoch'), ('LOSS', 0, 30, 'epoch')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('review_cadence_replica').execute();
}
