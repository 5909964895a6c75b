import { emit } from '@crm/events';
import { findIdempotentReplay, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ReceiveComplaintInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findComplaintIdByIdempotencyKey, findComplaintSla, insertComplaint, insertComplaintHistory } from '../db/complaint.store.ts';
import { findCustomerReplica } from '../db/customer-replica.store.ts';
import type { ComplaintRow, DB } from '../db/schema.ts';
import { findServiceLevelOf } from '../db/service-level.store.ts';
import { type NewComplaint, slaDeadlines, validateNewComplaint } from '../domain/complaints.ts';
import { scaleComplaintSla } from '../domain/service-levels.ts';
import { replayed } from './replayed.ts';

export type ComplaintResult = { complaint: ComplaintRow | null; userErrors: UserError[] };

/** Records a complaint, suggestion or praise of a customer in the caller's scope; its SLA clock starts. Emits ComplaintReceived. */
export async function receiveComplaint(ctx: EngagementContext, input: ReceiveComplaintInput): Promise<ComplaintResult> {
  const identity = requireIdentity(ctx);
  const now = ctx.now();
  const result = validateNewComplaint(input, now);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const customer = result.ok ? await findCustomerReplica(ctx.db, ctx.scope, result.value.customerId) : undefined;
  const id = uuidv7();
  const done = await runCommand(
    ctx,
    { action: 'receiveComplaint', entityType: 'Complaint', entityId: id },
    async (tx, audit): Promise<{ id: string | null; userErrors: UserError[] }> => {
      // the replay check in the writing transaction: a second identical request waits, then replays
      const replay = await findIdempotentReplay(tx, 'complaint', input.idempotencyKey, (key) => findComplaintIdByIdempotencyKey(tx, key));
      if (replay) return replayed(audit, replay);
      if (!result.ok) return { id: null, userErrors: result.errors };
      const c = result.value;
      if (!customer) return { id: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${c.customerId}` }] };
      await recordReceivedComplaint(tx, c, { id, receivedBy: identity.userId, idempotencyKey: input.idempotencyKey ?? null, now });
      // the description is free text: it stays out of the audit record
      audit.changes(null, { customerId: c.customerId, kind: c.kind, category: c.category, severity: c.severity, status: 'RECEIVED', assigneeId: c.assigneeId });
      return { id, userErrors: [] };
    },
  );
  if (!done.id) return { complaint: null, userErrors: done.userErrors };
  return { complaint: await ctx.loaders.complaint.load(done.id), userErrors: [] };
}

/**
 * Writes a received complaint in the caller's transaction: its SLA deadlines from the severity's
 * service level, the first status of its history, and ComplaintReceived. Used by receiveComplaint
 * and by openLeadComplaint (a COMPLAINT lead of the service centre), so both follow the same rules.
 */
export async function recordReceivedComplaint(
  tx: Transaction<DB>,
  c: NewComplaint,
  by: { id: string; receivedBy: string; idempotencyKey: string | null; now: Date },
): Promise<void> {
  const { id, now } = by;
  const sla = await findComplaintSla(tx, c.severity);
  // the customer's service level (grade, special care) keeps its share of the severity's SLA
  const level = await findServiceLevelOf(tx, c.customerId);
  const due = slaDeadlines(
    c.receivedAt,
    scaleComplaintSla({ acknowledgeHours: sla.acknowledge_hours, resolveDays: sla.resolve_days }, level.complaintSlaPercent),
  );
  await insertComplaint(tx, {
    id,
    customer_id: c.customerId,
    kind: c.kind,
    category: c.category,
    severity: c.severity,
    channel: c.channel,
    description: c.description,
    status: 'RECEIVED',
    received_at: c.receivedAt,
    received_by: by.receivedBy,
    assignee_id: c.assigneeId,
    acknowledge_due_at: due.acknowledgeDueAt,
    resolve_due_at: due.resolveDueAt,
    acknowledged_at: null,
    resolved_at: null,
    closed_at: null,
    resolution: null,
    compensation: null,
    currency: null,
    acknowledge_escalated_at: null,
    resolve_escalated_at: null,
    idempotency_key: by.idempotencyKey,
    updated_at: now,
  });
  await insertComplaintHistory(tx, {
    id: uuidv7(),
    complaint_id: id,
    from_status: null,
    to_status: 'RECEIVED',
    note: null,
    changed_by: by.receivedBy,
    changed_at: now,
  });
  await emit(tx, 'ComplaintReceived', {
    subject: c.customerId,
    time: now,
    data: {
      complaintId: id,
      customerId: c.customerId,
      kind: c.kind,
      category: c.category,
      severity: c.severity,
      channel: c.channel,
      receivedAt: c.receivedAt.toISOString(),
    },
  });
}
