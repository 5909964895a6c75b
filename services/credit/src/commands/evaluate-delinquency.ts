import { createEvent, type DomainEvent, type EventName, writeToOutbox } from '@crm/events';
import type { Transaction } from 'kysely';
import { recordPenaltyWaivers } from '../db/crisis.store.ts';
import { findBucketChanges, raiseRunWarnings, recordClassChanges, recordNotices, saveDelinquency, stageDelinquency } from '../db/end-of-day.store.ts';
import type { DB } from '../db/schema.ts';
import { delinquencyChangeEvents } from './reevaluate-delinquency.ts';

/**
 * The end-of-day delinquency run for an as-of date, in the caller's transaction: days past due
 * per instalment and loan, bucket, penalties, risk class by the threshold table (the rules are
 * `domain/delinquency.ts`, the set-wise SQL `db/end-of-day.store.ts`), the date's snapshot, and
 * the warnings the run can see. Events go out only for what changed, so a second run for a date
 * emits none. Returns the run's counts.
 */
export async function evaluateDelinquency(tx: Transaction<DB>, input: { asOf: string; now: Date }) {
  const { asOf, now } = input;
  const loansEvaluated = await stageDelinquency(tx, asOf);
  const buckets = await findBucketChanges(tx);
  const classes = await recordClassChanges(tx, asOf, now);
  // InstalmentDue its product's reminder days ahead (loan_product.due_reminder_days, issue 15)
  const notices = await recordNotices(tx, asOf);
  const warnings = await raiseRunWarnings(tx, asOf, now);
  // what crisis penalty waivers spared, per measure (issue 15)
  await recordPenaltyWaivers(tx, asOf);
  await saveDelinquency(tx, asOf);
  const events: DomainEvent<EventName>[] = [
    ...notices.due.map((n) =>
      createEvent('InstalmentDue', {
        subject: n.customer_id,
        time: now,
        data: { loanId: n.loan_id, customerId: n.customer_id, instalmentNumber: n.number, dueDate: n.due_date, amountDue: n.unpaid, currency: n.currency },
      }),
    ),
    ...notices.overdue.map((n) =>
      createEvent('InstalmentOverdue', {
        subject: n.customer_id,
        time: now,
        data: {
          loanId: n.loan_id,
          customerId: n.customer_id,
          instalmentNumber: n.number,
          dueDate: n.due_date,
          daysPastDue: n.dpd,
          amountOverdue: n.unpaid,
          currency: n.currency,
          asOf,
        },
      }),
    ),
    ...delinquencyChangeEvents(buckets, classes, asOf, now),
    ...warnings.map((w) =>
      createEvent('RiskWarningRaised', {
        subject: w.customer_id,
        time: now,
        data: {
          warningId: w.id,
          loanId: w.loan_id,
          customerId: w.customer_id,
          ruleCode: w.rule_code,
          severity: w.severity,
          indicators: w.indicators,
          officerId: w.officer_id,
          responseDueAt: new Date(w.response_due_at).toISOString(),
        },
      }),
    ),
  ];
  await writeToOutbox(tx, events);
  return {
    loansEvaluated,
    bucketChanges: buckets.length,
    riskClassChanges: classes.filter((c) => !c.overridden).length,
    overdueInstalments: notices.overdue.length,
    dueReminders: notices.due.length,
    warningsRaised: warnings.length,
    eventsEmitted: events.length,
  };
}
