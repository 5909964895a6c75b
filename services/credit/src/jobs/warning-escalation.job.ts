import { createEvent, writeToOutbox } from '@crm/events';
import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';
import { escalateOverdueWarnings } from '../db/warning.store.ts';
import { escalationCutoff } from '../domain/warnings.ts';

/** Escalates risk warnings whose response deadline passed without action. Repeatable: an escalated warning stays so. */
export const warningEscalationJob: JobDefinition<DB> = {
  name: 'risk-warning-escalation',
  description: 'Escalates risk warnings that missed their response deadline',
  everyMs: 15 * 60 * 1000,
  async run({ db, asOf, now }) {
    const cutoff = escalationCutoff(asOf, now);
    return db.transaction().execute(async (tx) => {
      const escalated = await escalateOverdueWarnings(tx, cutoff);
      await writeToOutbox(
        tx,
        escalated.map((w) =>
          createEvent('RiskWarningEscalated', {
            subject: w.customer_id,
            time: cutoff,
            data: {
              warningId: w.id,
              loanId: w.loan_id,
              customerId: w.customer_id,
              ruleCode: w.rule_code,
              severity: w.severity,
              officerId: w.officer_id,
              escalatedAt: cutoff.toISOString(),
            },
          }),
        ),
      );
      return { escalated: escalated.length };
    });
  },
};
