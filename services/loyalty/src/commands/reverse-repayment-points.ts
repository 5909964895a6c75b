import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { lockAccountOfCustomer, SYSTEM_SCOPE } from '../db/account.store.ts';
import { appendReversalOnce, findUnreversedEarnings } from '../db/ledger.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Takes back the points the given instalments earned (one REVERSE entry per earning, naming it as
 * source, so a reversal never happens twice), in the caller's transaction. Points already spent
 * cannot be taken back: the reversal is capped at the balance, which never goes below zero.
 */
export async function reverseRepaymentPoints(tx: Kysely<DB>, r: { customerId: string; sourceRefs: string[]; at: Date }): Promise<number> {
  const account = await lockAccountOfCustomer(tx, SYSTEM_SCOPE, r.customerId);
  if (!account) return 0;
  const earnings = await findUnreversedEarnings(tx, account.id, 'ON_TIME_INSTALMENT', r.sourceRefs);
  let balance = account.balance;
  for (const earning of earnings) {
    const points = Math.min(earning.points, balance);
    if (points <= 0) break;
    const reversed = await appendReversalOnce(tx, {
      id: uuidv7(),
      account_id: account.id,
      kind: 'REVERSE',
      points: -points,
      reason: 'Repayment reversed',
      source_id: earning.id,
      rule_code: earning.rule_code,
      created_at: r.at,
      expires_at: null,
    });
    if (reversed) balance -= points;
  }
  return account.balance - balance;
}
