import type { EventHandler } from '@crm/events';
import { queueNotification } from '../commands/queue-notification.ts';
import type { DB } from '../db/schema.ts';

/**
 * An instalment falls due (credit emits InstalmentDue its product's reminder days ahead): a due
 * reminder is queued for the customer (once per instalment and due date; a redelivery queues nothing).
 */
export const onInstalmentDue: EventHandler<DB, 'InstalmentDue'> = async (tx, event) => {
  const d = event.data;
  await queueNotification(tx, {
    kind: 'DUE_REMINDER',
    customerId: d.customerId,
    loanId: d.loanId,
    params: { loanId: d.loanId, instalmentNumber: String(d.instalmentNumber), dueDate: d.dueDate, amountDue: d.amountDue, currency: d.currency },
    sourceEventId: event.id,
    at: new Date(event.time),
  });
};
