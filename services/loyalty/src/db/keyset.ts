import { badUserInput, decodeCursor } from '@crm/service-kit';
import { type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Keyset paging on (a timestamp, a unique id): the timestamp orders, the id breaks its ties, so a
 * page boundary that falls among rows of the same instant neither skips nor repeats one. Cursors
 * are `[ISO instant, id]`.
 */
export function timeIdCursor(at: Date, id: string): (string | number)[] {
  return [at.toISOString(), id];
}

/**
 * Rows after `cursor` in `(at, id)` order, ascending or descending (a row comparison); true
 * without a cursor. `at` and `id` are trusted column references (`e.created_at`).
 */
export function afterTimeId(at: string, id: string, cursor: string | null | undefined, direction: 'asc' | 'desc'): RawBuilder<SqlBool> {
  if (!cursor) return sql<SqlBool>`true`;
  const [atText, idText] = decodeCursor(cursor, 2).map(String);
  const instant = new Date(atText ?? '');
  if (Number.isNaN(instant.getTime())) throw badUserInput('Malformed cursor', 'after');
  const op = sql.raw(direction === 'asc' ? '>' : '<');
  return sql<SqlBool>`(${sql.ref(at)}, ${sql.ref(id)}) ${op} (${instant}::timestamptz, ${idText}::text)`;
}
