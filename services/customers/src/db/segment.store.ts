import { type CountedConnection, type Listed, pageQuery, type SortKey } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { DB, SegmentRow } from './schema.ts';

export async function insertSegment(db: Kysely<DB>, row: Omit<SegmentRow, 'rule'> & { rule: unknown }): Promise<void> {
  await db
    .insertInto('segment')
    .values({ ...row, rule: JSON.stringify(row.rule) })
    .execute();
}

export async function updateSegment(
  db: Kysely<DB>,
  id: string,
  changes: { name?: string; description?: string | null; rule?: unknown; updated_at: Date },
): Promise<void> {
  const { rule, ...rest } = changes;
  await db
    .updateTable('segment')
    .set({ ...rest, ...(rule === undefined ? {} : { rule: JSON.stringify(rule) }) })
    .where('id', '=', id)
    .execute();
}

export async function deleteSegment(db: Kysely<DB>, id: string): Promise<boolean> {
  const deleted = await db.deleteFrom('segment').where('id', '=', id).returning('id').executeTakeFirst();
  return deleted !== undefined;
}

export async function findSegmentsByIds(db: Kysely<DB>, ids: readonly string[]): Promise<SegmentRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('segment')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

export async function findSegmentByName(db: Kysely<DB>, name: string): Promise<SegmentRow | undefined> {
  return db.selectFrom('segment').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Every segment, by name (the KPIs' SEGMENT dimension, and the deprecated `segments` list). */
export async function listSegments(db: Kysely<DB>): Promise<SegmentRow[]> {
  return db.selectFrom('segment').selectAll().orderBy('name').execute();
}

/** Segments are listed by name, which is unique: no tie-breaker needed. */
const SEGMENT_ORDER: readonly SortKey[] = [{ ref: 'segment.name', type: 'text' }];

/** `customerSegments`: a page of segments by name after a cursor. */
export async function findSegmentsPage(db: Kysely<DB>, page: { limit: number; after: string | null }): Promise<Listed<SegmentRow>[]> {
  return pageQuery(db.selectFrom('segment').selectAll('segment'), 'segment', SEGMENT_ORDER, 'asc', { ...page, since: undefined }).execute();
}

export async function countSegments(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('segment')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** `customerSegments`: a page and its lazy count. */
export type SegmentPage = CountedConnection<SegmentRow>;
