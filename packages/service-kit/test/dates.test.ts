import { describe, expect, it } from 'vitest';
import { addDays, addHours, addMonths, addMonthsTo, dateText, daysBetween, endOfDate, isoDate, startOfDate } from '../src/dates.ts';
import { byIds, byKey, groupedBy } from '../src/loaders.ts';

describe('calendar dates (UTC)', () => {
  it('adds days across months, years and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('adds months keeping the day, clamped to a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonthsTo(new Date('2026-08-31T13:45:10.250Z'), 24 + 6)).toEqual(new Date('2029-02-28T13:45:10.250Z'));
  });

  it('counts whole days and bounds a business date', () => {
    expect(daysBetween('2026-01-01', '2026-03-01')).toBe(59);
    expect(daysBetween('2026-03-01', '2026-01-01')).toBe(-59);
    expect(startOfDate('2026-11-20')).toEqual(new Date('2026-11-20T00:00:00.000Z'));
    expect(endOfDate('2026-11-20')).toEqual(new Date('2026-11-21T00:00:00.000Z'));
    expect(addHours(new Date('2026-11-20T22:00:00Z'), 4)).toEqual(new Date('2026-11-21T02:00:00Z'));
    expect(isoDate(new Date('2026-11-20T23:59:59.999Z'))).toBe('2026-11-20');
    expect(dateText(new Date('2026-11-20T00:00:00Z'))).toBe('2026-11-20');
    expect(dateText('2026-11-20')).toBe('2026-11-20');
    expect(dateText(null)).toBeNull();
  });
});

describe('loader grouping', () => {
  const rows = [
    { id: 'a', parent: 'p1' },
    { id: 'b', parent: 'p2' },
    { id: 'c', parent: 'p1' },
  ];
  it('answers the keys in the order asked, empty or null where nothing matched', () => {
    expect(groupedBy(['p2', 'p3', 'p1'], rows, (r) => r.parent).map((list) => list.map((r) => r.id))).toEqual([['b'], [], ['a', 'c']]);
    expect(byKey(['p1', 'p3'], rows, (r) => r.parent).map((r) => r?.id ?? null)).toEqual(['a', null]);
    expect(byIds(['c', 'x', 'a'], rows).map((r) => r?.id ?? null)).toEqual(['c', null, 'a']);
  });
});
