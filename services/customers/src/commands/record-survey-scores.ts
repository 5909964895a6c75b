import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

export interface SurveyScores {
  sourceEventId: string;
  /** The survey response (the same response under another event id adds nothing). */
  responseId: string;
  customerId: string;
  npsScore: number | null;
  csatScore: number | null;
  respondedOn: string;
}

/** NPS and CSAT answers feed the satisfaction component (one row per score per survey response). */
export async function recordSurveyScores(tx: Transaction<DB>, s: SurveyScores): Promise<void> {
  const base = { customer_id: s.customerId, kind: 'SURVEY', occurred_on: s.respondedOn } as const;
  if (s.npsScore !== null)
    await insertSignalOnce(tx, { ...base, event_id: `${s.sourceEventId}:nps`, business_key: `SURVEY:${s.responseId}:NPS`, label: 'NPS', score: s.npsScore });
  if (s.csatScore !== null)
    await insertSignalOnce(tx, {
      ...base,
      event_id: `${s.sourceEventId}:csat`,
      business_key: `SURVEY:${s.responseId}:CSAT`,
      label: 'CSAT',
      score: s.csatScore,
    });
}
