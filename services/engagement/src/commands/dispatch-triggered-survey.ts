import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DB, SurveyDispatchRow } from '../db/schema.ts';
import { dispatchTriggeredSurvey as insertTriggeredDispatch } from '../db/survey.store.ts';
import type { SurveyTrigger } from '../domain/types.ts';

/**
 * A triggered survey (after disbursement, after a complaint's resolution) in the caller's
 * transaction: the newest active survey with that trigger, once per source (`sourceKey`); null
 * when there is no such survey or it was dispatched already.
 */
export function dispatchTriggeredSurvey(
  tx: Transaction<DB>,
  input: { trigger: SurveyTrigger; customerId: string; sourceKey: string; at: Date },
): Promise<SurveyDispatchRow | null> {
  return insertTriggeredDispatch(tx, { id: uuidv7(), ...input });
}
