import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // The same fact published under two event ids must have one effect: each signal carries the
  // business key of its fact (commands/record-*.ts build it), unique beside the event id.
  await db.schema.alterTable('value_signal').addColumn('business_key', 'text').execute();
  // Existing rows: the key of their fact where the row holds what it is made of (the first row of
  // each fact, by event id), else their event id (rows recorded before instalment paid and survey
  // signals kept their repayment and response ids, and duplicates already recorded, keep counting
  // as they did; only their redeliveries under new event ids are not caught).
  await sql`
    with keyed as (
      select event_id,
        case
          when kind = 'INSTALMENT_OVERDUE' and event_id like 'overdue:%' then 'INSTALMENT_OVERDUE:' || substr(event_id, 9)
          when kind in ('COMPLAINT_RECEIVED', 'COMPLAINT_RESOLVED', 'REPAYMENT_REVERSED') and label is not null then kind || ':' || label
          when kind = 'TIER' and label is not null then 'TIER:' || customer_id || ':' || label || ':' || occurred_on::text
        end as fact_key
      from value_signal
    ),
    ranked as (
      select event_id, fact_key, row_number() over (partition by fact_key order by event_id) as n from keyed
    )
    update value_signal v
    set business_key = case when r.fact_key is not null and r.n = 1 then r.fact_key else 'event:' || v.event_id end
    from ranked r
    where r.event_id = v.event_id
  `.execute(db);
  await db.schema
    .alterTable('value_signal')
    .alterColumn('business_key', (c) => c.setNotNull())
    .execute();
  await db.schema.createIndex('value_signal_business_key_idx').on('value_signal').column('business_key').unique().execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('value_signal_business_key_idx').execute();
  await db.schema.alterTable('value_signal').dropColumn('business_key').execute();
}
