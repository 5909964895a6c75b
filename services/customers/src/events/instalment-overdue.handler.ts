import type { EventHandler } from '@crm/events';
import { recordInstalmentOverdue } from '../commands/record-instalment-overdue.ts';
import type { DB } from '../db/schema.ts';

export const onInstalmentOverdue: EventHandler<DB, 'InstalmentOverdue'> = async (tx, event) => {
  const { customerId, loanId, instalmentNumber, amountOverdue, asOf } = event.data;
  await recordInstalmentOverdue(tx, { customerId, loanId, instalmentNumber, amountOverdue, asOf });
};
