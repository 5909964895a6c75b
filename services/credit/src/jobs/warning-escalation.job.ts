import type { JobDefinition } from '@crm/service-kit';
import { escalateOverdueWarnings } from '../commands/escalate-overdue-warnings.ts';
import type { DB } from '../db/schema.ts';
import { escalationCutoff } from '../domain/warnings.ts';

/** Escalates risk warnings whose response deadline passed without action. Repeatable: an escalated warning stays so. */
export const warningEscalationJob: JobDefinition<DB> = {
  name: 'risk-warning-escalation',
  description: 'Escalates risk warnings that missed their response deadline',
  everyMs: 15 * 60 * 1000,
  async run({ db, asOf, now }) {
    const cutoff = escalationCutoff(asOf, now);
    return db.transaction().execute((tx) => escalateOverdueWarnings(tx, { cutoff }));
  },
};
