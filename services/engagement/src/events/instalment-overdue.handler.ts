import type { EventHandler } from '@crm/events';
import { createPlannedTask } from '../commands/create-planned-task.ts';
import { queueNotification } from '../commands/queue-notification.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import { findLoanOfficer, recordLoanDelinquency } from '../db/loan-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { bucketOfDaysPastDue, collectionTask } from '../domain/tasks.ts';

/** One collection reminder per loan and bucket for the relationship manager (else the loan officer). */
export const onInstalmentOverdue: EventHandler<DB, 'InstalmentOverdue'> = async (tx, event) => {
  const o = event.data;
  const bucket = bucketOfDaysPastDue(o.daysPastDue);
  await recordLoanDelinquency(tx, { loanId: o.loanId, customerId: o.customerId, bucket, daysPastDue: o.daysPastDue, at: new Date(event.time) });
  const assigneeId = (await findRelationshipManagerId(tx, o.customerId)) ?? (await findLoanOfficer(tx, o.loanId));
  const plan = collectionTask({ customerId: o.customerId, loanId: o.loanId, bucket, daysPastDue: o.daysPastDue, asOf: o.asOf, assigneeId });
  if (plan) await createPlannedTask(tx, plan, { sourceEventId: event.id });
  // and an overdue notice to the customer, once per instalment (issue 15)
  await queueNotification(tx, {
    kind: 'OVERDUE_NOTICE',
    customerId: o.customerId,
    loanId: o.loanId,
    params: {
      loanId: o.loanId,
      instalmentNumber: String(o.instalmentNumber),
      dueDate: o.dueDate,
      daysPastDue: String(o.daysPastDue),
      amountOverdue: o.amountOverdue,
      currency: o.currency,
    },
    sourceEventId: event.id,
    at: new Date(event.time),
  });
};
