import { auditRecordResolvers, jobRunResolvers, scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { CareEvent, CareEventInvitation, CareGreeting } from './Care.ts';
import { Complaint, ComplaintSla, ComplaintStatusChange } from './Complaint.ts';
import { ChurnRisk, Customer } from './Customer.ts';
import { Interaction } from './Interaction.ts';
import { cancelTask } from './Mutation/cancel-task.ts';
import { changeComplaintStatus } from './Mutation/change-complaint-status.ts';
import { completeTask } from './Mutation/complete-task.ts';
import { createCareEvent } from './Mutation/create-care-event.ts';
import { createTask } from './Mutation/create-task.ts';
import { defineCareHoliday } from './Mutation/define-care-holiday.ts';
import { defineSurvey } from './Mutation/define-survey.ts';
import { dispatchSurvey } from './Mutation/dispatch-survey.ts';
import { inviteToCareEvent } from './Mutation/invite-to-care-event.ts';
import { logInteraction } from './Mutation/log-interaction.ts';
import { markCareGreetingSent } from './Mutation/mark-care-greeting-sent.ts';
import { receiveComplaint } from './Mutation/receive-complaint.ts';
import { recordCareEventAttendance } from './Mutation/record-care-event-attendance.ts';
import { resolveComplaint } from './Mutation/resolve-complaint.ts';
import { respondToSurvey } from './Mutation/respond-to-survey.ts';
import { runEngagementJob } from './Mutation/run-engagement-job.ts';
import { startTask } from './Mutation/start-task.ts';
import { updateEngagementSettings } from './Mutation/update-engagement-settings.ts';
import { Query } from './Query.ts';
import { Survey, SurveyDispatch, SurveyResponse } from './Survey.ts';
import { Task } from './Task.ts';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Date: scalarResolvers.Date,
  Decimal: scalarResolvers.Decimal,
  Query,
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
  },
  Customer,
  Interaction,
  Task,
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
