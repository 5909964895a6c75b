import type { DelinquencyBucket } from '@crm/events';
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { updateLoanBucket } from '../db/value.store.ts';

export interface DelinquencyBucketSignal {
  loanId: string;
  bucket: DelinquencyBucket;
  daysPastDue: number;
  asOf: string;
}

/**
 * The loan's days-past-due bucket caps the repayment record and feeds the credit-behaviour
 * segments; the newest as-of date wins (a late older run never overwrites it).
 */
export async function recordDelinquencyBucket(tx: Transaction<DB>, b: DelinquencyBucketSignal): Promise<void> {
  await updateLoanBucket(tx, b.loanId, b.bucket, b.daysPastDue, b.asOf);
}
