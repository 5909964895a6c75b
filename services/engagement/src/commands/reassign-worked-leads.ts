import { emitMany } from '@crm/events';
import type { Transaction } from 'kysely';
import { reassignWorkedLeads as reassign } from '../db/lead.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Leads follow the relationship manager, in the caller's transaction (RelationshipManagerAssigned):
 * the customer's OPEN or CONTACTED leads held by the previous manager (or by nobody) move to the new
 * one; leads handed to someone else stay. Each moved lead emits LeadReassigned.
 */
export async function reassignWorkedLeads(
  tx: Transaction<DB>,
  input: { customerId: string; previousManagerId: string | null; managerId: string; at: Date },
): Promise<number> {
  const moved = await reassign(tx, input.customerId, input.previousManagerId, input.managerId, input.at);
  await emitMany(
    tx,
    moved.map((l) => ({
      name: 'LeadReassigned' as const,
      subject: input.customerId,
      data: {
        leadId: l.id,
        customerId: input.customerId,
        kind: l.kind,
        previousOwnerId: l.previousOwnerId,
        ownerId: input.managerId,
        reason: 'RELATIONSHIP_MANAGER_CHANGED' as const,
        reassignedAt: input.at.toISOString(),
      },
    })),
    input.at,
  );
  return moved.length;
}
