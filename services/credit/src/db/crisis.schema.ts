import type { CountedConnection } from '@crm/service-kit';
import type { ColumnType, Generated, Selectable } from 'kysely';

/** `date` columns: written as YYYY-MM-DD, read back as strings. */
type DateColumn = ColumnType<string, string, string>;
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>;

export type CrisisMeasureKind = 'PAYMENT_HOLIDAY' | 'PENALTY_WAIVER';
export type CrisisMeasureStatus = 'DECLARED' | 'APPROVED' | 'REJECTED';

/** Who a crisis measure covers (see domain/crisis.ts): every non-empty criterion must hold. */
export interface CrisisScopeJson {
  branchIds: string[];
  regions: string[];
  industries: string[];
  customerKinds: string[];
  customerIds: string[];
}

/** Tables of issue 15 in credit (migrations 0030 and 0031): loyalty pricing and crisis measures. */
export interface CrisisTables {
  customer_tier_replica: CustomerTierReplicaTable;
  loyalty_tier_replica: LoyaltyTierReplicaTable;
  crisis_measure: CrisisMeasureTable;
  crisis_measure_loan: CrisisMeasureLoanTable;
  crisis_penalty_waiver: CrisisPenaltyWaiverTable;
  review_cadence_replica: ReviewCadenceReplicaTable;
}

/** What credit knows of a customer's loyalty tier and its rate discount (from loyalty's events). */
export interface CustomerTierReplicaTable {
  customer_id: string;
  tier: string;
  rate_discount_bps: number;
  tier_effective_on: DateColumn;
  tier_as_of: Date;
  discount_as_of: Date;
}

/** The tiers' rate discounts as loyalty last defined them (LoyaltyTierDefined). */
export interface LoyaltyTierReplicaTable {
  tier: string;
  rate_discount_bps: number;
  defined_at: Date;
}

export interface CrisisMeasureTable {
  id: string;
  name: string;
  kind: CrisisMeasureKind;
  scope: ColumnType<CrisisScopeJson, string, string>;
  instalments: number | null;
  effective_on: NullableDate;
  waiver_from: NullableDate;
  waiver_to: NullableDate;
  reason: string;
  status: CrisisMeasureStatus;
  branch_id: string | null;
  declared_by: string;
  declared_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  loans_affected: Generated<number>;
  loans_skipped: Generated<number>;
  idempotency_key: string | null;
}

export interface CrisisMeasureLoanTable {
  measure_id: string;
  loan_id: string;
  customer_id: string;
  currency: string;
  status: 'APPLIED' | 'SKIPPED';
  skip_reason: string | null;
  outstanding_principal: string;
  amount_deferred: ColumnType<string, string | undefined, string>;
  restructuring_id: string | null;
  from_version: number | null;
  to_version: number | null;
  waiver_from: NullableDate;
  waiver_to: NullableDate;
}

export interface CrisisPenaltyWaiverTable {
  measure_id: string;
  loan_id: string;
  number: number;
  version: number;
  currency: string;
  penalty_waived: string;
  as_of: DateColumn;
}

export type CrisisMeasureRow = Selectable<CrisisMeasureTable>;
export type CrisisMeasureLoanRow = Selectable<CrisisMeasureLoanTable>;
export type CustomerTierReplicaRow = Selectable<CustomerTierReplicaTable>;

/** The connections' shapes (a page and its lazy count). */
export type CrisisMeasurePage = CountedConnection<CrisisMeasureRow>;
export type CrisisMeasureLoanPage = CountedConnection<CrisisMeasureLoanRow & { penalty_waived: string }>;

/** Engagement's monitoring cadence as credit keeps it (migration 0045): the review interval per risk class and band. */
export interface ReviewCadenceReplicaTable {
  risk_class: string;
  min_principal: ColumnType<string, string, string>;
  review_every_days: number;
  as_of: ColumnType<Date, Date | string, Date | string>;
}
