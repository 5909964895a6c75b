import { emit } from '@crm/events';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DB, SurveyDispatchRow } from '../db/schema.ts';
import { dispatchTriggeredSurvey as insertTriggeredDispatch } from '../db/survey.store.ts';
import type { SurveyTrigger } from '../domain/types.ts';

/**
 * A triggered survey (after disbursement, after a complaint's resolution) in the caller's
 * transaction: the newest active survey with that trigger, once per source (`sourceKey`); null
 * when there is no such survey or it was dispatched already. A new dispatch emits SurveyDispatched.
 */
export async function dispatchTriggeredSurvey(
  tx: Transaction<DB>,
  input: { trigger: SurveyTrigger; customerId: string; sourceKey: string; at: Date },
): Promise<SurveyDispatchRow | null> {
  const d = await insertTriggeredDispatch(tx, { id: uuidv7(), ...input });
  if (d) {
    await emit(tx, 'SurveyDispatched', {
      subject: d.customer_id,
      time: d.dispatched_at,
      data: {
        dispatchId: d.id,
        surveyId: d.survey_id,
        customerId: d.customer_id,
        trigger: d.trigger,
        dispatchedBy: d.dispatched_by,
        dispatchedAt: d.dispatched_at.toISOString(),
      },
    });
  }
  return d;
}
