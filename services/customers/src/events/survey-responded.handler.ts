import type { EventHandler } from '@crm/events';
import { recordSurveyScores } from '../commands/record-survey-scores.ts';
import type { DB } from '../db/schema.ts';

export const onSurveyResponded: EventHandler<DB, 'SurveyResponded'> = async (tx, event) => {
  const { responseId, customerId, npsScore, csatScore, respondedAt } = event.data;
  await recordSurveyScores(tx, { sourceEventId: event.id, responseId, customerId, npsScore, csatScore, respondedOn: respondedAt.slice(0, 10) });
};
