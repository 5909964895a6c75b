import { badUserInput, type Connection, type PageWindow, pageSize, parseChangedSince, toConnection, toFeedConnection, withCount } from '@crm/service-kit';
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
