import type { EventTables } from '@crm/events';
import type { AuditTables, BusinessDateReplicaTables, JobRunTables } from '@crm/service-kit';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

import type { PointsEntryKind } from '../domain/expiry.ts';

export type { PointsEntryKind };
export type RuleCalculation = 'FIXED' | 'PROPORTIONAL';
export type RewardKind = 'GIFT' | 'RATE_DISCOUNT_VOUCHER' | 'FEE_WAIVER';
export type RedemptionStatus = 'ACTIVE' | 'CANCELLED';

/** A member; also loyalty's local replica of the customer's branch and birth date. */
export interface LoyaltyAccountTable {
  id: string;
  customer_id: string;
  tier: string;
  referral_code: string;
  opened_at: Date;
  branch_id: Generated<string | null>;
  /** The customer's relationship manager (staff user id): loan officers see the members assigned to them. */
  relationship_manager_id: Generated<string | null>;
  /** YYYY-MM-DD. */
  birth_date: Generated<string | null>;
  tier_since: Generated<string | null>;
  /** When the member no longer qualifies: the tier drops on this date unless they requalify. */
  downgrade_on: Generated<string | null>;
}

/** Append-only: entries are never updated or deleted; the balance is their sum. */
export interface PointsEntryTable {
  id: string;
  account_id: string;
  kind: PointsEntryKind;
  points: number;
  reason: string;
  source_id: string;
  created_at: Generated<Date>;
  expires_at: Date | null;
  /** The earning rule that produced the entry. */
  rule_code: Generated<string | null>;
  /** Business key a rule earns once for (`loan-1#3` for an instalment): unique with account and rule. */
  source_ref: Generated<string | null>;
  /** Who adjusted (staff user id), for ADJUST entries. */
  actor_id: Generated<string | null>;
}

/** Earning rules are data: points per rule code, changed without a release. */
export interface EarningRuleTable {
  code: string;
  description: string;
  /** FIXED: these points; PROPORTIONAL: ignored, `rate` per currency unit. */
  points: number;
  active: boolean;
  calculation: Generated<RuleCalculation>;
  /** Points per currency unit, decimal string. */
  rate: Generated<string | null>;
  tier_multiplier: Generated<boolean>;
}

export interface LoyaltySettingTable {
  id: number;
  points_validity_months: number;
  expiry_warning_days: number;
  tier_window_months: number;
  tier_grace_days: number;
  /** What one point is worth (decimal string), for the points liability; null: not set. */
  point_value: Generated<string | null>;
  /** Currency of `point_value` (ISO 4217); set with it. */
  point_value_currency: Generated<string | null>;
}

export interface LoyaltyTierTable {
  code: string;
  name: string;
  rank: number;
  threshold: number;
  /** Decimal string: earned points are multiplied by it, rounded down. */
  multiplier: string;
  rate_discount_bps: number;
  fee_waivers_per_year: number;
  priority_service: boolean;
  dedicated_manager: boolean;
  birthday_gift: boolean;
}

export interface PointsExpiryWarningTable {
  account_id: string;
  expires_on: string;
  points: number;
  warned_on: string;
}

export interface RewardTable {
  id: string;
  code: string;
  name: string;
  kind: RewardKind;
  points_cost: number;
  /** Null: unlimited. */
  stock: number | null;
  min_tier: string | null;
  rate_discount_bps: number | null;
  /** Money the reward is worth (a waived fee), decimal string. */
  face_value: string | null;
  currency: string | null;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface RedemptionTable {
  id: string;
  account_id: string;
  reward_id: string;
  points: number;
  status: RedemptionStatus;
  idempotency_key: string | null;
  redeemed_by: string;
  redeemed_at: Date;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  cancelled_by: Generated<string | null>;
}

/** Audit of programme changes by administrators. */
export interface ProgrammeChangeTable {
  id: string;
  /** EARNING_RULE, TIER, REWARD, SETTINGS. */
  entity: string;
  entity_key: string;
  actor_id: string;
  changed_at: Generated<Date>;
  before: ColumnType<unknown, string | null, string | null>;
  after: ColumnType<unknown, string, string>;
}

export interface ReferralTable {
  referred_customer_id: string;
  referrer_account_id: string;
  referral_code: string;
  registered_at: Date;
  rewarded_at: Date | null;
  reward_entry_id: string | null;
}

export interface DB extends EventTables, AuditTables, JobRunTables, BusinessDateReplicaTables {
  loyalty_account: LoyaltyAccountTable;
  points_entry: PointsEntryTable;
  earning_rule: EarningRuleTable;
  loyalty_setting: LoyaltySettingTable;
  loyalty_tier: LoyaltyTierTable;
  points_expiry_warning: PointsExpiryWarningTable;
  reward: RewardTable;
  redemption: RedemptionTable;
  referral: ReferralTable;
  programme_change: ProgrammeChangeTable;
}

/** A customer as loyalty resolves it: a reference by id. */
export interface CustomerRef {
  id: string;
}

export type LoyaltyAccountRow = Selectable<LoyaltyAccountTable>;
export type PointsEntryRow = Selectable<PointsEntryTable>;
export type NewPointsEntry = Insertable<PointsEntryTable>;
export type EarningRuleRow = Selectable<EarningRuleTable>;
export type LoyaltySettingRow = Selectable<LoyaltySettingTable>;
export type LoyaltyTierRow = Selectable<LoyaltyTierTable>;
export type RewardRow = Selectable<RewardTable>;
export type RedemptionRow = Selectable<RedemptionTable>;
