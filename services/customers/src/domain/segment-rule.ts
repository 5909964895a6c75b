import { DELINQUENCY_BUCKETS } from '@crm/events';
import { invalid, type UserError, type Validation, valid } from '@crm/service-kit';
import { EDUCATION_LEVELS } from './profile.ts';

/**
 * The segment rule language: a tree of `all` / `any` / `not` over comparisons of one customer
 * attribute with a value. Stored as JSON, validated here on save, compiled to Kysely
 * expressions by db/segment-rule.sql.ts (values always travel as bound parameters).
 */
export const ATTRIBUTE_TYPES = {
  kind: { type: 'enum', values: ['INDIVIDUAL', 'ENTERPRISE'] },
  status: { type: 'enum', values: ['PROSPECT', 'ACTIVE', 'DORMANT', 'CHURNED'] },
  incomeBand: { type: 'enum', values: ['LOW', 'LOWER_MIDDLE', 'UPPER_MIDDLE', 'HIGH'] },
  ageBand: { type: 'enum', values: ['UNDER_25', 'FROM_25_TO_34', 'FROM_35_TO_44', 'FROM_45_TO_54', 'FROM_55_TO_64', 'FROM_65'] },
  age: { type: 'number' },
  occupation: { type: 'text' },
  region: { type: 'text' },
  city: { type: 'text' },
  branchId: { type: 'text' },
  industry: { type: 'text' },
  riskAppetite: { type: 'enum', values: ['CONSERVATIVE', 'BALANCED', 'AGGRESSIVE'] },
  grade: { type: 'enum', values: ['VIP', 'PREMIUM', 'STANDARD', 'BASIC'] },
  tags: { type: 'list' },
  specialCare: {
    type: 'list',
    values: ['ELDERLY', 'DISABLED', 'LOW_LITERACY', 'VISUALLY_IMPAIRED', 'HEARING_IMPAIRED', 'LANGUAGE_BARRIER', 'FINANCIAL_HARDSHIP'],
  },
  /** Worst days-past-due bucket over the customer's open loans (CURRENT without any). */
  delinquencyBucket: { type: 'enum', values: DELINQUENCY_BUCKETS },
  /** Number of open loans. */
  activeLoans: { type: 'number' },
  /** Preferences (issue 15): the preferred contact channel, language tag, interest codes and education level. */
  preferredChannel: { type: 'enum', values: ['PHONE', 'SMS', 'EMAIL', 'APP', 'MESSAGING', 'VISIT', 'BRANCH'] },
  preferredLanguage: { type: 'text' },
  interests: { type: 'list' },
  educationLevel: { type: 'enum', values: EDUCATION_LEVELS },
} as const satisfies Record<string, { type: 'enum' | 'text' | 'number' | 'list'; values?: readonly string[] }>;

export type Attribute = keyof typeof ATTRIBUTE_TYPES;

/**
 * The customer's stated preferences (issue 15) serve contact whatever the consents: notifications
 * and tasks take their channel, language and contact time. Using them to profile the customer
 * needs the PROFILING consent granted (DOMAIN.md, Consent): a segment (targeting, segment KPIs,
 * the customer list by segment) sees the preferences of a customer without it as not stated (no
 * channel, language or education level, no interests), so neither a condition on them nor its
 * negation says anything about what the customer stated. The consent is read in SQL by
 * `profilingGranted` (db/segment-rule.sql.ts, the latest answer as `consentStates` reads it); this list is the one place that says which
 * attributes it gates.
 */
export const PROFILING_ATTRIBUTES = ['preferredChannel', 'preferredLanguage', 'interests', 'educationLevel'] as const satisfies readonly Attribute[];
export type ProfilingAttribute = (typeof PROFILING_ATTRIBUTES)[number];
export const needsProfilingConsent = (attribute: Attribute): attribute is ProfilingAttribute => (PROFILING_ATTRIBUTES as readonly string[]).includes(attribute);
export type Operator = 'eq' | 'neq' | 'in' | 'notIn' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains';

const OPERATORS: Record<'enum' | 'text' | 'number' | 'list', readonly Operator[]> = {
  enum: ['eq', 'neq', 'in', 'notIn'],
  text: ['eq', 'neq', 'in', 'notIn', 'contains'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'],
  list: ['contains', 'in'],
};

/** Age bands in whole years: [from, to) with to null for open-ended. */
export const AGE_BANDS: Record<(typeof ATTRIBUTE_TYPES)['ageBand']['values'][number], [number, number | null]> = {
  UNDER_25: [0, 25],
  FROM_25_TO_34: [25, 35],
  FROM_35_TO_44: [35, 45],
  FROM_45_TO_54: [45, 55],
  FROM_55_TO_64: [55, 65],
  FROM_65: [65, null],
};

export type Comparison =
  | { attribute: Attribute; op: 'in' | 'notIn'; value: string[] }
  | { attribute: Attribute; op: Operator; value: string }
  | { attribute: Attribute; op: Operator; value: number };

export type SegmentRule = { all: SegmentRule[] } | { any: SegmentRule[] } | { not: SegmentRule } | Comparison;

const MAX_DEPTH = 8;
const MAX_NODES = 100;

const isAttribute = (name: string): name is Attribute => Object.hasOwn(ATTRIBUTE_TYPES, name);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a rule's shape, attributes, operators and value types; `field` is the input path of the rule. */
export function validateSegmentRule(input: unknown, field = 'rule'): Validation<SegmentRule> {
  const errors: UserError[] = [];
  let nodes = 0;
  const err = (path: string, code: string, message: string) => {
    errors.push({ field: path, code, message });
    return null;
  };

  function walk(node: unknown, path: string, depth: number): SegmentRule | null {
    nodes++;
    if (nodes > MAX_NODES || depth > MAX_DEPTH) return err(path, 'RULE_TOO_COMPLEX', `A rule has at most ${MAX_NODES} parts nested ${MAX_DEPTH} deep`);
    if (!isRecord(node)) return err(path, 'INVALID_RULE', 'A rule is an object: {all}, {any}, {not} or {attribute, op, value}');
    const keys = Object.keys(node);
    for (const group of ['all', 'any'] as const) {
      if (!(group in node)) continue;
      if (keys.length !== 1) return err(path, 'INVALID_RULE', `A {${group}} rule has no other keys`);
      const list = node[group];
      if (!Array.isArray(list) || list.length === 0) return err(`${path}.${group}`, 'EMPTY_GROUP', `${group} needs a non-empty list of rules`);
      const rules = list.map((r, i) => walk(r, `${path}.${group}.${i}`, depth + 1));
      const valid = rules.filter((r): r is SegmentRule => r !== null);
      if (valid.length !== rules.length) return null;
      return group === 'all' ? { all: valid } : { any: valid };
    }
    if ('not' in node) {
      if (keys.length !== 1) return err(path, 'INVALID_RULE', 'A {not} rule has no other keys');
      const inner = walk(node.not, `${path}.not`, depth + 1);
      return inner && { not: inner };
    }
    return comparison(node, path);
  }

  function comparison(node: Record<string, unknown>, path: string): SegmentRule | null {
    const { attribute, op, value } = node;
    const extra = Object.keys(node).filter((k) => k !== 'attribute' && k !== 'op' && k !== 'value');
    if (extra.length) return err(`${path}.${extra[0]}`, 'INVALID_RULE', `Unknown key "${extra[0]}" in a comparison`);
    if (typeof attribute !== 'string') return err(`${path}.attribute`, 'REQUIRED', 'A comparison names an attribute');
    if (!isAttribute(attribute))
      return err(`${path}.attribute`, 'UNKNOWN_ATTRIBUTE', `Unknown attribute "${attribute}"; known: ${Object.keys(ATTRIBUTE_TYPES).join(', ')}`);
    const spec: { type: 'enum' | 'text' | 'number' | 'list'; values?: readonly string[] } = ATTRIBUTE_TYPES[attribute];
    const operator = OPERATORS[spec.type].find((o) => o === op);
    if (!operator) return err(`${path}.op`, 'UNSUPPORTED_OPERATOR', `${attribute} takes the operators ${OPERATORS[spec.type].join(', ')}`);
    const allowed = spec.values;
    const checkText = (v: unknown, at: string): v is string => {
      if (typeof v !== 'string' || v.trim() === '') {
        err(at, 'INVALID_VALUE_TYPE', `${attribute} compares with a non-empty string`);
        return false;
      }
      if (allowed && !allowed.includes(v)) {
        err(at, 'INVALID_VALUE', `${attribute} is one of ${allowed.join(', ')}`);
        return false;
      }
      return true;
    };
    if (operator === 'in' || operator === 'notIn') {
      if (!Array.isArray(value) || value.length === 0) return err(`${path}.value`, 'INVALID_VALUE_TYPE', `${op} compares with a non-empty list of strings`);
      const ok = value.map((v, i) => checkText(v, `${path}.value.${i}`)).every(Boolean);
      return ok ? { attribute, op: operator, value: value.map(String) } : null;
    }
    if (spec.type === 'number') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        return err(`${path}.value`, 'INVALID_VALUE_TYPE', `${attribute} compares with a whole number`);
      return { attribute, op: operator, value };
    }
    return checkText(value, `${path}.value`) ? { attribute, op: operator, value } : null;
  }

  const rule = walk(input, field, 0);
  return rule && !errors.length ? valid(rule) : invalid(errors);
}

/** Trims and checks a segment name; undefined when the input leaves it out. */
export function checkName(name: string | null | undefined, errors: UserError[]): string | undefined {
  if (name === undefined || name === null) return undefined;
  const trimmed = name.trim();
  if (!trimmed) errors.push({ field: 'name', message: 'must not be blank', code: 'REQUIRED' });
  else if (trimmed.length > 100) errors.push({ field: 'name', message: 'must be at most 100 characters', code: 'TOO_BIG' });
  return trimmed;
}

export const nameTaken: UserError = { field: 'name', message: 'Another segment has this name', code: 'NAME_TAKEN' };
export const segmentNotFound: UserError = { field: 'id', message: 'No segment has this id', code: 'SEGMENT_NOT_FOUND' };
