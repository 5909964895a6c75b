import { subgraphCodegen } from '../../packages/service-kit/codegen-preset.ts';

export default subgraphCodegen({
  context: 'EngagementContext',
  mappers: {
    Customer: '../db/schema.ts#CustomerRef',
    Interaction: '../db/schema.ts#InteractionRow',
    Task: '../db/schema.ts#TaskRow',
    Complaint: '../db/schema.ts#ComplaintRow',
    ComplaintSla: '../db/schema.ts#ComplaintSlaRow',
    Survey: '../db/schema.ts#SurveyRow',
    SurveyDispatch: '../db/schema.ts#SurveyDispatchRow',
    SurveyResponse: '../db/schema.ts#SurveyResponseRow',
    CareGreeting: '../db/schema.ts#CareGreetingRow',
    CareEvent: '../db/schema.ts#CareEventRow',
    CareEventInvitation: '../db/schema.ts#CareEventInvitationRow',
    ChurnRisk: '../db/schema.ts#ChurnRiskRow',
    ComplaintStatusChange: '../db/schema.ts#ComplaintHistoryRow',
    InteractionConnection: '../db/schema.ts#InteractionPage',
    TaskConnection: '../db/schema.ts#TaskPage',
    ComplaintConnection: '../db/schema.ts#ComplaintPage',
    SurveyResponseConnection: '../db/schema.ts#SurveyResponsePage',
    ChurnRiskConnection: '../db/schema.ts#ChurnRiskPage',
    ComplaintStatusChangeConnection: '../db/schema.ts#ComplaintStatusChangePage',
    CareEventInvitationConnection: '../db/schema.ts#CareEventInvitationPage',
    AuditRecord: '@crm/service-kit#AuditRow',
  },
});
