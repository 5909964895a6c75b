import { auditRecordResolvers, jobRunResolvers, scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { CareEvent, CareEventInvitation, CareGreeting } from './Care.ts';
import { Complaint, ComplaintSla, ComplaintStatusChange } from './Complaint.ts';
import { ChurnRisk, Customer } from './Customer.ts';
import { Consultation, ConsultationDueTime, CustomerConsultations, Expert, ExpertQuery } from './Experts.ts';
import { Interaction } from './Interaction.ts';
import { BranchManager, MonitoringCadenceBand, monitoringQueries, TaskMonitoring, VisitOutcome } from './Monitoring.ts';
import { answerConsultation } from './Mutation/answer-consultation.ts';
import { answerEnquiry } from './Mutation/answer-enquiry.ts';
import { cancelConsultation } from './Mutation/cancel-consultation.ts';
import { cancelTask } from './Mutation/cancel-task.ts';
import { changeComplaintStatus } from './Mutation/change-complaint-status.ts';
import { changeLeadStatus } from './Mutation/change-lead-status.ts';
import { completeTask } from './Mutation/complete-task.ts';
import { createCareEvent } from './Mutation/create-care-event.ts';
import { createKnowledgeArticle } from './Mutation/create-knowledge-article.ts';
import { createTask } from './Mutation/create-task.ts';
import { defineCareHoliday } from './Mutation/define-care-holiday.ts';
import { defineSurvey } from './Mutation/define-survey.ts';
import { dispatchSurvey } from './Mutation/dispatch-survey.ts';
import { handOverEnquiry } from './Mutation/hand-over-enquiry.ts';
import { inviteToCareEvent } from './Mutation/invite-to-care-event.ts';
import { logInteraction } from './Mutation/log-interaction.ts';
import { markCareGreetingSent } from './Mutation/mark-care-greeting-sent.ts';
import { openLeadComplaint } from './Mutation/open-lead-complaint.ts';
import { receiveComplaint } from './Mutation/receive-complaint.ts';
import { receiveEnquiry } from './Mutation/receive-enquiry.ts';
import { recordCareEventAttendance } from './Mutation/record-care-event-attendance.ts';
import { recordOfferOutcome } from './Mutation/record-offer-outcome.ts';
import { recordRetentionOutcome } from './Mutation/record-retention-outcome.ts';
import { recordVisitOutcome } from './Mutation/record-visit-outcome.ts';
import { registerExpert } from './Mutation/register-expert.ts';
import { requestConsultation } from './Mutation/request-consultation.ts';
import { resolveComplaint } from './Mutation/resolve-complaint.ts';
import { respondToSurvey } from './Mutation/respond-to-survey.ts';
import { retireKnowledgeArticle } from './Mutation/retire-knowledge-article.ts';
import { runEngagementJob } from './Mutation/run-engagement-job.ts';
import { setBranchManager } from './Mutation/set-branch-manager.ts';
import { setConsultationDueTime } from './Mutation/set-consultation-due-time.ts';
import { setContactRules } from './Mutation/set-contact-rules.ts';
import { setMonitoringCadence } from './Mutation/set-monitoring-cadence.ts';
import { setServiceLevel } from './Mutation/set-service-level.ts';
import { startTask } from './Mutation/start-task.ts';
import { updateEngagementSettings } from './Mutation/update-engagement-settings.ts';
import { updateExpert } from './Mutation/update-expert.ts';
import { updateKnowledgeArticle } from './Mutation/update-knowledge-article.ts';
import { updateNotificationSettings } from './Mutation/update-notification-settings.ts';
import { upsertNotificationTemplate } from './Mutation/upsert-notification-template.ts';
import { upsertOfferRule } from './Mutation/upsert-offer-rule.ts';
import { BranchLanguage, CustomerNotifications, Notification, NotificationSettings, NotificationTemplate, notificationQueries } from './Notifications.ts';
import { customerOffers, Offer, OfferRule, offerQuery, taskOutcome } from './Offers.ts';
import { Query } from './Query.ts';
import { Enquiry, KnowledgeArticle, Lead, ServiceCentreQuery } from './ServiceCentre.ts';
import { CustomerServiceLevelField, InteractionServiceLevel, serviceLevelQueries, TaskServiceLevel } from './ServiceLevels.ts';
import { Survey, SurveyDispatch, SurveyResponse } from './Survey.ts';
import { Task } from './Task.ts';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Date: scalarResolvers.Date,
  Decimal: scalarResolvers.Decimal,
  Query: { ...Query, ...ServiceCentreQuery, ...ExpertQuery, ...serviceLevelQueries, ...notificationQueries, ...monitoringQueries, ...offerQuery },
  Mutation: {
    logInteraction,
    createTask,
    startTask,
    completeTask,
    cancelTask,
    updateEngagementSettings,
    receiveComplaint,
    changeComplaintStatus,
    resolveComplaint,
    runEngagementJob,
    defineSurvey,
    dispatchSurvey,
    respondToSurvey,
    defineCareHoliday,
    markCareGreetingSent,
    createCareEvent,
    inviteToCareEvent,
    recordCareEventAttendance,
    // service centre and expert help (issue 15)
    answerConsultation,
    answerEnquiry,
    cancelConsultation,
    changeLeadStatus,
    createKnowledgeArticle,
    handOverEnquiry,
    openLeadComplaint,
    receiveEnquiry,
    registerExpert,
    requestConsultation,
    retireKnowledgeArticle,
    setConsultationDueTime,
    updateExpert,
    updateKnowledgeArticle,
    // service levels and contact rules (issue 15)
    setServiceLevel,
    setContactRules,
    // notifications and visits and reviews by risk (issue 15)
    upsertNotificationTemplate,
    updateNotificationSettings,
    setMonitoringCadence,
    recordVisitOutcome,
    setBranchManager,
    // next-best offers and retention outcomes (issue 15)
    recordOfferOutcome,
    upsertOfferRule,
    recordRetentionOutcome,
  },
  Customer: { ...Customer, ...CustomerConsultations, ...CustomerServiceLevelField, ...CustomerNotifications, ...customerOffers },
  Interaction: { ...Interaction, ...InteractionServiceLevel },
  Task: { ...Task, ...TaskServiceLevel, ...TaskMonitoring, ...taskOutcome },
  Complaint,
  ComplaintSla,
  ComplaintStatusChange,
  // The connections count only when `totalCount` is selected (one statement, or one grouped per field for nested ones).
  InteractionConnection: { totalCount: (c) => c.count() },
  TaskConnection: { totalCount: (c) => c.count() },
  ComplaintConnection: { totalCount: (c) => c.count() },
  SurveyResponseConnection: { totalCount: (c) => c.count() },
  ChurnRiskConnection: { totalCount: (c) => c.count() },
  ComplaintStatusChangeConnection: { totalCount: (c) => c.count() },
  CareEventInvitationConnection: { totalCount: (c) => c.count() },
  KnowledgeArticleConnection: { totalCount: (c) => c.count() },
  EnquiryConnection: { totalCount: (c) => c.count() },
  LeadConnection: { totalCount: (c) => c.count() },
  ExpertConnection: { totalCount: (c) => c.count() },
  ConsultationConnection: { totalCount: (c) => c.count() },
  NotificationConnection: { totalCount: (c) => c.count() },
  NotificationTemplateConnection: { totalCount: (c) => c.count() },
  OfferConnection: { totalCount: (c) => c.count() },
  BranchManagerConnection: { totalCount: (c) => c.count() },
  BranchLanguageConnection: { totalCount: (c) => c.count() },
  NotificationSettings,
  BranchLanguage,
  Offer,
  OfferRule,
  Notification,
  NotificationTemplate,
  MonitoringCadenceBand,
  VisitOutcome,
  BranchManager,
  KnowledgeArticle,
  Enquiry,
  Lead,
  Expert,
  Consultation,
  ConsultationDueTime,
  Survey,
  SurveyDispatch,
  SurveyResponse,
  CareGreeting,
  CareEvent,
  CareEventInvitation,
  ChurnRisk,
  AuditRecord: auditRecordResolvers,
  JobRun: jobRunResolvers,
};
