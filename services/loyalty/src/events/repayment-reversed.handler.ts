import type { EventHandler } from '@crm/events';
import { v7 as uuidv7 } from 'uuid';
import { lockAccountOfCustomer, SYSTEM_SCOPE } from '../db/account.store.ts';
import { appendReversalOnce, findUnreversedEarnings } from '../db/ledger.store.ts';
import type { DB } from '../db/schema.ts';
import { instalmentRef } from './instalment-paid.handler.ts';

/**
 * A reversed repayment takes back the points its instalments earned (one REVERSE entry per
 * earning, naming it as source, so a reversal never happens twice). Points already spent cannot be
 * taken back: the reversal is capped at the balance, which never goes below zero.
 */
export const onRepaymentReversed: EventHandler<DB, 'RepaymentReversed'> = async (tx, event) => {
  const { customerId, loanId, instalmentNumbers } = event.data;
  const account = await lockAccountOfCustomer(tx, SYSTEM_SCOPE, customerId);
  if (!account) return;
  const earnings = await findUnreversedEarnings(
    tx,
    account.id,
    'ON_TIME_INSTALMENT',
    instalmentNumbers.map((n) => instalmentRef(loanId, n)),
  );
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
      created_at: new Date(event.time),
      expires_at: null,
    });
    if (reversed) balance -= points;
  }
};
