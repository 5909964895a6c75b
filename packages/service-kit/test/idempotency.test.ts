import { type Kysely, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db.ts';
import { findIdempotentReplay } from '../src/idempotency.ts';
import { openTestDatabase } from '../src/testing/index.ts';

interface DB {
  note: { id: string; body: string; idempotency_key: string | null };
}

/** A creating request as a service writes it: the replay check and the insert in one transaction. */
async function createNote(db: Kysely<DB>, body: string, key: string | null): Promise<{ id: string; replayed: boolean }> {
  return db.transaction().execute(async (tx) => {
    const existing = await findIdempotentReplay(
      tx,
      'note',
      key,
      async (k) => (await tx.selectFrom('note').select('id').where('idempotency_key', '=', k).executeTakeFirst())?.id,
    );
    if (existing) return { id: existing, replayed: true };
    // widen the window between the check and the write, where an unguarded check lets both through
    await sql`select pg_sleep(0.05)`.execute(tx);
    const id = uuidv7();
    await tx.insertInto('note').values({ id, body, idempotency_key: key }).execute();
    return { id, replayed: false };
  });
}

describe('idempotent creation', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('idempotency', {
      '0001': {
        // biome-ignore lint/suspicious/noExplicitAny: migration against an untyped database
        up: async (db: Kysely<any>) => {
          await db.schema
            .createTable('note')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('body', 'text', (c) => c.notNull())
            .addColumn('idempotency_key', 'text', (c) => c.unique())
            .execute();
        },
      },
    });
  });
  afterAll(async () => {
    await database.close();
  });

  it('two identical requests sent together write one record and both answer it', async () => {
    const results = await Promise.all([createNote(database.db, 'hello', 'key-1'), createNote(database.db, 'hello', 'key-1')]);
    const rows = await database.db.selectFrom('note').selectAll().where('idempotency_key', '=', 'key-1').execute();
    expect(rows).toHaveLength(1);
    expect(results.map((r) => r.id)).toEqual([rows[0]?.id, rows[0]?.id]);
    expect(results.filter((r) => r.replayed)).toHaveLength(1);
  });

  it('different keys, and requests without a key, each write their own record', async () => {
    const results = await Promise.all([
      createNote(database.db, 'a', 'key-a'),
      createNote(database.db, 'b', 'key-b'),
      createNote(database.db, 'c', null),
      createNote(database.db, 'd', null),
    ]);
    expect(new Set(results.map((r) => r.id)).size).toBe(4);
    expect(results.every((r) => !r.replayed)).toBe(true);
  });
});
