import type { EventHandler } from '@crm/events';
import { reverseRepaymentPoints } from '../commands/reverse-repayment-points.ts';
import type { DB } from '../db/schema.ts';
import { instalmentRef } from './instalment-paid.handler.ts';

/** A reversed repayment takes back the points its instalments earned (capped at the balance). */
export const onRepaymentReversed: EventHandler<DB, 'RepaymentReversed'> = async (tx, event) => {
  const { customerId, loanId, instalmentNumbers } = event.data;
  await reverseRepaymentPoints(tx, {
    customerId,
    sourceRefs: instalmentNumbers.map((n) => instalmentRef(loanId, n)),
    at: new Date(event.time),
    sourceEventId: event.id,
  });
};
