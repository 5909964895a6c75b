import type { Transaction } from 'kysely';
import { convertLeads } from '../db/lead.store.ts';
import type { DB } from '../db/schema.ts';
import { emitLeadStatusChanged } from './change-lead-status.ts';

/**
 * Conversion counted (in the handler's transaction): credit recorded a loan application
 * (LoanApplied) or a restructuring request (RestructuringRequested) of the customer; the
 * customer's leads it converts (domain/service-centre.ts convertsLead) become CONVERTED with what
 * they became, each with LeadStatusChanged (changedBy null). The inbox stops a redelivered event;
 * a lead converts once whatever comes later (it is no longer OPEN or CONTACTED). Returns how many.
 */
export async function convertLeadsOf(
  tx: Transaction<DB>,
  customerId: string,
  by: { kind: 'APPLICATION'; applicationId: string } | { kind: 'RESTRUCTURING'; restructuringId: string },
  at: Date,
): Promise<number> {
  const converted = await convertLeads(tx, customerId, by, at);
  for (const lead of converted) await emitLeadStatusChanged(tx, lead, lead.previous_status, null, at);
  return converted.length;
}
