import { Decimal } from 'decimal.js';
import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateScalar, DecimalScalar, isCalendarDate } from '../src/scalars.ts';

describe('scalars', () => {
  it('Decimal keeps every digit as a string both ways', () => {
    const parsed = DecimalScalar.parseValue('12345678901234567.01') as Decimal;
    expect(parsed.plus('0.02').toFixed()).toBe('12345678901234567.03');
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
