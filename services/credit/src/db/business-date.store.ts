import { dateText, isoDate } from '@crm/service-kit';
import { type Kysely, sql } from 'kysely';
import { INSTITUTION } from '../domain/business-date.ts';
import type { DB } from './schema.ts';

export interface BusinessDateView {
  date: string;
  lastClosedOn: string | null;
  /** False while the institution has no row: the date is then the wall clock's. */
  managed: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
}

/** The institution's business date, or the wall clock's date while none was set or closed. */
export async function findBusinessDate(db: Kysely<DB>, now: Date): Promise<BusinessDateView> {
  const row = await db.selectFrom('business_date').selectAll().where('institution', '=', INSTITUTION).executeTakeFirst();
  if (!row) return { date: isoDate(now), lastClosedOn: null, managed: false, updatedBy: null, updatedAt: null };
  return {
    date: dateText(row.business_date as string | Date),
    lastClosedOn: dateText(row.last_closed_on as string | Date | null),
    managed: true,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}

/** The business date, the row locked for the transaction (created at the wall clock's date when missing). */
export async function lockBusinessDate(tx: Kysely<DB>, now: Date): Promise<BusinessDateView> {
  await sql`insert into business_date (institution, business_date) values (${INSTITUTION}, ${isoDate(now)}::date) on conflict do nothing`.execute(tx);
  const row = await tx.selectFrom('business_date').selectAll().where('institution', '=', INSTITUTION).forUpdate().executeTakeFirstOrThrow();
  return {
    date: dateText(row.business_date as string | Date),
    lastClosedOn: dateText(row.last_closed_on as string | Date | null),
    managed: true,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}

export async function saveBusinessDate(tx: Kysely<DB>, change: { date: string; lastClosedOn?: string | null; updatedBy: string; now: Date }): Promise<void> {
  await tx
    .updateTable('business_date')
    .set({
      business_date: change.date,
      ...(change.lastClosedOn !== undefined ? { last_closed_on: change.lastClosedOn } : {}),
      updated_by: change.updatedBy,
      updated_at: change.now,
    })
    .where('institution', '=', INSTITUTION)
    .execute();
}
