import {
  badUserInput,
  type ChangePosition,
  type ChangeStamped,
  type Connection,
  pageSize,
  parseChangedSince,
  toConnection,
  toFeedConnection,
} from '@crm/service-kit';
import type { ListPage } from '../db/filters.ts';

/**
 * The arguments of a top-level list: `first`, `after` and `changedSince` (see @crm/service-kit
 * change-feed.ts). Malformed cursors and `after` with `changedSince` are BAD_USER_INPUT.
 */
export function listArgs(args: { first?: number | null; after?: string | null; changedSince?: string | null }): {
  size: number;
  page: ListPage;
  since: ChangePosition | null | undefined;
} {
  const size = pageSize(args.first);
  const since = parseChangedSince(args.changedSince);
  if (since !== undefined && args.after) throw badUserInput('after cannot be combined with changedSince', 'after');
  return { size, since, page: { limit: size + 1, after: args.after ?? null, since } };
}

/**
 * One page of a top-level list as a connection: in keyset order with `cursorOf`, or in a
 * `changedSince` pull with change cursors, `endCursor` being the cursor to pull from next (the one
 * sent when the page is empty).
 */
export function listConnection<R extends Partial<ChangeStamped>>(
  rows: R[],
  size: number,
  changedSince: string | null | undefined,
  cursorOf: (row: R) => (string | number)[],
): Connection<R> {
  if (changedSince === undefined || changedSince === null) return toConnection(rows, size, cursorOf);
  return toFeedConnection(rows, size, changedSince);
}
