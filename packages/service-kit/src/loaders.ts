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
      loader = new DataLoader(async (ids) => {
        const rows = await fetch(ids, window);
        const byParent = new Map<string, Row[]>();
        for (const row of rows) {
          const list = byParent.get(parentOf(row)) ?? [];
          list.push(row);
          byParent.set(parentOf(row), list);
        }
        return ids.map((id) => byParent.get(id) ?? []);
      });
      loaders.set(key, loader);
    }
    return loader.load(parentId);
  };
}

/** One row per id, null where missing, in the order asked: the shape DataLoader needs. */
export function byIds<Row extends { id: string }>(ids: readonly string[], rows: Row[]): (Row | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}
