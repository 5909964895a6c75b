import { type ChangeStamped, type Connection, changeCursorOf, feedEndCursor } from '@crm/service-kit';

/**
 * A `changedSince` page as a connection: rows fetched with `limit size + 1` in feed order; edge
 * cursors are change cursors, and `endCursor` is the one to pull from next (the cursor sent when
 * the page is empty). See @crm/service-kit change-feed.ts.
 */
export function toFeedConnection<R extends Partial<ChangeStamped>>(rows: R[], size: number, sent: string): Connection<R> {
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
