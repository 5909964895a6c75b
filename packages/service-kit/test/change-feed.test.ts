import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChangePosition,
  type ChangeStamped,
  changeColumns,
  changeCursorOf,
  changeFeedFilter,
  changeOrder,
  changePositionOf,
  changeTrackingMigration,
  decodeChangeCursor,
  deletionsSince,
} from '../src/change-feed.ts';
import type { Database } from '../src/db.ts';
import { openTestDatabase } from '../src/testing/index.ts';

interface DB {
  note: { id: string; body: string };
}

const onPostgres = Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

/** One pull of the feed: at most `limit` rows after `since`, and the position to pull from next. */
async function pull(db: Kysely<DB>, since: ChangePosition | null, limit = 100): Promise<{ rows: (DB['note'] & ChangeStamped)[]; next: ChangePosition | null }> {
  const rows = await db
    .selectFrom('note as n')
    .select(['n.id', 'n.body', ...changeColumns('n')])
    .where(changeFeedFilter('n', since))
    .orderBy(changeOrder('n'))
    .limit(limit)
    .execute();
  const last = rows.at(-1);
  return { rows, next: last ? changePositionOf(last) : since };
}

/** Pulls until the feed is dry; returns every body seen, in order, with repeats. */
async function crawl(db: Kysely<DB>, since: ChangePosition | null, limit: number): Promise<{ seen: string[]; next: ChangePosition | null }> {
  const seen: string[] = [];
  let position = since;
  for (;;) {
    const page = await pull(db, position, limit);
    seen.push(...page.rows.map((r) => r.body));
    position = page.next;
    if (page.rows.length < limit) return { seen, next: position };
  }
}

describe('change feed (changedSince)', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('change_feed', {
      '0001': {
        // biome-ignore lint/suspicious/noExplicitAny: migration against an untyped database
        up: async (db: Kysely<any>) => {
          await db.schema
            .createTable('note')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('body', 'text', (c) => c.notNull())
            .execute();
          await db.insertInto('note').values({ id: 'n0', body: 'before tracking' }).execute();
        },
      },
      '0002': changeTrackingMigration([{ table: 'note', key: 'id' }]),
    });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('returns rows written before tracking began, inserts and updates, in a stable order, paging without gaps or repeats', async () => {
    const { db } = database;
    for (let i = 1; i <= 7; i++)
      await db
        .insertInto('note')
        .values({ id: `n${i}`, body: `v1 ${i}` })
        .execute();
    const first = await crawl(db, null, 3);
    expect(first.seen).toEqual(['before tracking', ...[1, 2, 3, 4, 5, 6, 7].map((i) => `v1 ${i}`)]);

    // an update moves the row to the end of the feed; nothing else is returned again
    await db.updateTable('note').set({ body: 'v2 3' }).where('id', '=', 'n3').execute();
    const second = await crawl(db, first.next, 3);
    expect(second.seen).toEqual(['v2 3']);

    // a dry pull keeps the position
    const third = await crawl(db, second.next, 3);
    expect(third.seen).toEqual([]);
    expect(third.next).toEqual(second.next);
  });

  it('makes deletions visible after the cursor', async () => {
    const { db } = database;
    const before = await crawl(db, null, 50);
    await db.deleteFrom('note').where('id', '=', 'n5').execute();
    const deleted = await deletionsSince(db, 'note', before.next, 50);
    expect(deleted.map((d) => d.row_key)).toEqual(['n5']);
    expect(await deletionsSince(db, 'note', changePositionOf(deleted[0] as ChangeStamped), 50)).toEqual([]);
  });

  it('refuses a malformed cursor as bad input on changedSince, and reads its own cursors back', () => {
    expect(() => decodeChangeCursor('not-a-cursor')).toThrow(/Malformed change cursor/);
    expect(() => decodeChangeCursor(Buffer.from('["1", 2]').toString('base64url'))).toThrow();
    const cursor = changeCursorOf({ change_txid: '812', change_seq: '31' });
    expect(decodeChangeCursor(cursor)).toEqual({ txid: '812', seq: '31' });
  });

  it.runIf(onPostgres)(
    'misses no row when concurrent writers commit out of order during a crawl',
    async () => {
      const { db } = database;
      const start = (await crawl(db, null, 100)).next;
      // A: starts first (older transaction), writes, and stays open while B writes and commits.
      let releaseA: () => void = () => {};
      const aMayCommit = new Promise<void>((r) => {
        releaseA = r;
      });
      let aWrote: () => void = () => {};
      const aHasWritten = new Promise<void>((r) => {
        aWrote = r;
      });
      const a = db.transaction().execute(async (tx) => {
        await tx.insertInto('note').values({ id: 'slow', body: 'slow writer' }).execute();
        aWrote();
        await aMayCommit;
      });
      await aHasWritten;
      await db.insertInto('note').values({ id: 'fast', body: 'fast writer' }).execute();
      // B committed, A has not: B's row sits above the horizon (A is older), so it is not returned yet
      const during = await crawl(db, start, 100);
      expect(during.seen).toEqual([]);
      releaseA();
      await a;
      const after = await crawl(db, during.next, 100);
      expect(after.seen).toEqual(['slow writer', 'fast writer']);

      // many writers at once, a crawler pulling while they write: every row exactly once
      let position = after.next;
      const seen: string[] = [];
      const writers = Array.from({ length: 8 }, (_, w) =>
        (async () => {
          for (let i = 0; i < 25; i++) {
            await db.transaction().execute(async (tx) => {
              await tx
                .insertInto('note')
                .values({ id: `w${w}-${i}`, body: `w${w}-${i}` })
                .execute();
              if (i % 5 === 0) await sql`select pg_sleep(0.01)`.execute(tx);
            });
          }
        })(),
      );
      let done = false;
      const all = Promise.all(writers).then(() => {
        done = true;
      });
      while (!done) {
        const page = await pull(db, position, 7);
        seen.push(...page.rows.map((r) => r.body));
        position = page.next;
      }
      await all;
      seen.push(...(await crawl(db, position, 7)).seen);
      expect(seen.length).toBe(200);
      expect(new Set(seen).size).toBe(200);
    },
    60_000,
  );
});
