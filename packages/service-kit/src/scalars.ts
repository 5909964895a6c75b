import { Decimal } from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isoDate } from './dates.ts';

export { Decimal };

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_PATTERN = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/**
 * At most 15 digits before the point (999 trillion: beyond any loan book, in VND or IDR too, and
 * within every money column, numeric(20, 4) holding 16) and 12 after.
 */
export const MAX_DECIMAL_INTEGER_DIGITS = 15;
export const MAX_DECIMAL_FRACTION_DIGITS = 12;
/** Dates and instants outside these years are refused as input (no business date lies there). */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;

function decimalInRange(text: string): boolean {
  const [whole = '', fraction = ''] = text.replace(/^-/, '').split('.');
  return whole.replace(/^0+(?=\d)/, '').length <= MAX_DECIMAL_INTEGER_DIGITS && fraction.length <= MAX_DECIMAL_FRACTION_DIGITS;
}

function yearInRange(date: string): boolean {
  const year = Number.parseInt(date.slice(0, 4), 10);
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Exact decimal as a string ("1234.50"): money never passes through floating point. */
export const DecimalScalar = new GraphQLScalarType<Decimal, string>({
  name: 'Decimal',
  description: 'Exact decimal number carried as a string, e.g. "1250.75".',
  serialize(value) {
    if (value instanceof Decimal) return value.toFixed();
    if (typeof value === 'string' && DECIMAL_PATTERN.test(value)) return value;
    throw invalid('Decimal cannot represent this value');
  },
  parseValue(value) {
    return parseDecimal(typeof value === 'string' ? value : undefined);
  },
  parseLiteral(ast) {
    return parseDecimal(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});

function parseDecimal(text: string | undefined): Decimal {
  if (text === undefined || !DECIMAL_PATTERN.test(text)) throw invalid('Decimal must be a string of digits such as "1250.75"');
  if (!decimalInRange(text)) {
    throw invalid(`Decimal may have at most ${MAX_DECIMAL_INTEGER_DIGITS} digits before the point and ${MAX_DECIMAL_FRACTION_DIGITS} after it`);
  }
  return new Decimal(text);
}

function parseDateTime(text: string | undefined): Date {
  const match = text === undefined ? null : DATE_TIME_PATTERN.exec(text);
  const d = match ? new Date(text as string) : undefined;
  if (!match?.[1] || !d || Number.isNaN(d.getTime()) || !isCalendarDate(match[1])) {
    throw invalid('DateTime must be an ISO 8601 instant with a time zone, e.g. 2026-11-23T14:00:00Z');
  }
  if (!yearInRange(match[1])) throw invalid(`DateTime must lie between the years ${MIN_YEAR} and ${MAX_YEAR}`);
  return d;
}

function parseDate(text: string | undefined): string {
  if (text === undefined || !isCalendarDate(text)) throw invalid('Date must be a real calendar date in the form YYYY-MM-DD');
  if (!yearInRange(text)) throw invalid(`Date must lie between the years ${MIN_YEAR} and ${MAX_YEAR}`);
  return text;
}

/** True for a real calendar date in YYYY-MM-DD form (rejects 2023-02-29). */
export function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && isoDate(d) === value;
}

/** Calendar date, "YYYY-MM-DD". */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'Calendar date in ISO 8601 form, YYYY-MM-DD.',
  serialize(value) {
    if (value instanceof Date) return isoDate(value);
    if (typeof value === 'string' && isCalendarDate(value)) return value;
    throw invalid('Date cannot represent this value');
  },
  parseValue(value) {
    return parseDate(typeof value === 'string' ? value : undefined);
  },
  parseLiteral(ast) {
    return parseDate(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});

/** Instant in ISO 8601 with a time zone. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'Instant in ISO 8601 form with a time zone, e.g. 2026-11-23T14:00:00Z.',
  serialize(value) {
    const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw invalid('DateTime cannot represent this value');
    return d.toISOString();
  },
  parseValue(value) {
    return parseDateTime(typeof value === 'string' ? value : undefined);
  },
  parseLiteral(ast) {
    return parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});

export const scalarResolvers = { Decimal: DecimalScalar, Date: DateScalar, DateTime: DateTimeScalar };
