import type { Transaction } from 'kysely';
import { generateGreetings } from '../db/care.store.ts';
import type { DB } from '../db/schema.ts';
import { birthdayKeysOn } from '../domain/care.ts';
import { CARE_CONSENT_PURPOSE } from '../domain/consent.ts';

/**
 * Birthday and holiday greetings of a date for customers who consent to care contact, set-wise
 * and repeatable, in the caller's transaction.
 */
export function generateCareGreetings(tx: Transaction<DB>, input: { date: string; now: Date }) {
  return generateGreetings(tx, { date: input.date, birthdayKeys: birthdayKeysOn(input.date), consentPurpose: CARE_CONSENT_PURPOSE, at: input.now });
}
