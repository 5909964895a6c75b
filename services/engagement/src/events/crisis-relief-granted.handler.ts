import type { EventHandler } from '@crm/events';
import { queueNotification } from '../commands/queue-notification.ts';
import type { DB } from '../db/schema.ts';
import { crisisReliefText } from '../domain/crisis-relief.ts';

/**
 * A loan got relief under a crisis measure (credit's CrisisReliefGranted): the customer is told
 * with a CRISIS_RELIEF notice (once per measure and loan; a redelivery queues nothing).
 */
export const onCrisisReliefGranted: EventHandler<DB, 'CrisisReliefGranted'> = async (tx, event) => {
  const r = event.data;
  await queueNotification(tx, {
    kind: 'CRISIS_RELIEF',
    customerId: r.customerId,
    loanId: r.loanId,
    params: { measureId: r.measureId, loanId: r.loanId, measureName: r.name, relief: crisisReliefText(r) },
    sourceEventId: event.id,
    at: new Date(event.time),
  });
};
