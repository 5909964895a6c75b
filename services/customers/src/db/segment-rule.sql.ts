import { DELINQUENCY_BUCKETS } from '@crm/events';
import { isoDate } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { AGE_BANDS, type Attribute, type Comparison, needsProfilingConsent, type SegmentRule } from '../domain/segment-rule.ts';
import type { DB } from './schema.ts';

type EB = ExpressionBuilder<DB, 'customer'>;

/**
 * Whether the customer's PROFILING consent is granted now: their latest answer for the purpose
 * (by time, then id, as `findCurrentConsents` orders them), false when never answered. One
 * indexed lookup per customer (consent_record_customer_idx).
 */
export function profilingGranted(eb: EB): Expression<SqlBool> {
  const latest = eb
    .selectFrom('consent_record as cr')
    .select('cr.granted')
    .whereRef('cr.customer_id', '=', 'customer.id')
    .where('cr.purpose', '=', 'PROFILING')
    .orderBy('cr.changed_at', 'desc')
    .orderBy('cr.id', 'desc')
    .limit(1);
  return eb.fn.coalesce(latest, eb.lit(false));
}

type EnumColumn =
  | 'customer.kind'
  | 'customer.status'
  | 'customer.income_band'
  | 'customer.risk_appetite'
  | 'customer.grade'
  | 'customer.preferred_channel'
  | 'customer.education_level';
type TextColumn = 'customer.region' | 'customer.city' | 'customer.branch_id' | 'customer.preferred_language';
type ListColumn = 'customer.tags' | 'customer.special_care' | 'customer.interests';

/**
 * A column of `customer` as a segment reads it for an attribute (an identifier, never a value:
 * values stay parameters): the attributes of PROFILING_ATTRIBUTES only under the PROFILING
 * consent, else as not stated (null).
 */
function readable(eb: EB, attribute: Attribute, column: EnumColumn | TextColumn): Expression<string | null> {
  const ref = sql.ref<string | null>(column);
  return needsProfilingConsent(attribute) ? eb.case().when(profilingGranted(eb)).then(ref).else(null).end() : ref;
}

/** The same for a list column: none without the consent. */
function readableList(eb: EB, attribute: Attribute, column: ListColumn): Expression<string[]> {
  const ref = sql.ref<string[]>(column);
  return needsProfilingConsent(attribute) ? eb.case().when(profilingGranted(eb)).then(ref).else(sql<string[]>`'{}'::text[]`).end() : ref;
}

/** YYYY-MM-DD `years` before `today` (the birth date of someone turning `years` today). */
function yearsBefore(today: string, years: number): string {
  const [y, m, d] = today.split('-').map(Number);
  const date = new Date(Date.UTC((y ?? 0) - years, (m ?? 1) - 1, d ?? 1));
  // 29 February in a year without one rolls to 1 March, which is when the birthday is counted.
  return isoDate(date);
}

/** Individuals of age >= years (as of today). */
const ageAtLeast = (eb: EB, today: string, years: number) =>
  eb.exists(
    eb
      .selectFrom('individual_profile as ip')
      .select('ip.customer_id')
      .whereRef('ip.customer_id', '=', 'customer.id')
      .where('ip.birth_date', '<=', yearsBefore(today, years)),
  );
/** Individuals of age < years (with a known birth date). */
const ageBelow = (eb: EB, today: string, years: number) =>
  eb.exists(
    eb
      .selectFrom('individual_profile as ip')
      .select('ip.customer_id')
      .whereRef('ip.customer_id', '=', 'customer.id')
      .where('ip.birth_date', '>', yearsBefore(today, years)),
  );

function ageIn(eb: EB, today: string, from: number, to: number | null): Expression<SqlBool> {
  const parts = [ageAtLeast(eb, today, from)];
  if (to !== null) parts.push(ageBelow(eb, today, to));
  return eb.and(parts);
}

function textColumn(attribute: 'region' | 'city' | 'branchId' | 'preferredLanguage'): TextColumn {
  if (attribute === 'preferredLanguage') return 'customer.preferred_language';
  return attribute === 'branchId' ? 'customer.branch_id' : attribute === 'region' ? 'customer.region' : 'customer.city';
}

/** A text comparison, case-insensitive; the value is always a bound parameter. */
function compareText(eb: EB, column: TextColumn, c: Comparison) {
  const lower = eb.fn<string>('lower', [readable(eb, c.attribute, column)]);
  return textPredicate(eb, lower, c);
}

function textPredicate(eb: EB, lower: Expression<string>, c: Comparison): Expression<SqlBool> {
  switch (c.op) {
    case 'eq':
      return eb(lower, '=', String(c.value).toLowerCase());
    case 'neq':
      return eb.or([eb(lower, 'is', null), eb(lower, '!=', String(c.value).toLowerCase())]);
    case 'in':
      return eb(lower, 'in', Array.isArray(c.value) ? c.value.map((v) => v.toLowerCase()) : []);
    case 'notIn':
      return eb.or([eb(lower, 'is', null), eb(lower, 'not in', Array.isArray(c.value) ? c.value.map((v) => v.toLowerCase()) : [])]);
    case 'contains': {
      const escaped = String(c.value)
        .toLowerCase()
        .replace(/[\\%_]/g, (m) => `\\${m}`);
      return eb(lower, 'like', `%${escaped}%`);
    }
    default:
      return eb.lit(false);
  }
}

/** A profile text column (occupation, industry) tested inside its profile table. */
function compareProfileText(eb: EB, c: Comparison, table: 'individual_profile' | 'enterprise_profile'): Expression<SqlBool> {
  const negated = c.op === 'neq' || c.op === 'notIn';
  const positive: Comparison = negated ? (c.op === 'neq' ? { ...c, op: 'eq' } : { ...c, op: 'in' }) : c;
  const match =
    table === 'individual_profile'
      ? eb.exists(
          eb
            .selectFrom('individual_profile as p')
            .select('p.customer_id')
            .whereRef('p.customer_id', '=', 'customer.id')
            .where((pb) => textPredicate(eb, pb.fn<string>('lower', ['p.occupation']), positive)),
        )
      : eb.exists(
          eb
            .selectFrom('enterprise_profile as p')
            .select('p.customer_id')
            .whereRef('p.customer_id', '=', 'customer.id')
            .where((pb) => textPredicate(eb, pb.fn<string>('lower', ['p.industry']), positive)),
        );
  return negated ? eb.not(match) : match;
}

function compareEnum(eb: EB, name: EnumColumn, c: Comparison) {
  const column = readable(eb, c.attribute, name);
  switch (c.op) {
    case 'eq':
      return eb(column, '=', String(c.value));
    case 'neq':
      return eb.or([eb(column, 'is', null), eb(column, '!=', String(c.value))]);
    case 'in':
      return eb(column, 'in', Array.isArray(c.value) ? c.value : []);
    case 'notIn':
      return eb.or([eb(column, 'is', null), eb(column, 'not in', Array.isArray(c.value) ? c.value : [])]);
    default:
      return eb.lit(false);
  }
}

function compareNumber(eb: EB, left: Expression<number>, c: Comparison): Expression<SqlBool> {
  const n = Number(c.value);
  switch (c.op) {
    case 'eq':
      return eb(left, '=', n);
    case 'neq':
      return eb(left, '!=', n);
    case 'gt':
      return eb(left, '>', n);
    case 'gte':
      return eb(left, '>=', n);
    case 'lt':
      return eb(left, '<', n);
    case 'lte':
      return eb(left, '<=', n);
    default:
      return eb.lit(false);
  }
}

function compareAge(eb: EB, today: string, c: Comparison): Expression<SqlBool> {
  const n = Number(c.value);
  switch (c.op) {
    case 'eq':
      return ageIn(eb, today, n, n + 1);
    case 'neq':
      return eb.or([ageBelow(eb, today, n), ageAtLeast(eb, today, n + 1)]);
    case 'gt':
      return ageAtLeast(eb, today, n + 1);
    case 'gte':
      return ageAtLeast(eb, today, n);
    case 'lt':
      return ageBelow(eb, today, n);
    case 'lte':
      return ageBelow(eb, today, n + 1);
    default:
      return eb.lit(false);
  }
}

function worstBucket(eb: EB) {
  return eb.fn.coalesce(
    eb
      .selectFrom('customer_loan as l')
      .select('l.bucket')
      .whereRef('l.customer_id', '=', 'customer.id')
      .where('l.closed_on', 'is', null)
      .orderBy('l.days_past_due', 'desc')
      .limit(1),
    eb.val('CURRENT'),
  );
}

function compare(eb: EB, c: Comparison, today: string): Expression<SqlBool> {
  switch (c.attribute) {
    case 'kind':
      return compareEnum(eb, 'customer.kind', c);
    case 'status':
      return compareEnum(eb, 'customer.status', c);
    case 'incomeBand':
      return compareEnum(eb, 'customer.income_band', c);
    case 'riskAppetite':
      return compareEnum(eb, 'customer.risk_appetite', c);
    case 'grade':
      return compareEnum(eb, 'customer.grade', c);
    case 'preferredChannel':
      return compareEnum(eb, 'customer.preferred_channel', c);
    case 'educationLevel':
      return compareEnum(eb, 'customer.education_level', c);
    case 'region':
    case 'city':
    case 'branchId':
    case 'preferredLanguage':
      return compareText(eb, textColumn(c.attribute), c);
    case 'occupation':
      return compareProfileText(eb, c, 'individual_profile');
    case 'industry':
      return compareProfileText(eb, c, 'enterprise_profile');
    case 'age':
      return compareAge(eb, today, c);
    case 'ageBand': {
      const names = Array.isArray(c.value) ? c.value : [String(c.value)];
      const bands = Object.entries(AGE_BANDS).filter(([name]) => names.includes(name));
      const match = eb.or(bands.map(([, [from, to]]) => ageIn(eb, today, from, to)));
      return c.op === 'neq' || c.op === 'notIn' ? eb.not(match) : match;
    }
    case 'tags':
    case 'specialCare':
    case 'interests': {
      const column = readableList(
        eb,
        c.attribute,
        c.attribute === 'tags' ? 'customer.tags' : c.attribute === 'interests' ? 'customer.interests' : 'customer.special_care',
      );
      const values = Array.isArray(c.value) ? c.value : [String(c.value)];
      return eb.or(values.map((v) => eb(eb.val(v), '=', eb.fn.any(column))));
    }
    case 'delinquencyBucket': {
      const bucket = worstBucket(eb);
      if (c.op === 'eq') return eb(bucket, '=', String(c.value));
      if (c.op === 'neq') return eb(bucket, '!=', String(c.value));
      const list = DELINQUENCY_BUCKETS.filter((b) => Array.isArray(c.value) && c.value.includes(b));
      return c.op === 'in' ? eb(bucket, 'in', list) : eb(bucket, 'not in', list);
    }
    case 'activeLoans': {
      const count = eb
        .selectFrom('customer_loan as l')
        .select((lb) => lb.fn.countAll<number>().as('n'))
        .whereRef('l.customer_id', '=', 'customer.id')
        .where('l.closed_on', 'is', null)
        .$asScalar();
      return compareNumber(eb, count, c);
    }
  }
}

/** Compiles a validated rule into a WHERE expression over `customer` (today: for ages). */
export function compileSegmentRule(eb: EB, rule: SegmentRule, today: string): Expression<SqlBool> {
  if ('all' in rule) return eb.and(rule.all.map((r) => compileSegmentRule(eb, r, today)));
  if ('any' in rule) return eb.or(rule.any.map((r) => compileSegmentRule(eb, r, today)));
  if ('not' in rule) return eb.not(compileSegmentRule(eb, rule.not, today));
  return compare(eb, rule, today);
}
