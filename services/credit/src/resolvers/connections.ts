import {
  badUserInput,
  type ChangeStamped,
  type Connection,
  changeCursorOf,
  feedEndCursor,
  type PageWindow,
  pageSize,
  parseChangedSince,
  toConnection,
  withCount,
} from '@crm/service-kit';
import type DataLoader from 'dataloader';
import { keysetCursor, type Listed, type ListPage, type Page } from '../db/paging.ts';

/**
 * How credit's resolvers turn store rows into connections (issue 12): nested ones through a paged
 * loader and a count loader (one statement each per field per request), top-level ones with
 * `changedSince` (incremental sync, @crm/service-kit change-feed.ts). totalCount is a thunk the
 * connection type's resolver calls only when it is selected.
 */

/** A nested connection of one parent: its page from the batched loader, its count on demand. */
export async function nestedConnection<R extends object>(
  pages: (parentId: string, window: PageWindow) => Promise<R[]>,
  count: DataLoader<string, number>,
  parentId: string,
  args: { first?: number | null; after?: string | null },
): Promise<Page<R>> {
  const size = pageSize(args.first);
  const rows = await pages(parentId, { limit: size + 1, after: args.after ?? null });
  return withCount(toConnection(rows, size, keysetCursor), () => count.load(parentId));
}

/**
 * A `changedSince` page as a connection: rows in feed order; edge cursors are change cursors and
 * `endCursor` is the one to pull from next (the cursor sent when the page is empty).
 */
function toFeedConnection<R extends Partial<ChangeStamped>>(rows: R[], size: number, sent: string): Connection<R> {
  const page = rows.slice(0, size).map((row) => {
    if (row.change_txid === undefined || row.change_seq === undefined) throw new Error('a change feed row without its stamp');
    return { row, stamp: { change_txid: row.change_txid, change_seq: row.change_seq } };
  });
  return {
    edges: page.map(({ row, stamp }) => ({ cursor: changeCursorOf(stamp), node: row })),
    pageInfo: {
      hasNextPage: rows.length > size,
      endCursor: feedEndCursor(
        page.map((p) => p.stamp),
        sent,
      ),
    },
  };
}

/** A top-level list: keyset paging, or with `changedSince` a pull of what changed since that cursor. */
export async function listConnection<R>(
  args: { first?: number | null; after?: string | null; changedSince?: string | null },
  fetch: (page: ListPage) => Promise<Listed<R>[]>,
  count: () => Promise<number>,
): Promise<Page<R>> {
  const size = pageSize(args.first);
  const since = parseChangedSince(args.changedSince);
  if (since !== undefined && args.after) throw badUserInput('after cannot be combined with changedSince', 'after');
  const rows = await fetch({ limit: size + 1, after: args.after ?? null, since });
  const page = since !== undefined && args.changedSince ? toFeedConnection(rows, size, args.changedSince) : toConnection(rows, size, keysetCursor);
  return withCount(page as Connection<R>, count);
}

/** The totalCount resolver of every connection type. */
export const counted = { totalCount: (c: { count: () => Promise<number> }) => c.count() };
