import { endOfDate, type KpiDimension, type KpiSqlRow, kpiGroupColumn, type Scope, startOfDate } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { expressionBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import type { LoyaltyKpiMetric } from '../domain/kpis.ts';
import { accountInScope } from './account.store.ts';
import type { DB } from './schema.ts';

export interface KpiQuery {
  groupBy: readonly KpiDimension[];
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
  scope: Scope;
}

/** The programme's point value, for POINTS_LIABILITY. */
export interface PointValue {
  value: string;
  currency: string;
  /** Decimals of the currency's minor unit. */
  minorUnits: number;
}

/** `expr as g_dim, ...` for the dimensions asked, and the same expressions for GROUP BY. */
function groups(groupBy: readonly KpiDimension[], expressionOf: (d: KpiDimension) => RawBuilder<unknown>) {
  const selected = groupBy.map((d) => sql`${expressionOf(d)} as ${sql.id(kpiGroupColumn(d))}`);
  const keys = groupBy.map((d) => expressionOf(d));
  return { select: selected.length ? sql`${sql.join(selected)},` : sql``, groupBy: keys.length ? sql`group by ${sql.join(keys)}` : sql`` };
}

/** The member's dimensions over an account (or a row with its columns) aliased `alias`: branch, manager and tier now. */
function memberDimension(d: KpiDimension, alias = 'a'): RawBuilder<unknown> | null {
  switch (d) {
    case 'BRANCH':
      return sql.ref(`${alias}.branch_id`);
    case 'OFFICER':
      return sql.ref(`${alias}.relationship_manager_id`);
    case 'TIER':
      return sql.ref(`${alias}.tier`);
    default:
      return null;
  }
}

const inScope = (scope: Scope) => accountInScope(scope)(expressionBuilder<DB, 'loyalty_account'>());

/**
 * POINTS_EARNED, POINTS_REDEEMED, POINTS_EXPIRED, REDEMPTION_RATE (domain/kpis.ts): the ledger
 * entries recorded in [from, to], grouped by member dimension and the entry's month (UTC). The
 * same conditions as the programme summary (db/programme.store.ts).
 */
export async function ledgerFlow(
  db: Kysely<DB>,
  metric: Exclude<LoyaltyKpiMetric, 'POINTS_LIABILITY' | 'POINTS_OUTSTANDING'>,
  q: KpiQuery,
): Promise<KpiSqlRow[]> {
  const g = groups(q.groupBy, (d) => memberDimension(d) ?? sql`to_char(e.created_at at time zone 'UTC', 'YYYY-MM')`);
  const isEarned = sql`(e.kind in ('EARN', 'ADJUST') and e.points > 0)`;
  const isRefund = sql`(e.kind = 'REVERSE' and e.points > 0)`;
  const earned = sql`coalesce(sum(e.points) filter (where ${isEarned}), 0)`;
  const redeemed = sql`(coalesce(-sum(e.points) filter (where e.kind = 'REDEEM'), 0) - coalesce(sum(e.points) filter (where ${isRefund}), 0))`;
  // Only the entries the metric counts: a group without any has no row.
  const counted: Record<typeof metric, RawBuilder<unknown>> = {
    POINTS_EARNED: isEarned,
    POINTS_REDEEMED: sql`(e.kind = 'REDEEM' or ${isRefund})`,
    POINTS_EXPIRED: sql`e.kind = 'EXPIRE'`,
    REDEMPTION_RATE: sql`(${isEarned} or e.kind = 'REDEEM' or ${isRefund})`,
  };
  const parts: Record<typeof metric, RawBuilder<unknown>> = {
    POINTS_EARNED: sql`${earned} as numerator, count(distinct e.account_id) as denominator`,
    POINTS_REDEEMED: sql`${redeemed} as numerator, count(*) filter (where e.kind = 'REDEEM') as denominator`,
    POINTS_EXPIRED: sql`coalesce(-sum(e.points), 0) as numerator, count(distinct e.account_id) as denominator`,
    REDEMPTION_RATE: sql`${redeemed} as numerator, ${earned} as denominator`,
  };
  const result = await sql<KpiSqlRow>`
    select ${g.select} ${parts[metric]}
      from points_entry e join loyalty_account a on a.id = e.account_id
     where e.created_at >= ${startOfDate(q.from)} and e.created_at < ${endOfDate(q.to)} and ${counted[metric]} and ${inScope(q.scope)}
     ${g.groupBy}`.execute(db);
  return result.rows;
}

/**
 * POINTS_OUTSTANDING and POINTS_LIABILITY (domain/kpis.ts): every member's balance at a cut-off
 * (the end of `to`, or with MONTH the end of each month of the period), grouped. The liability
 * multiplies the points by the point value in SQL (numeric, exact) and rounds each group's amount
 * to the currency's minor unit here (HALF_EVEN).
 */
export async function outstandingPoints(db: Kysely<DB>, q: KpiQuery, pointValue: PointValue | null): Promise<KpiSqlRow[]> {
  const end = endOfDate(q.to);
  const g = groups(q.groupBy, (d) => {
    if (d === 'CURRENCY') return sql`${pointValue?.currency ?? null}::text`;
    return memberDimension(d, 'b') ?? sql`b.month`;
  });
  // One cut-off per month of the period (the last one ends with `to`), or only the end of `to`.
  const cuts = q.groupBy.includes('MONTH')
    ? sql`select to_char(m, 'YYYY-MM') as month, least((m + interval '1 month') at time zone 'UTC', ${end}::timestamptz) as cutoff
            from generate_series(date_trunc('month', ${q.from}::date::timestamp), ${q.to}::date::timestamp, interval '1 month') m`
    : sql`select null::text as month, ${end}::timestamptz as cutoff`;
  const numerator = pointValue ? sql`sum(b.points) * ${pointValue.value}::numeric` : sql`sum(b.points)`;
  const denominator = pointValue ? sql`sum(b.points)` : sql`count(*) filter (where b.points > 0)`;
  const result = await sql<KpiSqlRow>`
    with cut as (${cuts}),
    b as (
      select a.id, a.branch_id, a.relationship_manager_id, a.tier, c.month, coalesce(sum(e.points), 0) as points
        from loyalty_account a
        cross join cut c
        left join points_entry e on e.account_id = a.id and e.created_at < c.cutoff
       where ${inScope(q.scope)}
       group by a.id, a.branch_id, a.relationship_manager_id, a.tier, c.month
    )
    select ${g.select} ${numerator} as numerator, ${denominator} as denominator
      from b
     ${g.groupBy}`.execute(db);
  if (!pointValue) return result.rows;
  const { minorUnits } = pointValue;
  return result.rows.map((r) => ({
    ...r,
    numerator: r.numerator === null ? null : new Decimal(r.numerator).toDecimalPlaces(minorUnits, Decimal.ROUND_HALF_EVEN).toFixed(minorUnits),
  }));
}
