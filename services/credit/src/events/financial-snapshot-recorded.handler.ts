import type { EventHandler } from '@crm/events';
import { raiseSnapshotWarnings } from '../commands/raise-snapshot-warnings.ts';
import type { DB } from '../db/schema.ts';

/**
 * Income-drop and score-drop early warnings for each active loan of the customer. A redelivery
 * or a second snapshot raises nothing new while the warning for that loan and rule is open.
 */
export const onFinancialSnapshotRecorded: EventHandler<DB, 'FinancialSnapshotRecorded'> = async (tx, event) => {
  const s = event.data;
  await raiseSnapshotWarnings(tx, {
    customerId: s.customerId,
    snapshotId: s.snapshotId,
    indicators: {
      incomeChangeRatio: s.incomeChangeRatio,
      monthlyIncome: s.monthlyIncome,
      previousMonthlyIncome: s.previousMonthlyIncome,
      externalCreditScore: s.externalCreditScore,
      previousExternalCreditScore: s.previousExternalCreditScore,
      asOf: s.asOf,
    },
    raisedAt: new Date(event.time),
  });
};
