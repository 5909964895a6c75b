import type { EventTables } from '@crm/events';
import type { Generated, Insertable, Selectable } from 'kysely';

export type PointsEntryKind = 'EARN' | 'REDEEM' | 'EXPIRE' | 'ADJUST' | 'REVERSE';

export interface LoyaltyAccountTable {
  id: string;
  customer_id: string;
  tier: string;
  referral_code: string;
  opened_at: Date;
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
}

/** Earning rules are data: points per rule code, changed without a release. */
export interface EarningRuleTable {
  code: string;
  description: string;
  points: number;
  active: boolean;
}

export interface DB extends EventTables {
  loyalty_account: LoyaltyAccountTable;
  points_entry: PointsEntryTable;
  earning_rule: EarningRuleTable;
}

/** A customer as loyalty resolves it: a reference by id. */
export interface CustomerRef {
  id: string;
}

export type LoyaltyAccountRow = Selectable<LoyaltyAccountTable>;
export type PointsEntryRow = Selectable<PointsEntryTable>;
export type NewPointsEntry = Insertable<PointsEntryTable>;
export type EarningRuleRow = Selectable<EarningRuleTable>;
