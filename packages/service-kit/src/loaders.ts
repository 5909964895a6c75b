import DataLoader from 'dataloader';

export interface PageWindow {
  /** Rows per parent, including one extra to tell whether another page exists. */
  limit: number;
  after: string | null;
}

/**
 * Batches a paginated list field on an entity (e.g. `Customer.interactions(first:, after:)`):
 * every parent asked for with the same arguments in one request is fetched in one query.
 */
export function createPagedLoader<Row>(fetch: (parentIds: readonly string[], window: PageWindow) => Promise<Row[]>, parentOf: (row: Row) => string) {
  const loaders = new Map<string, DataLoader<string, Row[]>>();
  return (parentId: string, window: PageWindow): Promise<Row[]> => {
    const key = `${window.limit}:${window.after ?? ''}`;
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader(async (ids) => groupedBy(ids, await fetch(ids, window), parentOf));
      loaders.set(key, loader);
    }
    return loader.load(parentId);
  };
}

/** Rows grouped by a key, each group in the rows' order. */
export function groupBy<Row, K>(rows: readonly Row[], keyOf: (row: Row) => K): Map<K, Row[]> {
  const groups = new Map<K, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** The rows of each key, [] where none, in the order asked: the shape a DataLoader of lists needs. */
export function groupedBy<Row, K>(keys: readonly K[], rows: readonly Row[], keyOf: (row: Row) => K): Row[][] {
  const groups = groupBy(rows, keyOf);
  return keys.map((k) => groups.get(k) ?? []);
}

/** The first row of each key, null where none, in the order asked: the shape a DataLoader of one row needs. */
export function byKey<Row, K>(keys: readonly K[], rows: readonly Row[], keyOf: (row: Row) => K): (Row | null)[] {
  const groups = groupBy(rows, keyOf);
  return keys.map((k) => groups.get(k)?.[0] ?? null);
}

/** One row per id, null where missing, in the order asked: the shape DataLoader needs. */
export function byIds<Row extends { id: string }>(ids: readonly string[], rows: readonly Row[]): (Row | null)[] {
  return byKey(ids, rows, (r) => r.id);
}
