import type { DelinquencyBucket, EventTables } from '@crm/events';
import type { AuditTables, JobRunTables } from '@crm/service-kit';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { LoanProductType, LoanStatus, OverpaymentPolicy } from '../domain/loans.ts';
import type { RoundingMode } from '../domain/money.ts';
import type { AmortisationMethod, DayCountConvention, InterestMethod, RepaymentFrequency } from '../domain/schedule.ts';
import type { CrisisTables } from './crisis.schema.ts';

export type { LoanStatus };

/** `date` columns: written as YYYY-MM-DD, read back as strings (see the date type parser). */
type DateColumn = ColumnType<string, string, string>;
/** numeric columns: read and written as decimal strings, never JS numbers. */
type Numeric = ColumnType<string, string, string>;
type NumericDefault = ColumnType<string, string | undefined, string>;

export type { DelinquencyBucket } from '@crm/events';
export type RiskClass = 'NORMAL' | 'SPECIAL_MENTION' | 'SUBSTANDARD' | 'DOUBTFUL' | 'LOSS';
export type WarningSeverity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type WarningStatus = 'OPEN' | 'ACKNOWLEDGED' | 'ACTION_TAKEN' | 'RESOLVED' | 'ESCALATED';
export type WarningRuleKind =
  | 'DPD_OVER'
  | 'CONSECUTIVE_MISSED'
  | 'SCORE_DROP'
  | 'INCOME_DROP'
  | 'LTV_OVER'
  | 'FUND_USE_DEVIATION'
  | 'WATCHLIST_INDUSTRY'
  /** A post-loan visit found the business not operating or raised concerns (engagement's VisitOutcomeRecorded; migration 0021). */
  | 'VISIT_CONCERN';
export type RestructuringKind = 'PAYMENT_HOLIDAY' | 'TERM_EXTENSION' | 'RATE_REDUCTION';
export type RestructuringStatus = 'REQUESTED' | 'APPROVED' | 'REJECTED';
export type RiskWarningOutcome = 'CURED' | 'RESTRUCTURED' | 'RECOVERY' | 'FALSE_ALARM';

export interface LoanProductTable {
  id: string;
  code: string;
  name: string;
  type: LoanProductType;
  currency: string;
  min_principal: Numeric;
  max_principal: Numeric;
  min_rate: Numeric;
  max_rate: Numeric;
  min_term: number;
  max_term: number;
  frequency: RepaymentFrequency;
  amortisation: AmortisationMethod;
  day_count: DayCountConvention;
  penalty_rate: Numeric;
  grace_days: number;
  overpayment_policy: OverpaymentPolicy;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  /** Conventions (migration 0011; see the credit README): defaults are today's behaviour. */
  interest_method: ColumnType<InterestMethod, InterestMethod | undefined, InterestMethod>;
  rounding_mode: ColumnType<RoundingMode, RoundingMode | undefined, RoundingMode>;
  instalment_multiple: ColumnType<string | null, string | null | undefined, string | null>;
  min_first_period_days: ColumnType<number | null, number | null | undefined, number | null>;
  max_first_period_days: ColumnType<number | null, number | null | undefined, number | null>;
  principal_grace_periods: ColumnType<number, number | undefined, number>;
  interest_grace_periods: ColumnType<number, number | undefined, number>;
  disbursement_fee_rate: ColumnType<string | null, string | null | undefined, string | null>;
  disbursement_fee_flat: ColumnType<string | null, string | null | undefined, string | null>;
  penalty_cap_rate: ColumnType<string | null, string | null | undefined, string | null>;
  /** Days before its due date an unpaid instalment gets its InstalmentDue reminder (migration 0020). */
  due_reminder_days: ColumnType<number, number | undefined, number>;
  /** Migration 0040: the disbursement fee financed (added to the principal) instead of deducted; a fixed fee per instalment. */
  disbursement_fee_financed: ColumnType<boolean, boolean | undefined, boolean>;
  instalment_fee: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface LoanTable {
  id: string;
  customer_id: string;
  product_code: string;
  status: LoanStatus;
  /** numeric (the currency's scale, at least 2 decimals): read and written as a string, never a JS number. */
  principal: string;
  currency: string;
  annual_rate: string;
  term_months: number;
  officer_id: string | null;
  applied_at: Generated<Date>;
  product_id: string | null;
  /** Number of instalments (null on loans recorded before products existed). */
  term_count: number | null;
  purpose: string | null;
  branch_id: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  /** Who recorded the application (the officer may differ when an administrator assigned one). */
  applied_by: ColumnType<string | null, string | null | undefined, string | null>;
  disbursed_by: ColumnType<string | null, string | null | undefined, string | null>;
  written_off_by: ColumnType<string | null, string | null | undefined, string | null>;
  disbursed_on: ColumnType<string | null, string | null | undefined, string | null>;
  closed_on: ColumnType<string | null, string | null | undefined, string | null>;
  written_off_on: ColumnType<string | null, string | null | undefined, string | null>;
  write_off_reason: string | null;
  /** The current schedule version (0 before disbursement). */
  schedule_version: Generated<number>;
  loan_cycle: number | null;
  idempotency_key: string | null;
  dpd: Generated<number>;
  bucket: Generated<DelinquencyBucket>;
  computed_risk_class: Generated<RiskClass>;
  risk_class_override: RiskClass | null;
  risk_class_override_reason: string | null;
  risk_class: Generated<RiskClass>;
  delinquency_as_of: ColumnType<string | null, string | null | undefined, string | null>;
  /** Who gave the first of the two approvals a loan above the policy's limit needs (null otherwise). */
  first_approved_by: ColumnType<string | null, string | null | undefined, string | null>;
  first_approved_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The business date of the (final) approval; null before it (migration 0014). */
  approved_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** The bucket other services were last told (DelinquencyBucketChanged); null before the first run. */
  published_bucket: ColumnType<DelinquencyBucket | null, DelinquencyBucket | null | undefined, DelinquencyBucket | null>;
  /** The DPD-driven class last recorded and published (RiskClassChanged); null before the first run. */
  published_risk_class: ColumnType<RiskClass | null, RiskClass | null | undefined, RiskClass | null>;
  /** The chosen first due date (null: one period after the disbursement). */
  first_due_date: ColumnType<string | null, string | null | undefined, string | null>;
  /** The disbursement fee deducted from the amount paid out (null before disbursement). */
  disbursement_fee: ColumnType<string | null, string | null | undefined, string | null>;
  net_disbursed: ColumnType<string | null, string | null | undefined, string | null>;
  /** Effective annual rate (IRR of the cash flows at disbursement, annualised), a fraction with 6 decimals. */
  effective_annual_rate: ColumnType<string | null, string | null | undefined, string | null>;
  /** The principal the schedule amortises: principal + a financed disbursement fee (migration 0040; null before disbursement and on older loans: the principal). */
  financed_amount: ColumnType<string | null, string | null | undefined, string | null>;
  /** Loyalty pricing at application (migration 0030; null on older loans): see domain/pricing.ts. */
  base_annual_rate: ColumnType<string | null, string | null | undefined, string | null>;
  pricing_tier: ColumnType<string | null, string | null | undefined, string | null>;
  rate_discount_bps: ColumnType<number | null, number | null | undefined, number | null>;
  rate_discount: ColumnType<string | null, string | null | undefined, string | null>;
  floor_rate: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The business date of the institution (one row; see the credit README). */
export interface BusinessDateTable {
  institution: string;
  business_date: DateColumn;
  last_closed_on: ColumnType<string | null, string | null | undefined, string | null>;
  updated_by: string | null;
  updated_at: Generated<Date>;
}

/** Approval limits per currency (data, not code): see the credit README. */
export interface ApprovalPolicyTable {
  currency: string;
  /** A loan whose principal is above this needs a second approval. */
  second_approval_above: Numeric;
  /** A loan whose outstanding principal is above this is written off by an administrator only (null: no such limit). */
  write_off_admin_above: string | null;
  updated_by: string | null;
  updated_at: Generated<Date>;
}

export interface InstalmentTable {
  loan_id: string;
  version: number;
  number: number;
  due_date: DateColumn;
  principal: Numeric;
  interest: Numeric;
  principal_paid: NumericDefault;
  interest_paid: NumericDefault;
  penalty: NumericDefault;
  penalty_paid: NumericDefault;
  paid_on: ColumnType<string | null, string | null | undefined, string | null>;
  dpd: Generated<number>;
  /** Interest an overpayment waived (already taken off `interest`): the scheduled interest is interest + interest_waived. */
  interest_waived: NumericDefault;
  /** Per-instalment fee (migration 0040): due with the instalment, paid before its interest; waived when a settlement no longer charges it. */
  fee: NumericDefault;
  fee_paid: NumericDefault;
  fee_waived: NumericDefault;
  /**
   * The interest the schedule version expected (DAILY_ACCRUAL loans, whose `interest` is restated to
   * what accrues on the actual balance); null until restated: then interest + interest_waived.
   */
  scheduled_interest: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RepaymentTable {
  id: string;
  loan_id: string;
  amount: Numeric;
  currency: string;
  paid_on: DateColumn;
  channel: string;
  external_reference: string;
  penalty_paid: Numeric;
  interest_paid: Numeric;
  principal_paid: Numeric;
  prepaid_principal: Numeric;
  /** Per-instalment fees it paid (migration 0040). */
  fee_paid: NumericDefault;
  recorded_by: string;
  recorded_at: Generated<Date>;
  /** Set when the repayment was reversed: it no longer counts, the loan's allocation was redone without it. */
  reversed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  reversed_by: ColumnType<string | null, string | null | undefined, string | null>;
  reversal_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** The schedule version its prepayment created (the rest re-amortised), null otherwise. */
  rescheduled_version: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface RepaymentAllocationTable {
  repayment_id: string;
  loan_id: string;
  version: number;
  number: number;
  paid_on: DateColumn;
  penalty: Numeric;
  interest: Numeric;
  principal: Numeric;
  fee: NumericDefault;
}

export interface LoanDelinquencyTable {
  loan_id: string;
  as_of: DateColumn;
  dpd: number;
  bucket: DelinquencyBucket;
  risk_class: RiskClass;
  outstanding_principal: Numeric;
  overdue_amount: Numeric;
  penalty: Numeric;
  /** DAILY_ACCRUAL loans: interest accrued by the date and unpaid (migration 0040); null for the other methods. */
  accrued_interest: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One reminder (DUE) and one overdue notice (OVERDUE) per instalment: events go out once. */
export interface InstalmentNoticeTable {
  loan_id: string;
  version: number;
  number: number;
  kind: 'DUE' | 'OVERDUE';
  as_of: DateColumn;
}

export interface RiskClassThresholdTable {
  risk_class: RiskClass;
  min_dpd: number;
}

export interface RiskClassChangeTable {
  id: string;
  loan_id: string;
  as_of: DateColumn;
  previous_class: RiskClass;
  risk_class: RiskClass;
  reason: string;
  override: boolean;
  changed_by: string | null;
  changed_at: Generated<Date>;
}

export interface CustomerReplicaTable {
  id: string;
  display_name: string;
  kind: string;
  branch_id: string;
  relationship_manager_id: string | null;
  industry: string | null;
  /** The customer's address region (migration 0031; crisis measures by region). */
  region: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Date;
}

export interface IndustryWatchTable {
  industry: string;
  added_at: Generated<Date>;
}

export interface WarningRuleTable {
  code: string;
  kind: WarningRuleKind;
  threshold: string | null;
  severity: WarningSeverity;
  active: Generated<boolean>;
  description: string;
}

export interface WarningResponseDeadlineTable {
  severity: WarningSeverity;
  response_hours: number;
}

export type WarningIndicators = Record<string, string | number | boolean | null>;

export interface RiskWarningTable {
  id: string;
  loan_id: string;
  customer_id: string;
  rule_code: string;
  severity: WarningSeverity;
  indicators: ColumnType<WarningIndicators, string, string>;
  status: WarningStatus;
  officer_id: string | null;
  raised_at: Date;
  response_due_at: Date;
  acknowledged_at: Date | null;
  action_taken_at: Date | null;
  resolved_at: Date | null;
  escalated_at: Date | null;
  note: string | null;
  /** The outcome of the resolved warning (migration 0032), who recorded it, when, and whether it was resolved before 30 DPD. */
  outcome: ColumnType<RiskWarningOutcome | null, RiskWarningOutcome | null | undefined, RiskWarningOutcome | null>;
  outcome_recorded_by: ColumnType<string | null, string | null | undefined, string | null>;
  outcome_recorded_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  resolved_before_30_dpd: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
}

export interface RiskWarningTransitionTable {
  warning_id: string;
  from_status: WarningStatus | null;
  to_status: WarningStatus;
  changed_by: string | null;
  note: string | null;
  changed_at: Date;
}

export interface CollateralTable {
  id: string;
  loan_id: string;
  type: string;
  description: string;
  idempotency_key: string | null;
  created_at: Generated<Date>;
}

export interface CollateralValuationTable {
  id: string;
  collateral_id: string;
  value: Numeric;
  valued_on: DateColumn;
  recorded_by: string;
  recorded_at: Date;
}

export interface GuarantorTable {
  id: string;
  loan_id: string;
  name: string;
  guarantor_customer_id: string | null;
  relationship: string | null;
  guaranteed_amount: Numeric;
  created_at: Generated<Date>;
}

export interface CreditReviewTable {
  id: string;
  loan_id: string;
  reviewed_on: DateColumn;
  rating: string;
  findings: string;
  fund_use_as_declared: boolean;
  reviewer_id: string;
  idempotency_key: string | null;
  created_at: Generated<Date>;
}

export interface RestructuringTable {
  id: string;
  loan_id: string;
  kind: RestructuringKind;
  instalments: number | null;
  new_rate: string | null;
  effective_on: DateColumn;
  reason: string;
  status: RestructuringStatus;
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  from_version: number | null;
  to_version: number | null;
  idempotency_key: string | null;
  /** The crisis measure that granted it in bulk (migration 0031), null for an individual request. */
  crisis_measure_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DB extends EventTables, AuditTables, JobRunTables, CrisisTables {
  loan_product: LoanProductTable;
  loan: LoanTable;
  instalment: InstalmentTable;
  repayment: RepaymentTable;
  repayment_allocation: RepaymentAllocationTable;
  loan_delinquency: LoanDelinquencyTable;
  instalment_notice: InstalmentNoticeTable;
  risk_class_threshold: RiskClassThresholdTable;
  risk_class_change: RiskClassChangeTable;
  customer_replica: CustomerReplicaTable;
  industry_watch: IndustryWatchTable;
  warning_rule: WarningRuleTable;
  warning_response_deadline: WarningResponseDeadlineTable;
  risk_warning: RiskWarningTable;
  risk_warning_transition: RiskWarningTransitionTable;
  collateral: CollateralTable;
  collateral_valuation: CollateralValuationTable;
  guarantor: GuarantorTable;
  credit_review: CreditReviewTable;
  restructuring: RestructuringTable;
  approval_policy: ApprovalPolicyTable;
  business_date: BusinessDateTable;
}

export type LoanRow = Selectable<LoanTable>;
export type NewLoan = Insertable<LoanTable>;
export type LoanProductRow = Selectable<LoanProductTable>;
export type InstalmentRow = Selectable<InstalmentTable>;
export type RepaymentRow = Selectable<RepaymentTable>;
export type RiskWarningRow = Selectable<RiskWarningTable>;
export type CustomerReplicaRow = Selectable<CustomerReplicaTable>;
export type CollateralRow = Selectable<CollateralTable>;
export type GuarantorRow = Selectable<GuarantorTable>;
export type CollateralValuationRow = Selectable<CollateralValuationTable>;
export type CreditReviewRow = Selectable<CreditReviewTable>;
export type RestructuringRow = Selectable<RestructuringTable>;
export type WarningRuleRow = Selectable<WarningRuleTable>;
export type RiskClassChangeRow = Selectable<RiskClassChangeTable>;
export type RiskClassThresholdRow = Selectable<RiskClassThresholdTable>;
export type ApprovalPolicyRow = Selectable<ApprovalPolicyTable>;
/** One end-of-day snapshot of a loan: DPD, bucket, class, outstanding and penalty as of a business date. */
export type LoanDelinquencyRow = Selectable<LoanDelinquencyTable>;
