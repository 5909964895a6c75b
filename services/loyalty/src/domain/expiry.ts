/** A credit lot of the ledger: points earned (or credited) at a time, expiring at another; net of reversals of that very lot. */
export interface PointsLot {
  id: string;
  points: number;
  createdAt: Date;
  expiresAt: Date | null;
}

/**
 * FIFO consumption: debits (redemptions, expiries, negative adjustments and reversals, less
 * refunds) consume the oldest lots first. Returns each lot's remaining points, oldest first.
 * The SQL of the expiry job (`ledger.store.ts#lotRemainders`) computes the same with a window sum.
 */
export function remainingLots(lots: readonly PointsLot[], totalDebited: number): { lot: PointsLot; remaining: number }[] {
  const ordered = [...lots].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let cumulative = 0;
  return ordered.map((lot) => {
    cumulative += lot.points;
    return { lot, remaining: Math.max(0, Math.min(lot.points, cumulative - totalDebited)) };
  });
}

/** Points that expire by a cut-off (exclusive; the end of the as-of date): what is left of the lots expiring before it. */
export function pointsToExpire(lots: readonly PointsLot[], totalDebited: number, cutoff: Date): number {
  return remainingLots(lots, totalDebited)
    .filter(({ lot }) => lot.expiresAt !== null && lot.expiresAt.getTime() < cutoff.getTime())
    .reduce((sum, { remaining }) => sum + remaining, 0);
}

export type PointsEntryKind = 'EARN' | 'REDEEM' | 'EXPIRE' | 'ADJUST' | 'REVERSE';

/** The entries that open a lot when positive: earned points and credits by hand. */
export const LOT_KINDS: readonly PointsEntryKind[] = ['EARN', 'ADJUST'];

/** One entry of an account's ledger, as the expiry reads it. */
export interface LedgerEntry {
  id: string;
  kind: PointsEntryKind;
  points: number;
  /** Set on entries an earning rule produced; a negative REVERSE with a rule undoes the lot named by `sourceId`. */
  ruleCode: string | null;
  sourceId: string;
  createdAt: Date;
  expiresAt: Date | null;
}

/** Whether an entry takes back (part of) a lot: a negative reversal of a rule's earning, netted from that lot rather than debited. */
export const reversesLot = (e: Pick<LedgerEntry, 'kind' | 'points' | 'ruleCode'>): boolean => e.kind === 'REVERSE' && e.points < 0 && e.ruleCode !== null;

/**
 * An account's ledger as lots and the total debited: lots are the positive EARN and ADJUST
 * entries net of their reversals; debits are the other negative entries, less refunds (positive
 * reversals).
 */
export function lotsOfLedger(entries: readonly LedgerEntry[]): { lots: PointsLot[]; totalDebited: number } {
  const reversed = new Map<string, number>();
  let totalDebited = 0;
  for (const e of entries) {
    if (reversesLot(e)) reversed.set(e.sourceId, (reversed.get(e.sourceId) ?? 0) + e.points);
    else if (e.points < 0) totalDebited -= e.points;
    else if (e.kind === 'REVERSE') totalDebited -= e.points;
  }
  const lots = entries
    .filter((e) => LOT_KINDS.includes(e.kind) && e.points > 0)
    .map((e) => ({ id: e.id, points: e.points + (reversed.get(e.id) ?? 0), createdAt: e.createdAt, expiresAt: e.expiresAt }));
  return { lots, totalDebited };
}

/**
 * The points of an account's ledger that expire by `cutoff` (exclusive), oldest lots consumed
 * first. The expiry job's SQL (`ledger.store.ts#findExpiredPoints`) computes the same set-wise and
 * is tested against this function over generated ledgers.
 */
export function expiredPointsOf(entries: readonly LedgerEntry[], cutoff: Date): number {
  const { lots, totalDebited } = lotsOfLedger(entries);
  return pointsToExpire(lots, totalDebited, cutoff);
}
