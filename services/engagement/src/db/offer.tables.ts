import type { CountedConnection } from '@crm/service-kit';
import type { ColumnType, Selectable } from 'kysely';
import type { OfferConditions, OfferKind, OfferReason, OfferStatus, RetentionOutcome } from '../domain/offers.ts';

/**
 * The tables of next-best offers and outcomes (issue 15; migration 0030), part of engagement's
 * `DB` (schema.ts).
 */

type DateColumn = ColumnType<string, string, string>;
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>;
type NullableText = ColumnType<string | null, string | null | undefined, string | null>;
type NullableInstant = ColumnType<Date | null, Date | null | undefined, Date | null>;

export interface OfferTables {
  offer_rule: OfferRuleTable;
  offer: OfferTable;
  offer_customer_fact: OfferCustomerFactTable;
}

export interface OfferRuleTable {
  code: string;
  kind: OfferKind;
  title: string;
  /** 1-100: a customer's offers are ranked by it, highest first. */
  priority: number;
  conditions: ColumnType<OfferConditions, string, string>;
  valid_days: number;
  cooldown_days: number;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  updated_by: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface OfferTable {
  id: string;
  customer_id: string;
  rule_code: string;
  kind: OfferKind;
  rank: number;
  reasons: ColumnType<OfferReason[], string, string>;
  status: OfferStatus;
  made_on: DateColumn;
  valid_until: DateColumn;
  made_at: Date;
  assignee_id: string | null;
  closed_on: NullableDate;
  outcome_recorded_by: NullableText;
  outcome_recorded_at: NullableInstant;
  withdrawn_reason: ColumnType<
    'EXPIRED' | 'NO_LONGER_ELIGIBLE' | null,
    'EXPIRED' | 'NO_LONGER_ELIGIBLE' | null | undefined,
    'EXPIRED' | 'NO_LONGER_ELIGIBLE' | null
  >;
}

/** What offers need of a customer that no other replica keeps. */
export interface OfferCustomerFactTable {
  customer_id: string;
  kind: NullableText;
  tier: NullableText;
  tier_at: NullableInstant;
}

/** The outcome columns of `task` (a retention task's, migration 0030). */
export interface TaskOutcomeColumns {
  outcome: ColumnType<RetentionOutcome | null, RetentionOutcome | null | undefined, RetentionOutcome | null>;
  outcome_recorded_by: NullableText;
  outcome_recorded_at: NullableInstant;
}

export type OfferRuleRow = Selectable<OfferRuleTable>;
export type OfferRow = Selectable<OfferTable>;
/** A page of offers and its lazy count. */
export type OfferPage = CountedConnection<OfferRow>;
