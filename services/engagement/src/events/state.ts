import { defineStateProjection } from '@crm/events';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

const task = (d: { taskId: string }) => ({ TaskState: d.taskId });
const complaint = (d: { complaintId: string }) => ({ ComplaintState: d.complaintId });
const none = () => ({});

/**
 * The task and complaint state topics (crm.engagement.task.state.v1,
 * crm.engagement.complaint.state.v1): every engagement event that changes a task or a complaint
 * brings its full current state, read in the event's transaction (see @crm/events state.ts).
 * Free text (titles, descriptions, resolutions) stays in engagement.
 */
export const engagementState = defineStateProjection<DB, 'engagement'>({
  producer: 'engagement',
  changes: {
    InteractionLogged: none,
    TaskCreated: task,
    TaskCompleted: task,
    TaskStarted: task,
    TaskCancelled: task,
    TaskReassigned: task,
    TaskPriorityChanged: task,
    ComplaintReceived: complaint,
    ComplaintResolved: complaint,
    ComplaintStatusChanged: complaint,
    ComplaintEscalated: complaint,
    SurveyDispatched: none,
    SurveyResponded: none,
    ChurnRiskChanged: none,
    // issue 15: notifications have no state topic (their event carries the status); visits and reschedules change a task
    NotificationStatusChanged: none,
    TaskRescheduled: task,
    VisitOutcomeRecorded: task,
    // the cadence table is configuration carried whole by its event (credit's replica)
    MonitoringCadenceChanged: none,
    // enquiries, leads and consultations have no state topic (yet): their events carry what others need
    EnquiryReceived: none,
    EnquiryAnswered: none,
    LeadCreated: none,
    LeadStatusChanged: none,
    LeadReassigned: none,
    ConsultationRequested: none,
    ConsultationAnswered: none,
    ConsultationCancelled: none,
    // next-best offers have no state topic (their events carry the offer); a retention outcome changes the task
    TaskOutcomeRecorded: task,
    OfferMade: none,
    OfferOutcomeRecorded: none,
    OfferWithdrawn: none,
  },
  load: { TaskState: taskStates, ComplaintState: complaintStates },
});

const instant = (d: Date | null) => (d ? d.toISOString() : null);

async function taskStates(tx: Kysely<DB>, ids: readonly string[]) {
  const rows = await tx
    .selectFrom('task')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  return new Map(
    rows.map((t) => [
      t.id,
      {
        taskId: t.id,
        customerId: t.customer_id,
        loanId: t.loan_id,
        type: t.type,
        priority: t.priority,
        status: t.status,
        assigneeId: t.assignee_id,
        dueAt: t.due_at.toISOString(),
        createdAt: t.created_at.toISOString(),
        startedAt: instant(t.started_at),
        completedAt: instant(t.completed_at),
        cancelledAt: instant(t.cancelled_at),
        outcome: t.outcome ?? null,
      },
    ]),
  );
}

async function complaintStates(tx: Kysely<DB>, ids: readonly string[]) {
  const rows = await tx
    .selectFrom('complaint')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  return new Map(
    rows.map((c) => [
      c.id,
      {
        complaintId: c.id,
        customerId: c.customer_id,
        kind: c.kind,
        category: c.category,
        severity: c.severity,
        channel: c.channel,
        status: c.status,
        assigneeId: c.assignee_id,
        receivedAt: c.received_at.toISOString(),
        acknowledgeDueAt: c.acknowledge_due_at.toISOString(),
        resolveDueAt: c.resolve_due_at.toISOString(),
        acknowledgedAt: instant(c.acknowledged_at),
        resolvedAt: instant(c.resolved_at),
        closedAt: instant(c.closed_at),
        reopenedCount: c.reopened_count,
        compensation: c.compensation === null ? null : String(c.compensation),
        currency: c.currency,
      },
    ]),
  );
}
