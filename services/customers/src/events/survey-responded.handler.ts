import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/** NPS and CSAT answers feed the satisfaction component (one row per score per event). */
export const onSurveyResponded: EventHandler<DB, 'SurveyResponded'> = async (tx, event) => {
  const e = event.data;
  const on = e.respondedAt.slice(0, 10);
  if (e.npsScore !== null)
    await insertSignalOnce(tx, { event_id: `${event.id}:nps`, customer_id: e.customerId, kind: 'SURVEY', label: 'NPS', score: e.npsScore, occurred_on: on });
  if (e.csatScore !== null)
    await insertSignalOnce(tx, { event_id: `${event.id}:csat`, customer_id: e.customerId, kind: 'SURVEY', label: 'CSAT', score: e.csatScore, occurred_on: on });
};
