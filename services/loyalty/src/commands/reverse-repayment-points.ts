import { emit } from '@crm/events';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { lockAccountOfCustomer, SYSTEM_SCOPE } from '../db/account.store.ts';
import { appendReversalOnce, findUnreversedEarnings } from '../db/ledger.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Takes back the points the given instalments earned (one REVERSE entry per earning, naming it as
 * source, so a reversal never happens twice), in the caller's transaction. Points already spent
 * cannot be taken back: the reversal is capped at the balance, which never goes below zero. Each
 * entry emits PointsDeducted, so a mirrored balance follows.
 */
export async function reverseRepaymentPoints(
  tx: Kysely<DB>,
  r: { customerId: string; sourceRefs: string[]; at: Date; sourceEventId?: string | null },
): Promise<number> {
  const account = await lockAccountOfCustomer(tx, SYSTEM_SCOPE, r.customerId);
  if (!account) return 0;
  const earnings = await findUnreversedEarnings(tx, account.id, 'ON_TIME_INSTALMENT', r.sourceRefs);
  let balance = account.balance;
  for (const earning of earnings) {
    const points = Math.min(earning.points, balance);
    if (points <= 0) break;
    const entryId = uuidv7();
    const reversed = await appendReversalOnce(tx, {
      id: entryId,
      account_id: account.id,
      kind: 'REVERSE',
      points: -points,
      reason: 'Repayment reversed',
      source_id: earning.id,
      rule_code: earning.rule_code,
      created_at: r.at,
      expires_at: null,
    });
    if (!reversed) continue;
    balance -= points;
    await emit(tx, 'PointsDeducted', {
      subject: account.customer_id,
      time: r.at,
      data: {
        accountId: account.id,
        customerId: account.customer_id,
        entryId,
        points,
        reason: 'REPAYMENT_REVERSED',
        sourceEventId: r.sourceEventId ?? null,
        balance,
      },
    });
  }
  return account.balance - balance;
}
