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

export async function listSegments(db: Kysely<DB>): Promise<SegmentRow[]> {
  return db.selectFrom('segment').selectAll().orderBy('name').execute();
}
