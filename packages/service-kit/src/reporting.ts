import { Decimal } from 'decimal.js';
import { type RawBuilder, sql } from 'kysely';
import { badUserInput } from './errors.ts';

/**
 * The one shape of every service's KPI query (`<service>Kpi(metric:, groupBy:, from:, to:)`,
 * returning the shared `KpiRow` of sdl/access.graphql). A service defines its metrics as data
 * here (formula in words, supported dimensions) and computes each one in ONE grouped SQL
 * statement returning numerator and denominator per group; `kpiRows` turns them into rows.
 */

export type KpiDimension = 'BRANCH' | 'OFFICER' | 'PRODUCT' | 'SEGMENT' | 'MONTH' | 'CURRENCY' | 'FROM_GRADE' | 'TO_GRADE' | 'TIER';

export interface KpiDefinition {
  /** The metric's enum value (`CHURN_RATE`). */
  metric: string;
  /** The formula in words, as documented in the schema and the service's README. */
  formula: string;
  /** The dimensions this metric can be grouped by. */
  dimensions: readonly KpiDimension[];
  /** How `value` is derived from the parts: a ratio (4 decimals), a mean (2 decimals) or the numerator as is. */
  kind: 'RATIO' | 'MEAN' | 'TOTAL';
}

export interface KpiRequest {
  groupBy?: readonly KpiDimension[] | null;
  from: string;
  to: string;
}

export interface KpiGroupValue {
  dimension: KpiDimension;
  value: string | null;
}

export interface KpiRowResult {
  metric: string;
  group: KpiGroupValue[];
  value: string | null;
  numerator: string | null;
  denominator: string | null;
}

/** The longest period one KPI call may cover: ten years of daily data is already a warehouse's job. */
const MAX_KPI_DAYS = 3660;

/**
 * Checks a KPI request against its metric: known dimensions, no repeats, from <= to, a bounded
 * period. Bad requests are BAD_USER_INPUT on the argument at fault, before any SQL runs.
 */
export function checkKpiRequest(definition: KpiDefinition, request: KpiRequest): readonly KpiDimension[] {
  const groupBy = request.groupBy ?? [];
  const unsupported = groupBy.filter((d) => !definition.dimensions.includes(d));
  if (unsupported.length) {
    throw badUserInput(
      `${definition.metric} cannot be grouped by ${unsupported.join(', ')}; it supports ${definition.dimensions.join(', ') || 'no dimension'}`,
      'groupBy',
    );
  }
  if (new Set(groupBy).size !== groupBy.length) throw badUserInput('groupBy names a dimension twice', 'groupBy');
  if (request.from > request.to) throw badUserInput('from is after to', 'from');
  const days = (Date.parse(`${request.to}T00:00:00Z`) - Date.parse(`${request.from}T00:00:00Z`)) / 86_400_000;
  if (days > MAX_KPI_DAYS) throw badUserInput(`The period may cover at most ${MAX_KPI_DAYS} days`, 'to');
  return groupBy;
}

/** The SQL expression of a MONTH group over a date or timestamp column (`YYYY-MM`). */
export function monthOf(column: RawBuilder<unknown> | string): RawBuilder<string> {
  const ref = typeof column === 'string' ? sql.ref(column) : column;
  return sql<string>`to_char(${ref}, 'YYYY-MM')`;
}

/** One grouped row as the SQL returns it: a value per dimension (`g_branch`...) and the parts. */
export interface KpiSqlRow {
  numerator: string | number | null;
  denominator: string | number | null;
  [group: string]: string | number | null;
}

/** The column name a dimension's value takes in a KPI's SQL (`g_branch`). */
export function kpiGroupColumn(dimension: KpiDimension): string {
  return `g_${dimension.toLowerCase()}`;
}

/** Turns grouped SQL rows into KPI rows, ordered by group; values exact (decimal.js), HALF_EVEN. */
export function kpiRows(definition: KpiDefinition, groupBy: readonly KpiDimension[], rows: readonly KpiSqlRow[]): KpiRowResult[] {
  const result = rows.map((row) => {
    const numerator = row.numerator === null ? null : new Decimal(row.numerator);
    const denominator = row.denominator === null ? null : new Decimal(row.denominator);
    let value: string | null;
    if (definition.kind === 'TOTAL') value = numerator ? numerator.toFixed() : null;
    else if (!numerator || !denominator || denominator.isZero()) value = null;
    else
      value = numerator
        .div(denominator)
        .toDecimalPlaces(definition.kind === 'RATIO' ? 4 : 2, Decimal.ROUND_HALF_EVEN)
        .toFixed();
    return {
      metric: definition.metric,
      group: groupBy.map((dimension) => {
        const v = row[kpiGroupColumn(dimension)];
        return { dimension, value: v === null || v === undefined ? null : String(v) };
      }),
      value,
      numerator: numerator ? numerator.toFixed() : null,
      denominator: denominator ? denominator.toFixed() : null,
    };
  });
  const key = (r: KpiRowResult) => r.group.map((g) => g.value ?? '').join('\u0000');
  return result.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
