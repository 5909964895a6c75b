import { z } from 'zod';
import { riskClass } from './credit.ts';
import { define, f } from './define.ts';

export const churnRiskLevel = z.enum(['LOW', 'MEDIUM', 'HIGH']);
export const complaintStatus = z.enum(['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REOPENED']);
export const offerKind = z.enum(['TOP_UP', 'RENEWAL', 'RATE_DISCOUNT', 'REWARD']);
export const offerOutcome = z.enum(['ACCEPTED', 'DECLINED', 'NOT_NOW']);
/** What a retention task achieved: the customer kept (SAVED), lost, or never reached. */
export const retentionOutcome = z.enum(['SAVED', 'LOST', 'NOT_REACHED']);
/** Why an offer holds: each condition of its rule with the customer's value that met it. */
const offerReasons = z.array(z.object({ condition: z.string(), value: z.string() }));
export const leadKind = z.enum(['NEW_LOAN', 'TOP_UP', 'RESTRUCTURING', 'COMPLAINT', 'OTHER']);
export const leadStatus = z.enum(['OPEN', 'CONTACTED', 'CONVERTED', 'LOST']);
export const expertField = z.enum(['INDUSTRY', 'LEGAL', 'COLLATERAL_VALUATION', 'RESTRUCTURING']);
export const notificationKind = z.enum(['DUE_REMINDER', 'OVERDUE_NOTICE', 'POINTS_EXPIRY', 'CRISIS_RELIEF']);
export const notificationChannel = z.enum(['SMS', 'EMAIL', 'PUSH', 'LETTER']);
export const notificationStatus = z.enum(['QUEUED', 'SENT', 'FAILED', 'SUPPRESSED']);
export const visitConcern = z.enum([
  'BUSINESS_DECLINING',
  'STOCK_OR_ASSETS_MISSING',
  'COLLATERAL_MISSING',
  'OTHER_DEBTS',
  'HOUSEHOLD_HARDSHIP',
  'RELOCATED',
  'OTHER',
]);

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
  TaskPriorityChanged: define(
    'engagement',
    'TaskPriorityChanged',
    "An open task's priority changed (today: its risk warning was escalated, so its review became urgent).",
    z.object({
      taskId: f.id,
      customerId: f.id,
      type: z.string(),
      previousPriority: z.string(),
      priority: z.string(),
      reason: z.enum(['RISK_WARNING_ESCALATED']),
      changedAt: f.instant,
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
  TaskRescheduled: define(
    'engagement',
    'TaskRescheduled',
    "An open task's due time moved (today: a planned visit or review, because the loan's risk class changed its monitoring cadence).",
    z.object({
      taskId: f.id,
      customerId: f.id,
      type: z.string(),
      loanId: f.id.nullable(),
      previousDueAt: f.instant,
      dueAt: f.instant,
      reason: z.enum(['RISK_CLASS_CHANGED']),
      changedAt: f.instant,
    }),
  ),
  MonitoringCadenceChanged: define(
    'engagement',
    'MonitoringCadenceChanged',
    "The monitoring cadence (visits and credit reviews per risk class and loan size) was replaced: the whole table, as engagement's setMonitoringCadence left it. A loan takes its class's band with the highest minimum principal not above its principal (in the loan's currency units). Credit keeps a replica of it for its review due dates (Loan.nextReviewDue, overdueReviews). Subject: `monitoring-cadence`.",
    z.object({
      bands: z
        .array(
          z.object({
            riskClass,
            /** Loans of at least this principal, a decimal string. */
            minPrincipal: f.decimal,
            visitEveryDays: z.number().int().min(1),
            reviewEveryDays: z.number().int().min(1),
          }),
        )
        .min(1),
      changedBy: f.id,
      changedAt: f.instant,
    }),
  ),
  VisitOutcomeRecorded: define(
    'engagement',
    'VisitOutcomeRecorded',
    'A post-loan visit was made and its outcome recorded on the visit task (the free-text note stays in engagement). Credit feeds it into its fund-use and early-warning rules.',
    z.object({
      taskId: f.id,
      customerId: f.id,
      loanId: f.id,
      visitedOn: f.date,
      customerMet: z.boolean(),
      /** Null when it could not be judged (e.g. the customer was not met). */
      businessOperating: z.boolean().nullable(),
      /** Null when not checked on this visit. */
      fundUseAsDeclared: z.boolean().nullable(),
      concerns: z.array(visitConcern),
      recordedBy: f.id,
      recordedAt: f.instant,
    }),
  ),
  NotificationStatusChanged: define(
    'engagement',
    'NotificationStatusChanged',
    'A customer notification (instalment due reminder, overdue notice, points-expiry notice) was queued, sent, failed or suppressed; the reason says why it was suppressed or failed. The message text and the contact address stay in engagement.',
    z.object({
      notificationId: f.id,
      customerId: f.id,
      kind: notificationKind,
      channel: notificationChannel,
      language: z.string(),
      /** Null when the notification was just created. */
      previousStatus: notificationStatus.nullable(),
      status: notificationStatus,
      /** Why it was suppressed (NO_CONSENT, CONTACT_LIMIT, NO_CONTACT_ADDRESS, NO_TEMPLATE, KIND_DISABLED, EXPIRED) or failed (PROVIDER_ERROR); null otherwise. */
      reason: z.string().nullable(),
      attempts: z.number().int().min(0),
      /** The event that caused it (InstalmentDue, InstalmentOverdue, PointsExpiring). */
      sourceEventId: f.id.nullable(),
      loanId: f.id.nullable(),
      changedAt: f.instant,
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
  // ---- service centre: enquiries and leads (issue 15) ----
  EnquiryReceived: define(
    'engagement',
    'EnquiryReceived',
    "An enquiry reached the service centre from a customer (customerId) or a prospect (customerId null; the prospect's name and phone stay in engagement). Subject: the customer, else the enquiry.",
    z.object({
      enquiryId: f.id,
      customerId: f.id.nullable(),
      branchId: f.id,
      channel: z.string(),
      receivedBy: f.id,
      receivedAt: f.instant,
    }),
  ),
  EnquiryAnswered: define(
    'engagement',
    'EnquiryAnswered',
    'An enquiry was answered by the service centre, from a knowledge-base article (articleId) or in its own words (the answer text stays in engagement).',
    z.object({
      enquiryId: f.id,
      customerId: f.id.nullable(),
      articleId: f.id.nullable(),
      answeredBy: f.id,
      answeredAt: f.instant,
    }),
  ),
  LeadCreated: define(
    'engagement',
    'LeadCreated',
    "An enquiry was handed over as a lead (a need for a loan, a top-up, a restructuring, a complaint) to its owner, the customer's relationship manager. Subject: the customer, else the lead.",
    z.object({
      leadId: f.id,
      enquiryId: f.id,
      customerId: f.id.nullable(),
      kind: leadKind,
      ownerId: f.id.nullable(),
      branchId: f.id,
      createdBy: f.id,
      createdAt: f.instant,
    }),
  ),
  LeadStatusChanged: define(
    'engagement',
    'LeadStatusChanged',
    'A lead moved on: CONTACTED or LOST by its owner, CONVERTED when credit recorded a loan application (applicationId) or a restructuring request (restructuringId) of the customer after the lead, or when a COMPLAINT lead opened a complaint (complaintId). changedBy is null when an event of another service converted it.',
    z.object({
      leadId: f.id,
      customerId: f.id.nullable(),
      kind: leadKind,
      previousStatus: leadStatus,
      status: leadStatus,
      ownerId: f.id.nullable(),
      applicationId: f.id.nullable(),
      restructuringId: f.id.nullable(),
      complaintId: f.id.nullable(),
      changedBy: f.id.nullable(),
      changedAt: f.instant,
    }),
  ),
  LeadReassigned: define(
    'engagement',
    'LeadReassigned',
    "A lead still being worked moved to another owner: it follows the customer's new relationship manager.",
    z.object({
      leadId: f.id,
      customerId: f.id,
      kind: leadKind,
      previousOwnerId: f.id.nullable(),
      ownerId: f.id,
      reason: z.enum(['RELATIONSHIP_MANAGER_CHANGED']),
      reassignedAt: f.instant,
    }),
  ),
  // ---- expert help for officers (issue 15) ----
  ConsultationRequested: define(
    'engagement',
    'ConsultationRequested',
    'An officer asked an internal expert for help about a customer (and possibly a loan), due by dueAt (the default of the field asked about); the question stays in engagement.',
    z.object({
      consultationId: f.id,
      customerId: f.id,
      loanId: f.id.nullable(),
      expertId: f.id,
      expertUserId: f.id,
      requesterId: f.id,
      field: expertField,
      dueAt: f.instant,
      requestedAt: f.instant,
    }),
  ),
  ConsultationAnswered: define(
    'engagement',
    'ConsultationAnswered',
    'The expert answered a consultation (the answer stays in engagement); withinDue tells whether by its due time.',
    z.object({
      consultationId: f.id,
      customerId: f.id,
      expertUserId: f.id,
      requesterId: f.id,
      field: expertField,
      answeredAt: f.instant,
      withinDue: z.boolean(),
    }),
  ),
  ConsultationCancelled: define(
    'engagement',
    'ConsultationCancelled',
    'An open consultation was withdrawn before the expert answered it.',
    z.object({
      consultationId: f.id,
      customerId: f.id,
      expertUserId: f.id,
      cancelledBy: f.id,
      cancelledAt: f.instant,
    }),
  ),
  TaskOutcomeRecorded: define(
    'engagement',
    'TaskOutcomeRecorded',
    'The outcome of a retention task was recorded (SAVED, LOST, NOT_REACHED), with what opened it (a grade at risk, a tier downgrade warning, a high churn risk).',
    z.object({
      taskId: f.id,
      customerId: f.id,
      type: z.string(),
      outcome: retentionOutcome,
      /** GRADE_AT_RISK, TIER_DOWNGRADE, CHURN_HIGH, or null for a task created by hand. */
      origin: z.string().nullable(),
      recordedBy: f.id,
      recordedAt: f.instant,
    }),
  ),
  OfferMade: define(
    'engagement',
    'OfferMade',
    "A next-best offer was made to a customer by an offer rule (shown in Customer 360 and the relationship manager's worklist), ranked, with the reasons it holds.",
    z.object({
      offerId: f.id,
      customerId: f.id,
      ruleCode: z.string(),
      kind: offerKind,
      rank: z.number().int().positive(),
      reasons: offerReasons,
      validUntil: f.date,
      relationshipManagerId: f.id.nullable(),
      asOf: f.date,
    }),
  ),
  OfferOutcomeRecorded: define(
    'engagement',
    'OfferOutcomeRecorded',
    'An officer recorded what the customer said to an offer: ACCEPTED, DECLINED or NOT_NOW.',
    z.object({
      offerId: f.id,
      customerId: f.id,
      ruleCode: z.string(),
      kind: offerKind,
      outcome: offerOutcome,
      recordedBy: f.id,
      recordedAt: f.instant,
    }),
  ),
  OfferWithdrawn: define(
    'engagement',
    'OfferWithdrawn',
    'An open offer was withdrawn without an answer: it expired, or the customer no longer meets its rule (or the rule was retired).',
    z.object({
      offerId: f.id,
      customerId: f.id,
      ruleCode: z.string(),
      kind: offerKind,
      reason: z.enum(['EXPIRED', 'NO_LONGER_ELIGIBLE']),
      asOf: f.date,
    }),
  ),
} as const;
