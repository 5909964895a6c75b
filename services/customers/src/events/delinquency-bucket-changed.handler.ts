import type { EventHandler } from '@crm/events';
import { recordDelinquencyBucket } from '../commands/record-delinquency-bucket.ts';
import type { DB } from '../db/schema.ts';

export const onDelinquencyBucketChanged: EventHandler<DB, 'DelinquencyBucketChanged'> = async (tx, event) => {
  const { loanId, bucket, daysPastDue, asOf } = event.data;
  await recordDelinquencyBucket(tx, { loanId, bucket, daysPastDue, asOf });
};
