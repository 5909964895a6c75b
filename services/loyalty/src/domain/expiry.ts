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

/** Points that expire as of a date: what is left of the lots expiring on or before it. */
export function pointsToExpire(lots: readonly PointsLot[], totalDebited: number, asOf: Date): number {
  return remainingLots(lots, totalDebited)
    .filter(({ lot }) => lot.expiresAt !== null && lot.expiresAt.getTime() <= asOf.getTime())
    .reduce((sum, { remaining }) => sum + remaining, 0);
}

/** YYYY-MM-DD plus days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
