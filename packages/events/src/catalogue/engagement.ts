import { z } from 'zod';
import { define, f } from './define.ts';

export const churnRiskLevel = z.enum(['LOW', 'MEDIUM', 'HIGH']);

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
