import { describe, expect, it } from 'vitest';
import { Money } from '../src/domain/money.ts';
import { reamortise } from '../src/domain/prepayment.ts';
import { type AmortisationMethod, type DayCountConvention, generateSchedule, type RepaymentFrequency } from '../src/domain/schedule.ts';

/*
 * Independent reference: exact rational arithmetic on integer minor units with BigInt, no
 * decimal library and none of the code under test.
 *   periodic rate r_k = annualRate / 12 (30/360, monthly) or annualRate * days_k / 365 (Actual/365)
 *   interest_k  = round_half_up(B_{k-1} * r_k)                   (B in minor units)
 *   annuity     A = round_half_up(P * r / (1 - (1 + r)^-n)) = P * r (1+r)^n / ((1+r)^n - 1),
 *                 with the nominal r = annual/12, annual*7/365 or annual*14/365
 *   principal_k = A - interest_k (annuity), round_half_up(P / n) (equal principal),
 *                 0 (interest only); the last instalment takes the remaining balance.
 */
type Rational = { n: bigint; d: bigint };
const rational = (decimal: string): Rational => {
  const [int = '0', frac = ''] = decimal.split('.');
  return { n: BigInt(int + frac), d: 10n ** BigInt(frac.length) };
};
const roundHalfUp = (n: bigint, d: bigint): bigint => (2n * n + d) / (2n * d);
const toUnits = (amount: string, scale: number): bigint => {
  const [int = '0', frac = ''] = amount.split('.');
  return BigInt(int + frac.padEnd(scale, '0'));
};
const fromUnits = (units: bigint, scale: number): string => {
  if (scale === 0) return units.toString();
  const s = units.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
};
const utcDays = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

function reference(opts: {
  principal: string;
  annualRate: string;
  n: number;
  method: AmortisationMethod;
  dayCount: DayCountConvention;
  frequency: RepaymentFrequency;
  start: string;
  dueDates: string[];
  scale: number;
}): { principal: string; interest: string }[] {
  const rate = rational(opts.annualRate);
  const P = toUnits(opts.principal, opts.scale);
  const nominal: Rational =
    opts.frequency === 'MONTHLY' ? { n: rate.n, d: rate.d * 12n } : { n: rate.n * (opts.frequency === 'WEEKLY' ? 7n : 14n), d: rate.d * 365n };
  let A = 0n;
  if (opts.method === 'EQUAL_INSTALMENT') {
    const growth = (nominal.d + nominal.n) ** BigInt(opts.n); // (1+r)^n * d^n
    const base = nominal.d ** BigInt(opts.n);
    A = nominal.n === 0n ? roundHalfUp(P, BigInt(opts.n)) : roundHalfUp(P * nominal.n * growth, nominal.d * (growth - base));
  }
  const equal = roundHalfUp(P, BigInt(opts.n));
  let B = P;
  let prev = opts.start;
  return opts.dueDates.map((due, idx) => {
    const period: Rational =
      opts.dayCount === 'THIRTY_360' ? { n: rate.n, d: rate.d * 12n } : { n: rate.n * BigInt(utcDays(due) - utcDays(prev)), d: rate.d * 365n };
    prev = due;
    const interest = roundHalfUp(B * period.n, period.d);
    const last = idx === opts.n - 1;
    const principal = last ? B : opts.method === 'EQUAL_INSTALMENT' ? A - interest : opts.method === 'EQUAL_PRINCIPAL' ? equal : 0n;
    B -= principal;
    return { principal: fromUnits(principal, opts.scale), interest: fromUnits(interest, opts.scale) };
  });
}

const weekly = (start: string, n: number, step: number) =>
  Array.from({ length: n }, (_, k) => new Date((utcDays(start) + (k + 1) * step) * 86_400_000).toISOString().slice(0, 10));

const cases: {
  name: string;
  principal: string;
  annualRate: string;
  n: number;
  method: AmortisationMethod;
  frequency: RepaymentFrequency;
  dayCount: DayCountConvention;
  start: string;
  dueDates: string[];
  scale: number;
}[] = [];
const monthlyDates = [
  '2026-02-15',
  '2026-03-15',
  '2026-04-15',
  '2026-05-15',
  '2026-06-15',
  '2026-07-15',
  '2026-08-15',
  '2026-09-15',
  '2026-10-15',
  '2026-11-15',
  '2026-12-15',
  '2027-01-15',
];
for (const method of ['EQUAL_INSTALMENT', 'EQUAL_PRINCIPAL', 'INTEREST_ONLY'] as const) {
  cases.push({
    name: `monthly 30/360 ${method}`,
    principal: '10000.00',
    annualRate: '0.12',
    n: 12,
    method,
    frequency: 'MONTHLY',
    dayCount: 'THIRTY_360',
    start: '2026-01-15',
    dueDates: monthlyDates,
    scale: 2,
  });
  cases.push({
    name: `weekly Actual/365 ${method}`,
    principal: '2500.00',
    annualRate: '0.365',
    n: 16,
    method,
    frequency: 'WEEKLY',
    dayCount: 'ACTUAL_365',
    start: '2026-03-02',
    dueDates: weekly('2026-03-02', 16, 7),
    scale: 2,
  });
  cases.push({
    name: `biweekly Actual/365 ${method}`,
    principal: '7777.77',
    annualRate: '0.289',
    n: 13,
    method,
    frequency: 'BIWEEKLY',
    dayCount: 'ACTUAL_365',
    start: '2026-06-30',
    dueDates: weekly('2026-06-30', 13, 14),
    scale: 2,
  });
  cases.push({
    name: `monthly XOF (no minor unit) ${method}`,
    principal: '1500000',
    annualRate: '0.24',
    n: 6,
    method,
    frequency: 'MONTHLY',
    dayCount: 'THIRTY_360',
    start: '2026-01-15',
    dueDates: monthlyDates.slice(0, 6),
    scale: 0,
  });
}
// Month ends and a leap February under Actual/365: 31 Jan + 1 month is 29 Feb 2024 (29 days), then 31 Mar (31 days).
cases.push({
  name: 'monthly Actual/365 across a leap February and month ends',
  principal: '5000.00',
  annualRate: '0.18',
  n: 4,
  method: 'EQUAL_INSTALMENT',
  frequency: 'MONTHLY',
  dayCount: 'ACTUAL_365',
  start: '2024-01-31',
  dueDates: ['2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31'],
  scale: 2,
});

describe('repayment schedules, to the minor unit against an independent BigInt calculation', () => {
  it.each(cases)('$name', (c) => {
    const schedule = generateSchedule({
      principal: new Money(c.principal),
      annualRate: new Money(c.annualRate),
      count: c.n,
      frequency: c.frequency,
      method: c.method,
      dayCount: c.dayCount,
      startDate: c.start,
      scale: c.scale,
    });
    const expected = reference({ ...c });
    expect(schedule.map((i) => i.dueDate)).toEqual(c.dueDates);
    expect(schedule.map((i) => ({ principal: i.principal.toFixed(c.scale), interest: i.interest.toFixed(c.scale) }))).toEqual(expected);
    // The principals sum exactly to the loan: the rounding remainder is in the last instalment.
    expect(schedule.reduce((s, i) => s.plus(i.principal), new Money(0)).toFixed(c.scale)).toBe(new Money(c.principal).toFixed(c.scale));
    expect(schedule.at(-1)?.closingBalance.isZero()).toBe(true);
  });

  it.each(cases)('re-amortised after a prepayment, principals still sum exactly to what is outstanding: $name', (c) => {
    const t = { annualRate: new Money(c.annualRate), frequency: c.frequency, method: c.method, dayCount: c.dayCount, scale: c.scale };
    const s = generateSchedule({ ...t, principal: new Money(c.principal), count: c.n, startDate: c.start });
    for (let k = 1; k < s.length; k++) {
      const at = s[k - 1];
      const next = s[k];
      if (!at || !next || at.closingBalance.lte(0)) continue;
      // A third of what is outstanding after instalment k prepaid, rounded to the minor unit.
      const balance = at.closingBalance.minus(at.closingBalance.div(3).toDecimalPlaces(c.scale));
      for (const mode of ['KEEP_INSTALMENT', 'KEEP_TERM'] as const) {
        const fresh = reamortise({
          ...t,
          balance,
          from: at.dueDate,
          dueDates: s.slice(k).map((i) => i.dueDate),
          mode,
          keep: { total: next.total, principal: next.principal },
        });
        expect(fresh.reduce((sum, i) => sum.plus(i.principal), new Money(0)).toFixed(c.scale)).toBe(balance.toFixed(c.scale));
        expect(fresh.at(-1)?.closingBalance.isZero()).toBe(true);
        expect(fresh.length).toBeLessThanOrEqual(s.length - k);
        if (mode === 'KEEP_TERM') expect(fresh.length).toBe(s.length - k);
      }
    }
  });

  it('gives the textbook annuity: 10,000 at 12 % over 12 months pays 888.49 a month, 11 × 888.49 + a last of 888.47', () => {
    const s = generateSchedule({
      principal: new Money('10000'),
      annualRate: new Money('0.12'),
      count: 12,
      frequency: 'MONTHLY',
      method: 'EQUAL_INSTALMENT',
      dayCount: 'THIRTY_360',
      startDate: '2026-01-15',
      scale: 2,
    });
    expect(s.slice(0, 11).every((i) => i.total.toFixed(2) === '888.49')).toBe(true);
    expect(s[0]?.interest.toFixed(2)).toBe('100.00');
    expect(s[0]?.principal.toFixed(2)).toBe('788.49');
    expect(s[11]?.total.toFixed(2)).toBe('888.47');
  });

  it('puts the whole principal in the last instalment for interest-only (bullet)', () => {
    const s = generateSchedule({
      principal: new Money('1200'),
      annualRate: new Money('0.12'),
      count: 3,
      frequency: 'MONTHLY',
      method: 'INTEREST_ONLY',
      dayCount: 'THIRTY_360',
      startDate: '2026-01-31',
      scale: 2,
    });
    expect(s.map((i) => [i.dueDate, i.principal.toFixed(2), i.interest.toFixed(2)])).toEqual([
      ['2026-02-28', '0.00', '12.00'],
      ['2026-03-31', '0.00', '12.00'],
      ['2026-04-30', '1200.00', '12.00'],
    ]);
  });
});
