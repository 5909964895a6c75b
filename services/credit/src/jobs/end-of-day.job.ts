import type { JobDefinition } from '@crm/service-kit';
import { evaluateDelinquency } from '../commands/evaluate-delinquency.ts';
import type { DB } from '../db/schema.ts';

/**
 * The end-of-day delinquency run for an as-of date: days past due per instalment and loan,
 * bucket, penalties, risk class by the threshold table, the date's snapshot, and the warnings
 * the run can see. Events go out only for what changed, so a second run for a date emits none.
 */
export const endOfDayJob: JobDefinition<DB> = {
  name: 'end-of-day',
  description: 'Delinquency, penalties, risk classes and early warnings as of a date',
  everyMs: 60 * 60 * 1000,
  // loans looked at and events written are not changes of their own
  affected: ({ loansEvaluated: _evaluated, eventsEmitted: _events, ...changes }) => Object.values(changes).reduce((s, v) => s + v, 0),
  async run({ db, asOf, now }) {
    return db.transaction().execute((tx) => evaluateDelinquency(tx, { asOf, now }));
  },
};
