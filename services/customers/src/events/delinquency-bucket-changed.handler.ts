import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { updateLoanBucket } from '../db/value.store.ts';

/** The loan's days-past-due bucket caps the repayment record and feeds the credit-behaviour segments. */
export const onDelinquencyBucketChanged: EventHandler<DB, 'DelinquencyBucketChanged'> = async (tx, event) => {
  const e = event.data;
  await updateLoanBucket(tx, e.loanId, e.bucket, e.daysPastDue, e.asOf);
};
