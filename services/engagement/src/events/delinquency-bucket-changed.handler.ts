import type { EventHandler } from '@crm/events';
import { createPlannedTask } from '../commands/create-planned-task.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import { findLoanOfficer, recordLoanDelinquency } from '../db/loan-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { collectionTask } from '../domain/tasks.ts';

/** Keeps the loan's bucket (a churn signal); a delinquent bucket gets its collection reminder once. */
export const onDelinquencyBucketChanged: EventHandler<DB, 'DelinquencyBucketChanged'> = async (tx, event) => {
  const d = event.data;
  await recordLoanDelinquency(tx, { loanId: d.loanId, customerId: d.customerId, bucket: d.bucket, daysPastDue: d.daysPastDue, at: new Date(event.time) });
  const assigneeId = (await findRelationshipManagerId(tx, d.customerId)) ?? (await findLoanOfficer(tx, d.loanId));
  const plan = collectionTask({ customerId: d.customerId, loanId: d.loanId, bucket: d.bucket, daysPastDue: d.daysPastDue, asOf: d.asOf, assigneeId });
  if (plan) await createPlannedTask(tx, plan, { sourceEventId: event.id });
};
