import { createEvent, writeToOutbox } from '@crm/events';
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { escalateOverdueWarnings as escalateInStore } from '../db/warning.store.ts';

/**
 * Escalates, in the caller's transaction, the OPEN and ACKNOWLEDGED risk warnings whose response
 * deadline passed by `cutoff` (an escalated warning stays so: repeatable), with one
 * RiskWarningEscalated each.
 */
export async function escalateOverdueWarnings(tx: Transaction<DB>, input: { cutoff: Date }): Promise<{ escalated: number }> {
  const { cutoff } = input;
  const escalated = await escalateInStore(tx, cutoff);
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
}
