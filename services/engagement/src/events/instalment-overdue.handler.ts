import type { EventHandler } from '@crm/events';
import { createPlannedTask } from '../commands/create-planned-task.ts';
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
};
