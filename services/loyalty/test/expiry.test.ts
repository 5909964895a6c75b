import { endOfDate } from '@crm/service-kit';
import { describe, expect, it } from 'vitest';
import { type PointsLot, pointsToExpire, remainingLots } from '../src/domain/expiry.ts';
import { isBirthday } from '../src/domain/points.ts';

const lot = (id: string, points: number, created: string, expires: string): PointsLot => ({
  id,
  points,
  createdAt: new Date(`${created}T00:00:00Z`),
  expiresAt: new Date(`${expires}T00:00:00Z`),
});

describe('points expiry, oldest first', () => {
  const lots = [lot('c', 300, '2026-03-01', '2028-03-01'), lot('a', 100, '2026-01-01', '2028-01-01'), lot('b', 200, '2026-02-01', '2028-02-01')];

  it('consumes the oldest lots first', () => {
    // 250 spent: a (100) fully, b 150 of 200; c untouched.
    expect(remainingLots(lots, 250).map(({ lot: l, remaining }) => [l.id, remaining])).toEqual([
      ['a', 0],
      ['b', 50],
      ['c', 300],
    ]);
  });

  it('expires, as of a date, only what is left of the lots expiring by its end', () => {
    expect(pointsToExpire(lots, 250, endOfDate('2028-02-01'))).toBe(50);
    expect(pointsToExpire(lots, 0, endOfDate('2028-02-01'))).toBe(300);
    expect(pointsToExpire(lots, 0, endOfDate('2027-12-31'))).toBe(0);
    expect(pointsToExpire(lots, 600, endOfDate('2029-01-01'))).toBe(0);
  });
});

describe('birthdays', () => {
  it('falls on the day, and on 28 February for 29 February birthdays in common years', () => {
    expect(isBirthday('1990-06-15', '2026-06-15')).toBe(true);
    expect(isBirthday('1990-06-15', '2026-06-16')).toBe(false);
    expect(isBirthday('1992-02-29', '2026-02-28')).toBe(true);
    expect(isBirthday('1992-02-29', '2028-02-28')).toBe(false);
    expect(isBirthday('1992-02-29', '2028-02-29')).toBe(true);
  });
});
