import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

export interface SurveyScores {
  sourceEventId: string;
  customerId: string;
  npsScore: number | null;
  csatScore: number | null;
  respondedOn: string;
}

/** NPS and CSAT answers feed the satisfaction component (one row per score per event). */
export async function recordSurveyScores(tx: Transaction<DB>, s: SurveyScores): Promise<void> {
  const base = { customer_id: s.customerId, kind: 'SURVEY', occurred_on: s.respondedOn } as const;
  if (s.npsScore !== null) await insertSignalOnce(tx, { ...base, event_id: `${s.sourceEventId}:nps`, label: 'NPS', score: s.npsScore });
  if (s.csatScore !== null) await insertSignalOnce(tx, { ...base, event_id: `${s.sourceEventId}:csat`, label: 'CSAT', score: s.csatScore });
}
