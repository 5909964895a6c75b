import type { JobDefinition } from '@crm/service-kit';
import { generateCareGreetings } from '../commands/generate-care-greetings.ts';
import type { DB } from '../db/schema.ts';

/**
 * Birthday and holiday greetings of the as-of date for customers who consent to care contact,
 * set-wise; repeatable (one greeting per customer and occasion; a rerun after a withdrawal
 * cancels the pending greeting).
 */
export const careGreetingsJob: JobDefinition<DB> = {
  name: 'care-greetings',
  description: 'Generates birthday and holiday greetings for consenting customers',
  everyMs: 60 * 60_000,
  async run({ db, asOf, now }) {
    return db.transaction().execute((tx) => generateCareGreetings(tx, { date: asOf, now }));
  },
};
