import { z } from 'zod';
import { define, f } from './define.ts';

export const churnRiskLevel = z.enum(['LOW', 'MEDIUM', 'HIGH']);
export const complaintStatus = z.enum(['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REOPENED']);

/** Events produced by the engagement service (topic crm.engagement.v1). */
export const engagementEvents = {
  InteractionLogged: define(
    'engagement',
    'InteractionLogged',
    'A contact with a customer was recorded.',
    z.object({
      interactionId: f.id,
      customerId: f.id,
      channel: z.string(),
      direction: z.enum(['INBOUND', 'OUTBOUND']),
      purpose: z.string(),
      staffId: f.id,
      occurredAt: f.instant,
    }),
  ),
  TaskCreated: define(
    'engagement',
    'TaskCreated',
    'A task was created for a staff member, by hand or in reaction to an event.',
    z.object({
      taskId: f.id,
      customerId: f.id,
      type: z.string(),
      assigneeId: f.id.nullable(),
      priority: z.enum(['LOW', 'NORMAL', 'HIGH', 'URGENT']),
      dueAt: f.instant,
      sourceEventId: f.id.nullable(),
    }),
  ),
  TaskCompleted: define(
    'engagement',
    'TaskCompleted',
    'A task was done, possibly with the interaction that completed it.',
    z.object({ taskId: f.id, customerId: f.id, type: z.string(), completedBy: f.id, interactionId: f.id.nullable(), completedAt: f.instant }),
  ),
  TaskStarted: define(
    'engagement',
    'TaskStarted',
    'Work on a task began (it is IN_PROGRESS).',
    z.object({ taskId: f.id, customerId: f.id, type: z.string(), assigneeId: f.id.nullable(), startedBy: f.id, startedAt: f.instant }),
  ),
  TaskCancelled: define(
    'engagement',
    'TaskCancelled',
    'A task was cancelled before it was done (the free-text reason stays in engagement).',
    z.object({ taskId: f.id, customerId: f.id, type: z.string(), previousStatus: z.enum(['OPEN', 'IN_PROGRESS']), cancelledBy: f.id, cancelledAt: f.instant }),
  ),
  TaskReassigned: define(
    'engagement',
    'TaskReassigned',
    "An open task moved to another staff member (today: it follows the customer's new relationship manager).",
    z.object({
      taskId: f.id,
      customerId: f.id,
      type: z.string(),
      previousAssigneeId: f.id.nullable(),
      assigneeId: f.id,
      reason: z.enum(['RELATIONSHIP_MANAGER_CHANGED']),
      reassignedAt: f.instant,
    }),
  ),
  ComplaintReceived: define(
    'engagement',
    'ComplaintReceived',
    'A complaint, suggestion or praise was received.',
    z.object({
      complaintId: f.id,
      customerId: f.id,
      kind: z.enum(['COMPLAINT', 'SUGGESTION', 'PRAISE']),
      category: z.string(),
      severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
      channel: z.string(),
      receivedAt: f.instant,
    }),
  ),
  ComplaintResolved: define(
    'engagement',
    'ComplaintResolved',
    'A complaint was resolved.',
    z.object({
      complaintId: f.id,
      customerId: f.id,
      category: z.string(),
      severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
      resolvedAt: f.instant,
      withinSla: z.boolean(),
      compensation: f.money.nullable(),
      currency: f.currency.nullable(),
    }),
  ),
  ComplaintStatusChanged: define(
    'engagement',
    'ComplaintStatusChanged',
    'A complaint moved along its workflow other than by receipt or resolution: acknowledged, in progress, closed or reopened (a reopened complaint is open again; its ComplaintResolved no longer holds).',
    z.object({
      complaintId: f.id,
      customerId: f.id,
      severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
      previousStatus: complaintStatus,
      status: complaintStatus,
      changedBy: f.id,
      changedAt: f.instant,
      /** How many times the complaint has been reopened, this change included. */
      reopenedCount: z.number().int().min(0),
    }),
  ),
  ComplaintEscalated: define(
    'engagement',
    'ComplaintEscalated',
    'A complaint breached its SLA (acknowledgement or resolution) and was escalated.',
    z.object({
      complaintId: f.id,
      customerId: f.id,
      severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
      breach: z.enum(['ACKNOWLEDGE', 'RESOLVE']),
      escalatedAt: f.instant,
    }),
  ),
  SurveyDispatched: define(
    'engagement',
    'SurveyDispatched',
    'A survey was sent to a customer, by hand (trigger null) or triggered by a disbursement or a resolved complaint.',
    z.object({
      dispatchId: f.id,
      surveyId: f.id,
      customerId: f.id,
      trigger: z.string().nullable(),
      dispatchedBy: f.id.nullable(),
      dispatchedAt: f.instant,
    }),
  ),
  SurveyResponded: define(
    'engagement',
    'SurveyResponded',
    'A customer answered a survey dispatch; carries the NPS and CSAT scores when asked.',
    z.object({
      responseId: f.id,
      surveyId: f.id,
      dispatchId: f.id,
      customerId: f.id,
      npsScore: z.number().int().min(0).max(10).nullable(),
      csatScore: z.number().int().min(1).max(5).nullable(),
      trigger: z.string().nullable(),
      respondedAt: f.instant,
    }),
  ),
  ChurnRiskChanged: define(
    'engagement',
    'ChurnRiskChanged',
    "A customer's churn-risk level changed; the signals and their weights explain the score.",
    z.object({
      customerId: f.id,
      previousLevel: churnRiskLevel.nullable(),
      level: churnRiskLevel,
      score: f.decimal,
      signals: z.array(z.object({ code: z.string(), weight: f.decimal, value: f.decimal })),
      asOf: f.date,
    }),
  ),
} as const;
