import {
  badUserInput,
  type Connection,
  keysetCursor,
  type Listed,
  type ListPage,
  pageSize,
  parseChangedSince,
  toConnection,
  toFeedConnection,
  withCount,
} from '@crm/service-kit';
import type { Page } from '../db/paging.ts';

/**
 * How credit's top-level lists turn store rows into connections (issue 12), with `changedSince`
 * (incremental sync, @crm/service-kit change-feed.ts). Nested connections use the kit's
 * `nestedConnection` (nested-paging.ts). totalCount is a thunk the connection type's resolver
 * (`countedConnection`) calls only when it is selected.
 */

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
