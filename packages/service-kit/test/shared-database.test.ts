import { randomBytes } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, openDatabase } from '../src/db.ts';
import { testDatabaseTarget } from '../src/testing/index.ts';

/**
 * Two services on one database server, each in its own schema: on PostgreSQL two schemas of one
 * database (distributed mode, tests); on PGlite two schemas of ONE instance (embedded mode), where
 * PGlite's single session must keep each service's transactions whole and its search_path right.
 */
interface DB {
  item: { id: string };
}

const migrations: Record<string, Migration> = {
  '0001_item': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('item')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .execute();
    },
  },
};

const ids = (db: Kysely<DB>) =>
  db
    .selectFrom('item')
    .select('id')
    .orderBy('id')
    .execute()
    .then((rows) => rows.map((r) => r.id));

describe('services sharing one database server', () => {
  let a: Database<DB>;
  let b: Database<DB>;

  beforeAll(async () => {
    const instance = `shared-${randomBytes(4).toString('hex')}`;
    a = await openDatabase<DB>(testDatabaseTarget('svc_a', { instance, schema: 'svc_a' }));
    b = await openDatabase<DB>(testDatabaseTarget('svc_b', { instance, schema: 'svc_b' }));
    await migrate(a, migrations);
    await migrate(b, migrations);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('keeps each service in its own schema', async () => {
    await a.db.insertInto('item').values({ id: 'only-in-a' }).execute();
    expect(await ids(a.db)).toEqual(['only-in-a']);
    expect(await ids(b.db)).toEqual([]);
    await a.db.deleteFrom('item').execute();
  });

  it("never runs one service's statements inside another's transaction", async () => {
    let bStarted!: () => void;
    const bIssued = new Promise<void>((resolve) => {
      bStarted = resolve;
    });
    // A opens a transaction, writes, lets B issue its write while the transaction is open, then fails.
    const aTransaction = a.db
      .transaction()
      .execute(async (tx) => {
        await tx.insertInto('item').values({ id: 'a-rolled-back' }).execute();
        await bIssued;
        await new Promise((r) => setTimeout(r, 50));
        expect(await ids(tx)).toEqual(['a-rolled-back']);
        throw new Error('A fails after writing');
      })
      .catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 10));
    const bWrite = b.db.insertInto('item').values({ id: 'b-committed' }).execute();
    bStarted();
    await bWrite;
    expect(((await aTransaction) as Error).message).toBe('A fails after writing');
    // B's write was neither undone with A's transaction nor written into A's schema.
    expect(await ids(a.db)).toEqual([]);
    expect(await ids(b.db)).toEqual(['b-committed']);
  });

  it('commits overlapping transactions of both services, each in its own schema', async () => {
    const write = (database: Database<DB>, prefix: string) =>
      database.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 5; i++) {
          await tx
            .insertInto('item')
            .values({ id: `${prefix}-${i}` })
            .execute();
          await new Promise((r) => setTimeout(r, 2));
        }
        const { rows } = await sql<{ n: string }>`select count(*)::text as n from item`.execute(tx);
        return rows[0]?.n;
      });
    const [inA, inB] = await Promise.all([write(a, 'tx-a'), write(b, 'tx-b')]);
    expect(inA).toBe('5');
    expect(inB).toBe('6');
    expect((await ids(a.db)).filter((id) => id.startsWith('tx-'))).toEqual(['tx-a-0', 'tx-a-1', 'tx-a-2', 'tx-a-3', 'tx-a-4']);
    expect((await ids(b.db)).filter((id) => id.startsWith('tx-'))).toEqual(['tx-b-0', 'tx-b-1', 'tx-b-2', 'tx-b-3', 'tx-b-4']);
  });
});
