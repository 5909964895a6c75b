import type { EventHandler } from '@crm/events';
import { accountOfCustomer, earnPoints } from '../commands/earn-points.ts';
import type { DB } from '../db/schema.ts';

/** An instalment paid on time earns (rule ON_TIME_INSTALMENT, proportional to the amount paid); a late one earns nothing. */
export const onInstalmentPaid: EventHandler<DB, 'InstalmentPaid'> = async (tx, event, { db }) => {
  const { customerId, loanId, instalmentNumber, amountPaid, onTime } = event.data;
  if (!onTime) return;
  const account = await accountOfCustomer(tx, customerId, new Date(event.time), db);
  await earnPoints(tx, {
    account,
    ruleCode: 'ON_TIME_INSTALMENT',
    amount: amountPaid,
    sourceEventId: event.id,
    sourceRef: instalmentRef(loanId, instalmentNumber),
    at: new Date(event.time),
    programme: db,
  });
};

/** The business key an instalment earns once for. */
export const instalmentRef = (loanId: string, instalmentNumber: number) => `${loanId}#${instalmentNumber}`;
