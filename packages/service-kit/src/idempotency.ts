import { sql, type Transaction } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: works in every service's transaction; the lock is plain SQL.
type AnyTransaction = Transaction<any>;

/**
 * The replay check of an idempotent creating mutation, made inside the transaction that writes.
 * It first takes a transaction-scoped advisory lock on (`scope`, `key`), then runs `find`: two
 * identical requests sent at the same time run one after the other, and the second finds the
 * first's row (committed before the lock is released) instead of writing a second one. The row
 * itself still carries the key under a unique constraint: the lock only makes the second request
 * wait and replay instead of failing on it.
 *
 * Returns what `find` found (the request is a replay: answer it) or undefined (go on and write,
 * with the key, in the same transaction). Without a key nothing is locked or looked up.
 */
export async function findIdempotentReplay<T>(
  tx: AnyTransaction,
  scope: string,
  key: string | null | undefined,
  find: (key: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (!key) return undefined;
  await lockIdempotencyKey(tx, scope, key);
  return find(key);
}

/** Holds, until the transaction ends, the lock of one idempotency key of one kind of request (`scope`: the table or mutation). */
export async function lockIdempotencyKey(tx: AnyTransaction, scope: string, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`idempotency:${scope}`}), hashtext(${key}))`.execute(tx);
}
