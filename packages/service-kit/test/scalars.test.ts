import { Decimal } from 'decimal.js';
import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateScalar, DecimalScalar, isCalendarDate } from '../src/scalars.ts';

describe('scalars', () => {
  it('Decimal keeps every digit as a string both ways', () => {
    const parsed = DecimalScalar.parseValue('123456789012345.01') as Decimal;
    expect(parsed.plus('0.02').toFixed()).toBe('123456789012345.03');
    expect(DecimalScalar.serialize(new Decimal('0.1').plus('0.2'))).toBe('0.3');
    expect(() => DecimalScalar.parseValue(0.3)).toThrow(/string/);
    expect(() => DecimalScalar.parseLiteral({ kind: Kind.FLOAT, value: '1.5' })).toThrow(/string/);
  });

  it('Date accepts only real calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('1990-13-01')).toBe(false);
    expect(() => DateScalar.parseValue('29/02/2024')).toThrow(/YYYY-MM-DD/);
  });
});

describe('scalars refuse what the database would choke on', () => {
  it('DateTime takes only real ISO 8601 instants with a zone, in a sane range', async () => {
    const { DateTimeScalar } = await import('../src/scalars.ts');
    expect((DateTimeScalar.parseValue('2024-02-29T10:00:00Z') as Date).toISOString()).toBe('2024-02-29T10:00:00.000Z');
    expect((DateTimeScalar.parseValue('2024-02-29T10:00:00.123+01:00') as Date).toISOString()).toBe('2024-02-29T09:00:00.123Z');
    for (const bad of ['2024-02-30T00:00:00Z', '1', '2024-01-01', '2024-01-01T10:00:00', '0000-01-01T00:00:00Z', '9999-12-31T00:00:00Z']) {
      expect(() => DateTimeScalar.parseValue(bad), bad).toThrow(/DateTime/);
    }
  });
  it('Date refuses year 0 and 9999, Decimal refuses more digits than a money column holds', () => {
    expect(() => DateScalar.parseValue('0000-01-01')).toThrow(/between the years/);
    expect(() => DateScalar.parseValue('9999-12-31')).toThrow(/between the years/);
    expect(DateScalar.parseValue('1900-01-01')).toBe('1900-01-01');
    expect(() => DecimalScalar.parseValue('1234567890123456')).toThrow(/at most 15 digits/);
    expect(() => DecimalScalar.parseValue('1.0000000000001')).toThrow(/12 after/);
    expect((DecimalScalar.parseValue('000123456789012345.5') as Decimal).toFixed()).toBe('123456789012345.5');
  });
});
