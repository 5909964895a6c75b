import type { EventTables } from '@crm/events';
import type { AuditTables, BusinessDateReplicaTables, ChangeStamped, CountedConnection, JobRunTables } from '@crm/service-kit';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type {
  CareEventAttendance,
  ChurnRiskLevel,
  ChurnSignalValue,
  ComplaintCategory,
  ComplaintKind,
  ComplaintSeverity,
  ComplaintStatus,
  GreetingKind,
  GreetingStatus,
  InteractionChannel,
  InteractionDirection,
  InteractionPurpose,
  LoanStatus,
  MonitoringCadenceKind,
  NotificationChannel,
  NotificationKind,
  NotificationReason,
  NotificationStatus,
  RiskClass,
  SurveyAnswer,
  SurveyQuestion,
  SurveyTrigger,
  TaskPriority,
  TaskStatus,
  TaskType,
  VisitConcern,
} from '../domain/types.ts';
import type { OfferTables, TaskOutcomeColumns } from './offer.tables.ts';
import type { ServiceCentreTables } from './service-centre.tables.ts';
import type { ContactOverrideColumn, ServiceLevelTables, TaskPlanningColumn } from './service-level.tables.ts';

/** The value types of the columns are domain types (db/ may import domain/, never the reverse). */
export type {
  CareEventAttendance,
  ChurnRiskLevel,
  ChurnSignalValue,
  ComplaintCategory,
  ComplaintKind,
  ComplaintSeverity,
  ComplaintStatus,
  GreetingKind,
  GreetingStatus,
  InteractionChannel,
  InteractionDirection,
  InteractionPurpose,
  LoanStatus,
  SurveyAnswer,
  SurveyQuestion,
  SurveyQuestionKind,
  SurveyTrigger,
  TaskPriority,
  TaskStatus,
  TaskType,
} from '../domain/types.ts';

/** The customers' status lifecycle (customers' catalogue). */
export type CustomerStatus = 'PROSPECT' | 'ACTIVE' | 'DORMANT' | 'CHURNED';

/** A `date` column: written as YYYY-MM-DD, read back as a string (see the service-kit type parsers). */
type DateColumn = ColumnType<string, string, string>;
/** A `numeric` column: exact decimal string in and out. */
type NumericColumn = ColumnType<string, string, string>;
/** A `jsonb` column: parsed on read, written as JSON text. */
type JsonColumn<T> = ColumnType<T, string, string>;

/** What engagement keeps about a customer, from customers' events (never read from their tables). */
export interface CustomerReplicaTable {
  id: string;
  display_name: string;
  branch_id: string;
  relationship_manager_id: string | null;
  birth_date: string | null;
  updated_at: Date;
}

/** Every status a customer took (CustomerRegistered, CustomerStatusChanged), for the churn and retention KPIs. */
export interface CustomerStatusReplicaTable {
  /** The event that carried the status: a redelivery writes nothing. */
  event_id: string;
  customer_id: string;
  status: CustomerStatus;
  changed_at: Date;
}

/** Latest consent per purpose, from ConsentChanged. */
export interface ConsentReplicaTable {
  customer_id: string;
  purpose: string;
  granted: boolean;
  channel: string;
  changed_at: Date;
}

export interface LoanReplicaTable {
  loan_id: string;
  customer_id: string;
  officer_id: string | null;
  status: LoanStatus;
  bucket: Generated<string>;
  days_past_due: Generated<number>;
  disbursed_on: DateColumn | null;
  closed_on: DateColumn | null;
  updated_at: Date;
  /** From LoanDisbursed (migration 0021); null for loans disbursed before it. */
  product_code: Generated<string | null>;
  principal: ColumnType<string | null, string | null | undefined, string | null>;
  currency: Generated<string | null>;
  /** From RiskClassChanged (NORMAL until the first one), with the instant of the change applied. */
  risk_class: Generated<RiskClass>;
  risk_class_at: Generated<Date | null>;
  /** The latest visit recorded here and the latest credit review (CreditReviewRecorded): the cadence counts from them. */
  last_visit_on: ColumnType<string | null, string | null | undefined, string | null>;
  last_review_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** LoanClosed's repaid on time and in full (migration 0030, the repayment record of offers); null while open. */
  repaid_on_time: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
}

export interface EngagementSettingTable {
  key: string;
  value: string;
  updated_at: Generated<Date>;
}

export interface InteractionTable {
  id: string;
  customer_id: string;
  channel: InteractionChannel;
  direction: InteractionDirection;
  purpose: InteractionPurpose;
  summary: string;
  outcome: string | null;
  staff_id: string;
  occurred_at: Date;
  recorded_at: Generated<Date>;
  idempotency_key: string | null;
  /** A contact a branch manager allowed against the contact rules, and why (migration 0010). */
  contact_override: ContactOverrideColumn;
}

export interface TaskTable extends TaskOutcomeColumns {
  id: string;
  customer_id: string;
  type: TaskType;
  title: string;
  description: Generated<string | null>;
  assignee_id: string | null;
  priority: TaskPriority;
  status: TaskStatus;
  due_at: Date;
  source_event_id: string | null;
  /** Business key that makes a reaction happen once (e.g. one collection task per loan and bucket). */
  dedupe_key: Generated<string | null>;
  loan_id: Generated<string | null>;
  created_by: Generated<string | null>;
  started_at: Generated<Date | null>;
  completed_at: Generated<Date | null>;
  completed_by: Generated<string | null>;
  completed_interaction_id: string | null;
  cancelled_at: Generated<Date | null>;
  cancel_reason: Generated<string | null>;
  idempotency_key: Generated<string | null>;
  created_at: Generated<Date>;
  /** Set on a visit or review planned by the monitoring cadence (migration 0021): one open of each per loan. */
  cadence: Generated<MonitoringCadenceKind | null>;
  /** How the service level and the contact rules shaped a planned task (migration 0010). */
  planning: TaskPlanningColumn;
}

export interface ComplaintSlaTable {
  severity: ComplaintSeverity;
  acknowledge_hours: number;
  resolve_days: number;
}

export interface ComplaintTable {
  id: string;
  customer_id: string;
  kind: ComplaintKind;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  channel: InteractionChannel;
  description: string;
  status: ComplaintStatus;
  received_at: Date;
  received_by: string;
  assignee_id: string | null;
  acknowledge_due_at: Date;
  resolve_due_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  resolution: string | null;
  compensation: NumericColumn | null;
  currency: string | null;
  reopened_count: Generated<number>;
  acknowledge_escalated_at: Date | null;
  resolve_escalated_at: Date | null;
  idempotency_key: string | null;
  updated_at: Date;
}

export interface ComplaintHistoryTable {
  id: string;
  complaint_id: string;
  from_status: ComplaintStatus | null;
  to_status: ComplaintStatus;
  note: string | null;
  changed_by: string;
  changed_at: Date;
}

export interface SurveyTable {
  id: string;
  name: string;
  trigger: SurveyTrigger | null;
  active: Generated<boolean>;
  questions: JsonColumn<SurveyQuestion[]>;
  created_by: string;
  created_at: Date;
  idempotency_key: Generated<string | null>;
}

export interface SurveyDispatchTable {
  id: string;
  survey_id: string;
  customer_id: string;
  trigger: SurveyTrigger | null;
  /** What the dispatch is for: a batch and customer, a complaint, a loan. Unique: one dispatch per occasion. */
  source_key: string;
  branch_id: string | null;
  officer_id: string | null;
  dispatched_by: string | null;
  dispatched_at: Date;
}

export interface SurveyResponseTable {
  id: string;
  dispatch_id: string;
  survey_id: string;
  customer_id: string;
  nps_score: number | null;
  csat_score: number | null;
  answers: JsonColumn<SurveyAnswer[]>;
  branch_id: string | null;
  officer_id: string | null;
  responded_at: Date;
}

export interface CareHolidayTable {
  code: string;
  on_date: DateColumn;
  name: string;
}

export interface CareGreetingTable {
  id: string;
  customer_id: string;
  kind: GreetingKind;
  occasion_on: DateColumn;
  holiday_code: string;
  assignee_id: string | null;
  status: GreetingStatus;
  created_at: Date;
}

export interface CareEventTable {
  id: string;
  title: string;
  kind: string;
  branch_id: string | null;
  location: string | null;
  starts_at: Date;
  capacity: number | null;
  created_by: string;
  created_at: Date;
  idempotency_key: Generated<string | null>;
}

export interface CareEventInvitationTable {
  event_id: string;
  customer_id: string;
  status: CareEventAttendance;
  invited_at: Date;
  attended_at: Date | null;
}

export interface ChurnSignalWeightTable {
  code: string;
  weight: NumericColumn;
  description: string;
}

export interface ChurnLevelThresholdTable {
  level: ChurnRiskLevel;
  min_score: NumericColumn;
}

export interface ChurnRiskTable {
  customer_id: string;
  score: NumericColumn;
  level: ChurnRiskLevel;
  signals: JsonColumn<ChurnSignalValue[]>;
  as_of: DateColumn;
  computed_at: Date;
}

export interface DB extends EventTables, AuditTables, JobRunTables, BusinessDateReplicaTables, ServiceCentreTables, ServiceLevelTables, OfferTables {
  customer_replica: CustomerReplicaTable;
  customer_status_replica: CustomerStatusReplicaTable;
  consent_replica: ConsentReplicaTable;
  loan_replica: LoanReplicaTable;
  engagement_setting: EngagementSettingTable;
  interaction: InteractionTable;
  task: TaskTable;
  complaint_sla: ComplaintSlaTable;
  complaint: ComplaintTable;
  complaint_history: ComplaintHistoryTable;
  survey: SurveyTable;
  survey_dispatch: SurveyDispatchTable;
  survey_response: SurveyResponseTable;
  care_holiday: CareHolidayTable;
  care_greeting: CareGreetingTable;
  care_event: CareEventTable;
  care_event_invitation: CareEventInvitationTable;
  churn_signal_weight: ChurnSignalWeightTable;
  churn_level_threshold: ChurnLevelThresholdTable;
  churn_risk: ChurnRiskTable;
  customer_contact_replica: CustomerContactReplicaTable;
  notification_kind: NotificationKindTable;
  notification_template: NotificationTemplateTable;
  branch_language: BranchLanguageTable;
  notification: NotificationTable;
  monitoring_cadence: MonitoringCadenceTable;
  visit_outcome: VisitOutcomeTable;
  branch_manager: BranchManagerTable;
}

/** A customer as engagement resolves it: a reference by id. */
export interface CustomerRef {
  id: string;
}

export type InteractionRow = Selectable<InteractionTable>;
export type NewInteraction = Insertable<InteractionTable>;
export type TaskRow = Selectable<TaskTable>;
export type NewTask = Insertable<TaskTable>;
export type CustomerReplicaRow = Selectable<CustomerReplicaTable>;
export type ComplaintRow = Selectable<ComplaintTable>;
export type ComplaintSlaRow = Selectable<ComplaintSlaTable>;
export type SurveyRow = Selectable<SurveyTable>;
export type SurveyDispatchRow = Selectable<SurveyDispatchTable>;
export type SurveyResponseRow = Selectable<SurveyResponseTable>;
export type CareGreetingRow = Selectable<CareGreetingTable>;
export type CareEventRow = Selectable<CareEventTable>;
export type CareEventInvitationRow = Selectable<CareEventInvitationTable>;
export type ChurnRiskRow = Selectable<ChurnRiskTable>;
export type ComplaintHistoryRow = Selectable<ComplaintHistoryTable>;

/** A row as a top-level list returns it: with its change stamp in a `changedSince` pull (see service-kit change-feed.ts). */
export type Stamped<R> = R & Partial<ChangeStamped>;

/** The connections: a page and its lazy count (`totalCount` only runs it when selected). */
export type InteractionPage = CountedConnection<InteractionRow>;
export type TaskPage = CountedConnection<TaskRow>;
export type ComplaintPage = CountedConnection<ComplaintRow>;
export type SurveyResponsePage = CountedConnection<SurveyResponseRow>;
export type ChurnRiskPage = CountedConnection<ChurnRiskRow>;
export type ComplaintStatusChangePage = CountedConnection<ComplaintHistoryRow>;
export type CareEventInvitationPage = CountedConnection<CareEventInvitationRow>;

// ---- notifications and monitoring (issue 15, migrations 0020 and 0021) ----

/** What customers told us of a customer's contact details (CustomerRegistered.contact, CustomerProfileUpdated). */
export interface CustomerContactReplicaTable {
  customer_id: string;
  phone: string | null;
  email: string | null;
  region: string | null;
  city: string | null;
  district: string | null;
  address_line: string | null;
  preferred_channel: string | null;
  preferred_language: string | null;
  updated_at: Date;
}

export interface NotificationKindTable {
  kind: NotificationKind;
  enabled: boolean;
  /** The consent purpose the customer must have granted; null: none needed. */
  required_consent: string | null;
  /** Overrides the customer's preferred channel; null: the customer's. */
  channel: NotificationChannel | null;
  updated_at: Generated<Date>;
}

export interface NotificationTemplateTable {
  id: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  language: string;
  subject: string | null;
  body: string;
  updated_by: string;
  updated_at: Date;
}

export interface BranchLanguageTable {
  branch_id: string;
  language: string;
}

export interface NotificationTable {
  id: string;
  customer_id: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  language: string;
  status: NotificationStatus;
  reason: NotificationReason | null;
  deferred_reason: 'QUIET_HOURS' | 'CONTACT_HOURS' | 'RETRY' | null;
  send_after: Date;
  expires_at: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
  provider_ref: string | null;
  template_id: string | null;
  subject: string | null;
  body: string | null;
  params: JsonColumn<Record<string, string>>;
  loan_id: string | null;
  source_event_id: string | null;
  dedupe_key: string;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

export interface MonitoringCadenceTable {
  risk_class: RiskClass;
  min_principal: NumericColumn;
  visit_every_days: number;
  review_every_days: number;
}

export interface VisitOutcomeTable {
  task_id: string;
  loan_id: string;
  customer_id: string;
  visited_on: DateColumn;
  customer_met: boolean;
  business_operating: boolean | null;
  fund_use_as_declared: boolean | null;
  concerns: JsonColumn<VisitConcern[]>;
  note: string | null;
  recorded_by: string;
  recorded_at: Date;
}

export interface BranchManagerTable {
  branch_id: string;
  manager_id: string;
  updated_by: string;
  updated_at: Date;
}

export type NotificationRow = Selectable<NotificationTable>;
export type NotificationTemplateRow = Selectable<NotificationTemplateTable>;
export type NotificationKindRow = Selectable<NotificationKindTable>;
export type MonitoringCadenceRow = Selectable<MonitoringCadenceTable>;
export type VisitOutcomeRow = Selectable<VisitOutcomeTable>;
export type BranchManagerRow = Selectable<BranchManagerTable>;
export type LoanReplicaRow = Selectable<LoanReplicaTable>;
export type NotificationPage = CountedConnection<NotificationRow>;
export type NotificationTemplatePage = CountedConnection<NotificationTemplateRow>;
export type BranchManagerPage = CountedConnection<BranchManagerRow>;
export type BranchLanguageRow = Selectable<BranchLanguageTable>;
export type BranchLanguagePage = CountedConnection<BranchLanguageRow>;
