import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db.ts';
import { countLoader, countsOf, keysetCursor, nestedConnection, pageQuery, parentPagesLoader, type SortKey, windowPages } from '../src/nested-paging.ts';
import { encodeCursor } from '../src/pagination.ts';
import { openTestDatabase } from '../src/testing/index.ts';

interface DB {
  note: { id: string; owner: string; at: Date; day: string };
}
type Note = DB['note'];

/** Per owner: newest first, ties on the instant broken by id. */
const BY_TIME: readonly SortKey[] = [
  { ref: 'at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

const notesOf = (db: Kysely<DB>, owners: readonly string[]) =>
  db
    .selectFrom('note')
    .selectAll()
    .select('owner as _parent')
    .where('owner', 'in', [...owners]);

describe('nested paging (windowPages, countsOf, nestedConnection)', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('nested_paging', {
      '0001': {
        // biome-ignore lint/suspicious/noExplicitAny: migration against an untyped database
        up: async (db: Kysely<any>) => {
          await db.schema
            .createTable('note')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('owner', 'text', (c) => c.notNull())
            .addColumn('at', 'timestamptz', (c) => c.notNull())
            .addColumn('day', 'date', (c) => c.notNull())
            .execute();
          // Owner a: five notes in ONE millisecond (microseconds apart, two of them at the same
          // microsecond), owner b: three, owner c: none.
          await sql`insert into note (id, owner, at, day) values
            ('a1', 'a', '2026-03-01 10:00:00.123401+00', '2026-03-01'),
            ('a2', 'a', '2026-03-01 10:00:00.123402+00', '2026-03-01'),
            ('a3', 'a', '2026-03-01 10:00:00.123402+00', '2026-03-02'),
            ('a4', 'a', '2026-03-01 10:00:00.123403+00', '2026-03-02'),
            ('a5', 'a', '2026-03-01 10:00:00.123404+00', '2026-03-03'),
            ('b1', 'b', '2026-03-01 09:00:00+00', '2026-03-01'),
            ('b2', 'b', '2026-03-01 09:00:01+00', '2026-03-01'),
            ('b3', 'b', '2026-03-01 09:00:02+00', '2026-03-01')`.execute(db);
        },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  /** Pages `owner`'s notes `size` at a time through windowPages (other owners asked for in the same statements). */
  async function crawl(owner: string, size: number, keys: readonly SortKey[], direction: 'asc' | 'desc'): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const rows = await windowPages<Note>(database.db, notesOf(database.db, ['a', 'b', 'c']), keys, direction, { limit: size + 1, after });
      const mine = rows.filter((r) => r._parent === owner);
      seen.push(...mine.slice(0, size).map((r) => r.id));
      if (mine.length <= size) return seen;
      const last = mine[size - 1];
      if (!last) throw new Error('no last row');
      after = encodeCursor(keysetCursor(last));
    }
    throw new Error('did not finish');
  }

  it('reads a page per parent in one statement, in key order, with the parent and the key texts (no row number)', async () => {
    const rows = await windowPages<Note>(database.db, notesOf(database.db, ['a', 'b', 'c']), BY_TIME, 'desc', { limit: 2, after: null });
    expect(rows.map((r) => [r._parent, r.id])).toEqual([
      ['a', 'a5'],
      ['a', 'a4'],
      ['b', 'b3'],
      ['b', 'b2'],
    ]);
    expect(keysetCursor(rows[0] ?? {})).toEqual(['2026-03-01T10:00:00.123404Z', 'a5']);
    expect(rows[0]).not.toHaveProperty('_rn');
  });

  it('pages without gaps or repeats in either direction when rows share a millisecond and a microsecond', async () => {
    expect(await crawl('a', 2, BY_TIME, 'desc')).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
    expect(await crawl('a', 2, BY_TIME, 'asc')).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(await crawl('a', 1, BY_TIME, 'desc')).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
    expect(await crawl('b', 2, BY_TIME, 'asc')).toEqual(['b1', 'b2', 'b3']);
    // a date key with ties: the id breaks them
    const byDay: SortKey[] = [
      { ref: 'day', type: 'date' },
      { ref: 'id', type: 'text' },
    ];
    expect(await crawl('a', 2, byDay, 'desc')).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
  });

  it('counts per parent in one grouped statement; a batched count loader answers 0 for a parent without rows', async () => {
    expect(await countsOf(database.db, notesOf(database.db, ['a', 'b', 'c']))).toEqual(
      new Map([
        ['a', 5],
        ['b', 3],
      ]),
    );
    const counts = countLoader((ids) => countsOf(database.db, notesOf(database.db, ids)));
    expect(await Promise.all(['a', 'b', 'c'].map((id) => counts.load(id)))).toEqual([5, 3, 0]);
  });

  it('nestedConnection: batches parents into one page statement, tells whether more follow, and counts only when asked', async () => {
    let pageStatements = 0;
    let countStatements = 0;
    const pages = parentPagesLoader<Note>((ids, window) => {
      pageStatements++;
      return windowPages<Note>(database.db, notesOf(database.db, ids), BY_TIME, 'desc', window);
    });
    const count = countLoader((ids) => {
      countStatements++;
      return countsOf(database.db, notesOf(database.db, ids));
    });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => nestedConnection(pages, count, id, { first: 3 })));
    expect(pageStatements).toBe(1);
    expect(a?.edges.map((e) => e.node.id)).toEqual(['a5', 'a4', 'a3']);
    expect(a?.pageInfo.hasNextPage).toBe(true);
    expect(b?.pageInfo).toEqual({ hasNextPage: false, endCursor: b?.edges.at(-1)?.cursor });
    expect(c?.edges).toEqual([]);
    expect(countStatements).toBe(0);
    expect(await Promise.all([a, b, c].map((conn) => conn?.count()))).toEqual([5, 3, 0]);
    expect(countStatements).toBe(1);
    const next = await nestedConnection(pages, count, 'a', { first: 3, after: a?.pageInfo.endCursor });
    expect(next.edges.map((e) => e.node.id)).toEqual(['a2', 'a1']);
  });

  it('refuses a cursor of another shape as bad input on `after`', async () => {
    const run = (after: string) => windowPages<Note>(database.db, notesOf(database.db, ['a']), BY_TIME, 'desc', { limit: 2, after });
    await expect(run('not-a-cursor')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    await expect(run(encodeCursor(['only one value']))).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('pageQuery: a top-level page after a cursor, in key order', async () => {
    const first = await pageQuery(database.db.selectFrom('note').selectAll('note'), 'note', [{ ref: 'note.id', type: 'text' }], 'asc', {
      limit: 3,
      after: null,
      since: undefined,
    }).execute();
    expect(first.map((r) => r.id)).toEqual(['a1', 'a2', 'a3']);
    const next = await pageQuery(database.db.selectFrom('note').selectAll('note'), 'note', [{ ref: 'note.id', type: 'text' }], 'asc', {
      limit: 3,
      after: encodeCursor(keysetCursor(first[2] ?? {})),
      since: undefined,
    }).execute();
    expect(next.map((r) => r.id)).toEqual(['a4', 'a5', 'b1']);
  });
});
