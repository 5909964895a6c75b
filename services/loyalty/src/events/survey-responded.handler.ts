import type { EventHandler } from '@crm/events';
import { accountOfCustomer, earnPoints } from '../commands/earn-points.ts';
import type { DB } from '../db/schema.ts';

/** A completed survey earns (rule SURVEY_COMPLETED), once per response. */
export const onSurveyResponded: EventHandler<DB, 'SurveyResponded'> = async (tx, event, { db }) => {
  const { customerId, responseId } = event.data;
  const account = await accountOfCustomer(tx, customerId, new Date(event.time), db);
  await earnPoints(tx, {
    account,
    ruleCode: 'SURVEY_COMPLETED',
    amount: null,
    sourceEventId: event.id,
    sourceRef: `survey-response:${responseId}`,
    at: new Date(event.time),
    programme: db,
  });
};
