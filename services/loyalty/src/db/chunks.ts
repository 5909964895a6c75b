/**
 * Rows per statement when a set-wise run writes rows it computed: PostgreSQL takes at most 65 535
 * bound parameters per statement (PGlite fewer), so large batches go in slices of this size.
 */
export const ROWS_PER_STATEMENT = 500;

/** Runs `fn` on consecutive slices of `items` and concatenates the results. */
export async function inChunks<T, R>(items: readonly T[], fn: (slice: T[]) => Promise<R[]>, size = ROWS_PER_STATEMENT): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await fn(items.slice(i, i + size))));
  return out;
}
