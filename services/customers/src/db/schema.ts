import type { DelinquencyBucket, EventTables } from '@crm/events';
import type { AuditTables, BusinessDateReplicaTables, JobRunTables } from '@crm/service-kit';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type Gender = 'FEMALE' | 'MALE' | 'OTHER' | 'UNDISCLOSED';
export type EnterpriseSize = 'MICRO' | 'SMALL' | 'MEDIUM';
export type ContactChannel = 'PHONE' | 'SMS' | 'EMAIL' | 'APP' | 'MESSAGING' | 'VISIT' | 'BRANCH';

export type CustomerStatus = 'PROSPECT' | 'ACTIVE' | 'DORMANT' | 'CHURNED';
export type Grade = 'VIP' | 'PREMIUM' | 'STANDARD' | 'BASIC';
export type IncomeBand = 'LOW' | 'LOWER_MIDDLE' | 'UPPER_MIDDLE' | 'HIGH';
export type RiskAppetite = 'CONSERVATIVE' | 'BALANCED' | 'AGGRESSIVE';
export type ConsentPurpose = 'MARKETING_CONTACT' | 'DATA_SHARING' | 'PROFILING';
export type SpecialCareFlag = 'ELDERLY' | 'DISABLED' | 'LOW_LITERACY' | 'VISUALLY_IMPAIRED' | 'HEARING_IMPAIRED' | 'LANGUAGE_BARRIER' | 'FINANCIAL_HARDSHIP';
export type DocumentCategory = 'BASIC' | 'DEVELOPMENT' | 'PRODUCT_SERVICE';
export type EducationLevel = 'NONE' | 'PRIMARY' | 'SECONDARY' | 'VOCATIONAL' | 'TERTIARY' | 'POSTGRADUATE';
export type ValueSignalKind =
  | 'INSTALMENT_PAID'
  | 'INSTALMENT_OVERDUE'
  | 'SURVEY'
  | 'COMPLAINT_RECEIVED'
  | 'COMPLAINT_RESOLVED'
  | 'TIER'
  /** A RepaymentReversed (label: the repayment id): the key that makes its effect happen once. */
  | 'REPAYMENT_REVERSED';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CustomerTable {
  id: string;
  kind: 'INDIVIDUAL' | 'ENTERPRISE';
  status: CustomerStatus;
  display_name: string;
  branch_id: string;
  relationship_manager_id: string | null;
  phone: string | null;
  email: string | null;
  region: string | null;
  city: string | null;
  district: string | null;
  address_line: string | null;
  preferred_channel: ContactChannel | null;
  preferred_language: string | null;
  /** "HH:MM-HH:MM", the customer's local time (migration 0011). */
  contact_time: Generated<string | null>;
  interests: Generated<string[]>;
  education_level: Generated<EducationLevel | null>;
  idempotency_key: string | null;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Timestamp;
  reviewed_at: Timestamp | null;
  tags: Generated<string[]>;
  special_care: Generated<SpecialCareFlag[]>;
  special_care_note: string | null;
  income_band: IncomeBand | null;
  risk_appetite: RiskAppetite | null;
  grade: Grade | null;
  grade_since: string | null;
  grade_at_risk_since: string | null;
  grade_at_risk_until: string | null;
  grade_projected: Grade | null;
}

export interface IndividualProfileTable {
  customer_id: string;
  first_name: string;
  last_name: string;
  gender: Gender | null;
  birth_date: string | null;
  national_id: string | null;
  occupation: string | null;
  employer: string | null;
}

export interface EnterpriseProfileTable {
  customer_id: string;
  legal_name: string;
  registration_number: string;
  industry: string | null;
  size: EnterpriseSize | null;
  founded_on: string | null;
  legal_representative: string | null;
  annual_revenue: string | null;
  employees: number | null;
}

export interface CustomerChangeTable {
  id: string;
  customer_id: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  changed_by: string;
  changed_at: Timestamp;
}

export interface ManagerAssignmentTable {
  id: string;
  customer_id: string;
  manager_id: string;
  previous_manager_id: string | null;
  reason: string | null;
  assigned_by: string;
  assigned_at: Timestamp;
}

export interface FinancialSnapshotTable {
  id: string;
  customer_id: string;
  as_of: string;
  currency: string;
  monthly_income: string | null;
  assets: string | null;
  liabilities: string | null;
  external_credit_score: number | null;
  risk_appetite: RiskAppetite | null;
  income_band: IncomeBand | null;
  debt_ratio: string | null;
  idempotency_key: string | null;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface ConsentRecordTable {
  id: string;
  customer_id: string;
  purpose: ConsentPurpose;
  granted: boolean;
  channel: string;
  changed_by: string;
  changed_at: Timestamp;
}

export interface CustomerDocumentTable {
  id: string;
  customer_id: string;
  category: DocumentCategory;
  document_type: string;
  title: string;
  storage_ref: string;
  content_type: string | null;
  size_bytes: ColumnType<string | null, string | number | null, string | number | null>;
  idempotency_key: string | null;
  added_by: string;
  added_at: Timestamp;
}

export interface SegmentTable {
  id: string;
  name: string;
  description: string | null;
  rule: ColumnType<unknown, string, string>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerLoanTable {
  loan_id: string;
  customer_id: string;
  principal: string;
  currency: string;
  loan_cycle: number;
  disbursed_on: string;
  closed_on: string | null;
  bucket: Generated<DelinquencyBucket>;
  days_past_due: Generated<number>;
  bucket_as_of: string | null;
}

export interface ValueSignalTable {
  event_id: string;
  /**
   * The fact the signal records, unique (the same fact under two event ids has one effect), e.g.
   * `INSTALMENT_PAID:<loan>:<instalment>:<repayment>`; built by the command that records it.
   * A reversed INSTALMENT_PAID's key gets `:reversed-by:<event>` appended (the instalment paid
   * again is a new fact). Rows from before the keys (migration 0007) may hold `event:<event id>`.
   */
  business_key: string;
  customer_id: string;
  kind: ValueSignalKind;
  loan_id: string | null;
  amount: string | null;
  /** INSTALMENT_PAID: the interest and penalty parts of the instalment, null from events without the split. */
  interest_paid: string | null;
  penalty_paid: string | null;
  on_time: boolean | null;
  score: number | null;
  label: string | null;
  occurred_on: string;
  /** INSTALMENT_PAID and INSTALMENT_OVERDUE: the instalment (null on signals recorded before it was kept). */
  instalment_number: ColumnType<number | null, number | null | undefined, number | null>;
  /** INSTALMENT_PAID: the RepaymentReversed event that left the instalment unpaid again; such a signal no longer counts. */
  reversed_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** The reversal's date: the signal counts in scores as of earlier dates, not from then on. */
  reversed_on: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CustomerValueScoreTable {
  customer_id: string;
  as_of: string;
  total: string;
  components: ColumnType<unknown, string, string>;
}

/** One grade change applied by the grade evaluation (CustomerGradeChanged), with the branch and manager of then. */
export interface CustomerGradeChangeTable {
  id: string;
  customer_id: string;
  /** Null for the first grade. */
  from_grade: Grade | null;
  to_grade: Grade;
  score: string;
  effective_on: string;
  branch_id: string;
  relationship_manager_id: string | null;
  recorded_at: Generated<Date>;
}

export interface GradeThresholdTable {
  grade: Grade;
  min_score: string;
}

export interface CustomerPolicyTable {
  id: number;
  stale_after_days: number;
  at_risk_window_days: number;
}

export interface DB extends EventTables, AuditTables, JobRunTables, BusinessDateReplicaTables {
  customer: CustomerTable;
  individual_profile: IndividualProfileTable;
  enterprise_profile: EnterpriseProfileTable;
  customer_change: CustomerChangeTable;
  manager_assignment: ManagerAssignmentTable;
  financial_snapshot: FinancialSnapshotTable;
  consent_record: ConsentRecordTable;
  customer_document: CustomerDocumentTable;
  segment: SegmentTable;
  customer_loan: CustomerLoanTable;
  value_signal: ValueSignalTable;
  customer_value_score: CustomerValueScoreTable;
  customer_grade_change: CustomerGradeChangeTable;
  grade_threshold: GradeThresholdTable;
  customer_policy: CustomerPolicyTable;
}

export type CustomerRow = Selectable<CustomerTable>;
export type NewCustomer = Insertable<CustomerTable>;
export type IndividualProfileRow = Selectable<IndividualProfileTable>;
export type EnterpriseProfileRow = Selectable<EnterpriseProfileTable>;
export type CustomerChangeRow = Selectable<CustomerChangeTable>;
export type ManagerAssignmentRow = Selectable<ManagerAssignmentTable>;
export type FinancialSnapshotRow = Selectable<FinancialSnapshotTable>;
export type ConsentRecordRow = Selectable<ConsentRecordTable>;
export type CustomerDocumentRow = Selectable<CustomerDocumentTable>;
export type SegmentRow = Selectable<SegmentTable>;
export type CustomerPolicyRow = Selectable<CustomerPolicyTable>;
export type GradeThresholdRow = Selectable<GradeThresholdTable>;
export type CustomerGradeChangeRow = Selectable<CustomerGradeChangeTable>;
