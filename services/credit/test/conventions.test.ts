import { describe, expect, it } from 'vitest';
import { penaltyDue } from '../src/domain/delinquency.ts';
import { effectiveAnnualRate } from '../src/domain/fees.ts';
import { Money } from '../src/domain/money.ts';
import { accruedInterest } from '../src/domain/payoff.ts';
import { type AmortisationMethod, type DayCountConvention, generateSchedule, type InterestMethod, type RepaymentFrequency } from '../src/domain/schedule.ts';

/*
 * The conventions of the credit README against an independent calculation written here: exact
 * rationals on integer minor units (BigInt), calendar days from Date.UTC, its own 30/360 US and
 * Actual/Actual ISDA day counts, its own rounding. Nothing of the code under test is called to
 * compute an expectation.
 */
type Q = { n: bigint; d: bigint };
const q = (decimal: string): Q => {
  const neg = decimal.startsWith('-');
  const [int = '0', frac = ''] = decimal.replace('-', '').split('.');
  const n = BigInt(int + frac);
  return { n: neg ? -n : n, d: 10n ** BigInt(frac.length) };
};
const mul = (a: Q, b: Q): Q => ({ n: a.n * b.n, d: a.d * b.d });
const add = (a: Q, b: Q): Q => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
const frac = (n: number | bigint, d: number | bigint): Q => ({ n: BigInt(n), d: BigInt(d) });
/** Rounds n/d (non-negative) to an integer: half up, or half to even. */
const roundQ = (x: Q, mode: 'UP' | 'EVEN' = 'UP'): bigint => {
  const floor = x.n / x.d;
  const twice = 2n * (x.n - floor * x.d);
  if (twice > x.d) return floor + 1n;
  if (twice < x.d) return floor;
  return mode === 'UP' || floor % 2n === 1n ? floor + 1n : floor;
};
const units = (amount: string, scale: number) => {
  const [i = '0', f = ''] = amount.split('.');
  return BigInt(i + f.padEnd(scale, '0'));
};
const text = (u: bigint, scale: number) => {
  if (scale === 0) return u.toString();
  const s = u.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
};
const ymd = (d: string) => [Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8, 10))] as const;
const dayNo = (d: string) => {
  const [y, m, dd] = ymd(d);
  return Date.UTC(y, m - 1, dd) / 86_400_000;
};
const actual = (a: string, b: string) => dayNo(b) - dayNo(a);
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const lastFeb = (d: string) => {
  const [y, m, dd] = ymd(d);
  return m === 2 && dd === (leap(y) ? 29 : 28);
};
/** 30/360 US (SIA): the four end-of-month rules in order. */
const us360 = (a: string, b: string) => {
  const [y1, m1, a1] = ymd(a);
  const [y2, m2, b2] = ymd(b);
  let d1 = a1;
  let d2 = b2;
  if (lastFeb(a) && lastFeb(b)) d2 = 30;
  if (lastFeb(a)) d1 = 30;
  if (d2 === 31 && d1 >= 30) d2 = 30;
  if (d1 === 31) d1 = 30;
  return 360 * (y2 - y1) + 30 * (m2 - m1) + d2 - d1;
};
/** Actual/Actual ISDA as an exact rational: days of each calendar year over that year's length. */
const isda = (a: string, b: string): Q => {
  let f: Q = frac(0, 1);
  let cur = a;
  while (cur < b) {
    const y = ymd(cur)[0];
    const yearEnd = `${y + 1}-01-01`;
    const end = yearEnd < b ? yearEnd : b;
    f = add(f, frac(actual(cur, end), leap(y) ? 366 : 365));
    cur = end;
  }
  return f;
};

const sched = (over: {
  principal: string;
  rate: string;
  count: number;
  start: string;
  scale: number;
  dayCount: DayCountConvention;
  frequency?: RepaymentFrequency;
  method?: AmortisationMethod;
  interestMethod?: InterestMethod;
  firstDueDate?: string;
  multiple?: string;
  rounding?: 'HALF_UP' | 'HALF_EVEN';
  principalGrace?: number;
  interestGrace?: number;
}) =>
  generateSchedule({
    principal: new Money(over.principal),
    annualRate: new Money(over.rate),
    count: over.count,
    frequency: over.frequency ?? 'MONTHLY',
    method: over.method ?? 'EQUAL_PRINCIPAL',
    dayCount: over.dayCount,
    startDate: over.start,
    scale: over.scale,
    interestMethod: over.interestMethod,
    firstDueDate: over.firstDueDate ?? null,
    instalmentMultiple: over.multiple ? new Money(over.multiple) : null,
    rounding: over.rounding,
    principalGrace: over.principalGrace,
    interestGrace: over.interestGrace,
  }).map((i) => ({ dueDate: i.dueDate, principal: i.principal.toFixed(over.scale), interest: i.interest.toFixed(over.scale) }));

/** Equal principal on a declining balance with an independent year fraction per period. */
function equalPrincipalReference(o: { principal: string; rate: string; scale: number; dues: string[]; start: string; fraction: (a: string, b: string) => Q }) {
  const p = units(o.principal, o.scale);
  const n = BigInt(o.dues.length);
  const each = roundQ(frac(p, n));
  let balance = p;
  let from = o.start;
  return o.dues.map((due, k) => {
    const interest = roundQ(mul(mul(frac(balance, 1), q(o.rate)), o.fraction(from, due)));
    const principal = k === o.dues.length - 1 ? balance : each;
    balance -= principal;
    from = due;
    return { dueDate: due, principal: text(principal, o.scale), interest: text(interest, o.scale) };
  });
}

describe('day counts, to the cent against an independent calculation', () => {
  it('ACTUAL_360 over February of a leap year (USD)', () => {
    const dues = ['2024-02-29', '2024-03-31', '2024-04-30'];
    expect(sched({ principal: '10000.00', rate: '0.12', count: 3, start: '2024-01-31', scale: 2, dayCount: 'ACTUAL_360' })).toEqual(
      equalPrincipalReference({ principal: '10000.00', rate: '0.12', scale: 2, dues, start: '2024-01-31', fraction: (a, b) => frac(actual(a, b), 360) }),
    );
    // 29 days on 10,000.00: 96.666... -> 96.67
    expect(sched({ principal: '10000.00', rate: '0.12', count: 3, start: '2024-01-31', scale: 2, dayCount: 'ACTUAL_360' })[0]?.interest).toBe('96.67');
  });

  it('ACTUAL_ACTUAL_ISDA across a year end into a leap year, and in a common year (KWD, 3 decimals)', () => {
    const dues = ['2024-01-15', '2024-02-15', '2024-03-15', '2024-04-15'];
    const got = sched({ principal: '5000.000', rate: '0.095', count: 4, start: '2023-12-15', scale: 3, dayCount: 'ACTUAL_ACTUAL_ISDA' });
    expect(got).toEqual(equalPrincipalReference({ principal: '5000.000', rate: '0.095', scale: 3, dues, start: '2023-12-15', fraction: isda }));
    // 17 days of 2023 / 365 + 14 days of 2024 / 366 on 5,000.000 at 9.5 %
    expect(got[0]?.interest).toBe(text(roundQ(mul(mul(frac(5_000_000, 1), q('0.095')), add(frac(17, 365), frac(14, 366)))), 3));
    const common = ['2023-02-28', '2023-03-28'];
    expect(sched({ principal: '5000.000', rate: '0.095', count: 2, start: '2023-01-28', scale: 3, dayCount: 'ACTUAL_ACTUAL_ISDA' })).toEqual(
      equalPrincipalReference({ principal: '5000.000', rate: '0.095', scale: 3, dues: common, start: '2023-01-28', fraction: isda }),
    );
  });

  it('THIRTY_360_US applies the end-of-month rules (31st, end of February, common and leap years; XOF, 0 decimals)', () => {
    for (const start of ['2023-01-31', '2024-01-31', '2023-08-31', '2024-02-29']) {
      const got = sched({ principal: '1200000', rate: '0.18', count: 4, start, scale: 0, dayCount: 'THIRTY_360_US' });
      const dues = got.map((i) => i.dueDate);
      expect(got).toEqual(equalPrincipalReference({ principal: '1200000', rate: '0.18', scale: 0, dues, start, fraction: (a, b) => frac(us360(a, b), 360) }));
    }
    // 31 Jan -> 28 Feb 2023 is 28 days, 28 Feb -> 31 Mar 30 days (February's last day counts as the 30th)
    const got = sched({ principal: '1200000', rate: '0.18', count: 4, start: '2023-01-31', scale: 0, dayCount: 'THIRTY_360_US' });
    expect(got.slice(0, 2).map((i) => i.interest)).toEqual(['16800', '13500']);
  });

  it('THIRTY_360 (monthly twelfths) stays exactly annualRate / 12 for every regular month', () => {
    const got = sched({ principal: '10000.00', rate: '0.12', count: 3, start: '2024-01-31', scale: 2, dayCount: 'THIRTY_360' });
    expect(got.map((i) => i.interest)).toEqual(['100.00', '66.67', '33.33']);
  });

  it('weekly ACTUAL_360 schedules size the period by 7 / 360', () => {
    const got = sched({ principal: '700.00', rate: '0.36', count: 2, start: '2026-03-02', scale: 2, dayCount: 'ACTUAL_360', frequency: 'WEEKLY' });
    // 700.00 * 0.36 * 7 / 360 = 4.90; 350.00 * 0.36 * 7 / 360 = 2.45
    expect(got.map((i) => i.interest)).toEqual(['4.90', '2.45']);
  });

  it('payoff accrual by the day count: ACTUAL_ACTUAL_ISDA pro rata of the year fractions', () => {
    const interest = new Money('150.00');
    const got = accruedInterest(interest, '2023-12-15', '2024-01-15', '2024-01-05', 'ACTUAL_ACTUAL_ISDA', 2);
    const ratio = isda('2023-12-15', '2024-01-05');
    const whole = isda('2023-12-15', '2024-01-15');
    const expected = roundQ(mul(frac(15000, 1), { n: ratio.n * whole.d, d: ratio.d * whole.n }));
    expect(got.toFixed(2)).toBe(text(expected, 2));
    expect(accruedInterest(interest, '2026-01-31', '2026-02-28', '2026-02-10', 'THIRTY_360_US', 2).toFixed(2)).toBe(
      text(roundQ(frac(15000n * BigInt(us360('2026-01-31', '2026-02-10')), us360('2026-01-31', '2026-02-28'))), 2),
    );
  });
});

describe('interest method FLAT, rounding and instalment multiples', () => {
  it('FLAT: interest on the original principal every month (XOF)', () => {
    const got = sched({ principal: '100000', rate: '0.24', count: 6, start: '2026-01-10', scale: 0, dayCount: 'THIRTY_360', interestMethod: 'FLAT' });
    // 100,000 * 0.24 / 12 = 2,000 each month; principal round(100,000 / 6) = 16,667, the last 16,665
    expect(got.map((i) => i.interest)).toEqual(Array(6).fill('2000'));
    expect(got.map((i) => i.principal)).toEqual(['16667', '16667', '16667', '16667', '16667', '16665']);
  });

  it('FLAT with instalments rounded up to a multiple of 100 XOF, the difference in the last', () => {
    const got = sched({
      principal: '100000',
      rate: '0.24',
      count: 6,
      start: '2026-01-10',
      scale: 0,
      dayCount: 'THIRTY_360',
      interestMethod: 'FLAT',
      multiple: '100',
    });
    // 16,667 + 2,000 = 18,667 -> 18,700: principal 16,700 five times, the last 100,000 - 83,500 = 16,500
    expect(got.map((i) => i.principal)).toEqual(['16700', '16700', '16700', '16700', '16700', '16500']);
    expect(got.map((i) => Number(i.principal) + Number(i.interest))).toEqual([18700, 18700, 18700, 18700, 18700, 18500]);
  });

  it('declining EQUAL_INSTALMENT with the level payment rounded up to 0.05 USD', () => {
    const got = sched({
      principal: '1000.00',
      rate: '0.12',
      count: 3,
      start: '2026-01-10',
      scale: 2,
      dayCount: 'THIRTY_360',
      method: 'EQUAL_INSTALMENT',
      multiple: '0.05',
    });
    // A = 1000 * 0.01 / (1 - 1.01^-3) = 340.022... -> 340.02 -> 340.05
    let balance = 100_000n;
    const expected = [0, 1, 2].map((k) => {
      const interest = roundQ(frac(balance, 100));
      const principal = k === 2 ? balance : 34_005n - interest;
      balance -= principal;
      return { principal: text(principal, 2), interest: text(interest, 2) };
    });
    expect(got.map(({ principal, interest }) => ({ principal, interest }))).toEqual(expected);
    expect(got.slice(0, 2).map((i) => new Money(i.principal).plus(i.interest).toFixed(2))).toEqual(['340.05', '340.05']);
  });

  it('HALF_EVEN rounds an exact half to the even cent, HALF_UP up', () => {
    // 1,000.50 * 0.12 / 12 = 10.005
    const up = sched({ principal: '1000.50', rate: '0.12', count: 1, start: '2026-01-10', scale: 2, dayCount: 'THIRTY_360' });
    const even = sched({ principal: '1000.50', rate: '0.12', count: 1, start: '2026-01-10', scale: 2, dayCount: 'THIRTY_360', rounding: 'HALF_EVEN' });
    expect([up[0]?.interest, even[0]?.interest]).toEqual([
      text(roundQ(frac(100_050n * 12n, 1200), 'UP'), 2),
      text(roundQ(frac(100_050n * 12n, 1200), 'EVEN'), 2),
    ]);
    expect([up[0]?.interest, even[0]?.interest]).toEqual(['10.01', '10.00']);
  });
});

describe('first due date and grace', () => {
  it('a chosen first due date: the broken first period by the day count, later dates anchored on it', () => {
    const base = { principal: '9000.00', rate: '0.12', count: 3, start: '2026-01-10', scale: 2, firstDueDate: '2026-02-28' } as const;
    const act = sched({ ...base, dayCount: 'ACTUAL_365' });
    expect(act.map((i) => i.dueDate)).toEqual(['2026-02-28', '2026-03-28', '2026-04-28']);
    expect(act).toEqual(equalPrincipalReference({ ...base, dues: ['2026-02-28', '2026-03-28', '2026-04-28'], fraction: (a, b) => frac(actual(a, b), 365) }));
    expect(act[0]?.interest).toBe('144.99'); // 9,000 * 0.12 * 49 / 365 = 144.986...
    // monthly twelfths: the broken period by 30/360 US (48 days), then twelfths
    const twelfths = sched({ ...base, dayCount: 'THIRTY_360' });
    expect(twelfths.map((i) => i.interest)).toEqual([text(roundQ(frac(900_000n * 12n * 48n, 100n * 360n)), 2), '60.00', '30.00']);
  });

  it('principal grace: interest only for N instalments, then the annuity over the rest', () => {
    const got = sched({
      principal: '6000.00',
      rate: '0.12',
      count: 5,
      start: '2026-01-10',
      scale: 2,
      dayCount: 'THIRTY_360',
      method: 'EQUAL_INSTALMENT',
      principalGrace: 2,
    });
    // two months of 60.00; then A = 6000 * 0.01 / (1 - 1.01^-3) = 2040.13...
    expect(got.slice(0, 2)).toEqual([
      { dueDate: '2026-02-10', principal: '0.00', interest: '60.00' },
      { dueDate: '2026-03-10', principal: '0.00', interest: '60.00' },
    ]);
    // 1.01^3 = 1.030301: A = 6000 * 0.01 * 1.030301 / 0.030301
    const level = roundQ(frac(600_000n * 1_030_301n, 100n * 30_301n));
    let balance = 600_000n;
    const rest = [0, 1, 2].map((k) => {
      const interest = roundQ(frac(balance, 100));
      const principal = k === 2 ? balance : level - interest;
      balance -= principal;
      return { principal: text(principal, 2), interest: text(interest, 2) };
    });
    expect(got.slice(2).map(({ principal, interest }) => ({ principal, interest }))).toEqual(rest);
  });

  it('interest grace: nothing due in the first N periods, their interest deferred (not capitalised) to the first instalment', () => {
    const got = sched({ principal: '3000.00', rate: '0.12', count: 3, start: '2026-01-10', scale: 2, dayCount: 'THIRTY_360', interestGrace: 2 });
    expect(got.map((i) => i.dueDate)).toEqual(['2026-04-10', '2026-05-10', '2026-06-10']);
    // 3 months on 3,000.00 (90.00), then 20.00 and 10.00; principals 1,000.00 each (sum = principal)
    expect(got.map((i) => i.interest)).toEqual(['90.00', '20.00', '10.00']);
    expect(got.map((i) => i.principal)).toEqual(['1000.00', '1000.00', '1000.00']);
  });
});

describe('penalty cap and effective annual rate', () => {
  it('caps the penalty at a share of the overdue amount, rounding after the cap', () => {
    const base = { unpaid: '1000.00', penaltyRate: '0.365', graceDays: 0, currency: 'USD' };
    // uncapped: 1,000 * 0.365 * 200 / 365 = 200.00; cap 5 % of 1,000.00 = 50.00
    expect(penaltyDue({ ...base, dpd: 200 })).toBe('200.00');
    expect(penaltyDue({ ...base, dpd: 200, penaltyCapRate: '0.05' })).toBe('50.00');
    expect(penaltyDue({ ...base, dpd: 20, penaltyCapRate: '0.05' })).toBe('20.00');
    // XOF: whole francs, cap 3.33 % of 100,001 = 3,330.0333 -> 3,330
    expect(penaltyDue({ unpaid: '100001', penaltyRate: '1', graceDays: 0, currency: 'XOF', dpd: 300, penaltyCapRate: '0.0333' })).toBe('3330.00');
  });

  it('the effective annual rate is the IRR of the net payout and the instalments (checked by the sign of the NPV either side)', () => {
    const flows = [
      { date: '2026-01-10', amount: new Money('-98000') },
      ...['2026-02-10', '2026-03-10', '2026-04-10', '2026-05-10', '2026-06-10', '2026-07-10'].map((date, k) => ({
        date,
        amount: new Money(k === 5 ? '18500' : '18700'),
      })),
    ];
    const eir = effectiveAnnualRate(flows);
    if (!eir) throw new Error('no rate');
    expect(eir.decimalPlaces()).toBeLessThanOrEqual(6);
    // independent NPV in floating point is enough to bracket a 6-decimal rate
    const npv = (r: number) => flows.reduce((s, f) => s + Number(f.amount.toFixed()) / (1 + r) ** (actual('2026-01-10', f.date) / 365), 0);
    const r = Number(eir.toFixed());
    expect(npv(r - 0.000001)).toBeGreaterThan(0);
    expect(npv(r + 0.000001)).toBeLessThan(0);
    expect(r).toBeGreaterThan(0.5); // flat 24 % a year with a 2 % fee costs over 50 % effective
  });
});
