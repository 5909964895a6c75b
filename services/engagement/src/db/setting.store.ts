import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

export const SETTING_POST_LOAN_VISIT_DAYS = 'post_loan_visit_days';

/** A whole-number setting, or the fallback when unset or not a number. */
export async function findIntegerSetting(db: Kysely<DB>, key: string, fallback: number): Promise<number> {
  const row = await db.selectFrom('engagement_setting').select('value').where('key', '=', key).executeTakeFirst();
  const value = row ? Number.parseInt(row.value, 10) : Number.NaN;
  return Number.isInteger(value) ? value : fallback;
}

export async function saveSetting(db: Kysely<DB>, key: string, value: string, at: Date): Promise<void> {
  await db
    .insertInto('engagement_setting')
    .values({ key, value, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
    .execute();
}
