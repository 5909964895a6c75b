import { Decimal } from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

export { Decimal };

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

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
    if (typeof value === 'string' && DECIMAL_PATTERN.test(value)) return new Decimal(value);
    throw invalid('Decimal must be a string of digits such as "1250.75"');
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && DECIMAL_PATTERN.test(ast.value)) return new Decimal(ast.value);
    throw invalid('Decimal must be a string of digits such as "1250.75"');
  },
});

/** True for a real calendar date in YYYY-MM-DD form (rejects 2023-02-29). */
export function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Calendar date, "YYYY-MM-DD". */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'Calendar date in ISO 8601 form, YYYY-MM-DD.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (typeof value === 'string' && isCalendarDate(value)) return value;
    throw invalid('Date cannot represent this value');
  },
  parseValue(value) {
    if (typeof value === 'string' && isCalendarDate(value)) return value;
    throw invalid('Date must be a real calendar date in the form YYYY-MM-DD');
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && isCalendarDate(ast.value)) return ast.value;
    throw invalid('Date must be a real calendar date in the form YYYY-MM-DD');
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
    const d = typeof value === 'string' ? new Date(value) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw invalid('DateTime must be an ISO 8601 string');
    return d;
  },
  parseLiteral(ast) {
    const d = ast.kind === Kind.STRING ? new Date(ast.value) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw invalid('DateTime must be an ISO 8601 string');
    return d;
  },
});

export const scalarResolvers = { Decimal: DecimalScalar, Date: DateScalar, DateTime: DateTimeScalar };
