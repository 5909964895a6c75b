import { badUserInput } from './errors.ts';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const MAX_PAGE_SIZE = 500;

/** Opaque cursor: base64url of the keyset values of the last row. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === arity && parsed.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return parsed;
    }
  } catch {
    // fall through
  }
  throw badUserInput('Malformed cursor', 'after');
}

/** Validates `first` (default 20, at most MAX_PAGE_SIZE). */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return n;
}

/**
 * Builds a connection from rows fetched with `limit size + 1` in keyset order: the extra row
 * only tells whether another page exists.
 */
export function toConnection<R, T = R>(
  rows: R[],
  size: number,
  cursorOf: (row: R) => (string | number)[],
  toNode: (row: R) => T = (row) => row as unknown as T,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: toNode(row) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/**
 * A connection whose `totalCount` is counted only when selected: resolvers return the page with a
 * `count` thunk (usually a DataLoader call, so one grouped count per field per request) and the
 * connection type's `totalCount` resolver calls it.
 */
export type CountedConnection<T> = Connection<T> & { count: () => Promise<number> };

/** Adds the lazy count to a connection. */
export function withCount<T>(connection: Connection<T>, count: () => Promise<number>): CountedConnection<T> {
  return { ...connection, count };
}
