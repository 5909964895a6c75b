import { emit } from '@crm/events';
import { addDays, endOfDate, type JobDefinition } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { findSettings } from '../db/account.store.ts';
import { appendEntriesOnce, balancesOf, findExpiredPoints, lockMembersWithExpiredPoints, recordExpiryWarnings } from '../db/ledger.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Expires, as of a date, what is left of lots whose expiry falls on or before it (oldest lots are
 * consumed first), one EXPIRE entry per account named `expiry:<date>`; then warns members whose
 * points expire within the warning period. Set-wise, and repeatable: a rerun for the same date
 * finds nothing left to expire and no one new to warn.
 */
export const pointsExpiryJob: JobDefinition<DB> = {
  name: 'points-expiry',
  description: 'Expire points past their validity (oldest first) and warn members before points expire',
  everyMs: 6 * 60 * 60_000,
  // points expired are an amount, not rows
  affected: (counts) => (counts.accountsExpired ?? 0) + (counts.warned ?? 0),
  run: ({ db, asOf }) =>
    db.transaction().execute(async (tx) => {
      const settings = await findSettings(tx);
      const cutoff = endOfDate(asOf);
      // Lock the members concerned first, then read: a redemption committed meanwhile is counted.
      await lockMembersWithExpiredPoints(tx, cutoff);
      const due = await findExpiredPoints(tx, cutoff);
      const customerOf = new Map(due.map((d) => [d.account_id, d.customer_id]));
      const appended = await appendEntriesOnce(
        tx,
        due.map((d) => ({
          id: uuidv7(),
          account_id: d.account_id,
          kind: 'EXPIRE' as const,
          points: -d.points,
          reason: 'Points expired',
          source_id: `expiry:${asOf}`,
          created_at: new Date(cutoff.getTime() - 1),
          expires_at: null,
        })),
      );
      const balances = await balancesOf(
        tx,
        appended.map((a) => a.account_id),
      );
      for (const a of appended) {
        const customerId = customerOf.get(a.account_id) ?? '';
        await emit(tx, 'PointsExpired', {
          subject: customerId,
          data: { accountId: a.account_id, customerId, entryId: a.id, points: -a.points, balance: balances.get(a.account_id) ?? 0, asOf },
        });
      }

      const warnUntil = endOfDate(addDays(asOf, settings.expiry_warning_days));
      const warnings = settings.expiry_warning_days > 0 ? await recordExpiryWarnings(tx, cutoff, warnUntil, asOf) : [];
      for (const w of warnings) {
        await emit(tx, 'PointsExpiring', {
          subject: w.customer_id,
          data: { accountId: w.account_id, customerId: w.customer_id, points: w.points, expiresOn: w.expires_on },
        });
      }
      return { accountsExpired: appended.length, pointsExpired: appended.reduce((s, a) => s - a.points, 0), warned: warnings.length };
    }),
};
