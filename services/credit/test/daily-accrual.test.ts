import { describe, expect, it } from 'vitest';
import { type AccrualInstalment, type AccrualTerms, accrualDays, interestAccruedBy, interestAsOf, type PrincipalRepaid } from '../src/domain/accrual.ts';
import { allocateRepayment, type OpenInstalment } from '../src/domain/allocation.ts';
import { disbursementAmounts, effectiveAnnualRate, scheduleCashFlows } from '../src/domain/fees.ts';
import { Money, type MoneyValue } from '../src/domain/money.ts';
import { allocatePayment, payoffQuote } from '../src/domain/payoff.ts';
import { generateSchedule } from '../src/domain/schedule.ts';

/*
 * DAILY_ACCRUAL, the per-instalment fee, the financed disbursement fee and the effective rate with
 * fees, to the minor unit against an independent calculation written here: exact rationals on
 * integer minor units (BigInt), calendar days from Date.UTC, its own leap years and rounding.
 * Nothing of the code under test computes an expectation.
 */
type Q = { n: bigint; d: bigint };
const dayNo = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;
const days = (a: string, b: string) => BigInt(dayNo(b) - dayNo(a));
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
/** A rate "0.185" as n / 10^k. */
const rate = (r: string): Q => {
  const [i = '0', f = ''] = r.split('.');
  return { n: BigInt(i + f), d: 10n ** BigInt(f.length) };
};
/** Half up (or half even) of n / d, non-negative. */
const roundQ = (x: Q, mode: 'UP' | 'EVEN' = 'UP'): bigint => {
  const floor = x.n / x.d;
  const twice = 2n * (x.n - floor * x.d);
  if (twice > x.d) return floor + 1n;
  if (twice < x.d) return floor;
  return mode === 'UP' || floor % 2n === 1n ? floor + 1n : floor;
};
const text = (u: bigint, scale: number) => {
  if (scale === 0) return u.toString();
  const s = u.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
};
/**
 * Independent interest of balance segments: sum of units * days(a, b) per year basis, times the
 * rate, rounded once. `basis` 365 or 360 (Actual), or 'ISDA' (each day of a leap year 1/366).
 */
function reference(segments: { units: bigint; from: string; to: string }[], r: string, basis: 365 | 360 | 'ISDA', mode: 'UP' | 'EVEN' = 'UP'): bigint {
  let sum: Q = { n: 0n, d: 1n };
  const add = (a: Q, b: Q): Q => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
  for (const s of segments) {
    if (basis !== 'ISDA') {
      sum = add(sum, { n: s.units * days(s.from, s.to), d: BigInt(basis) });
      continue;
    }
    // day by day, each weighing 1/366 or 1/365 by its own year
    for (let t = dayNo(s.from); t < dayNo(s.to); t++) {
      const y = new Date(t * 86_400_000).getUTCFullYear();
      sum = add(sum, { n: s.units, d: leap(y) ? 366n : 365n });
    }
  }
  const q = rate(r);
  return roundQ({ n: sum.n * q.n, d: sum.d * q.d }, mode);
}

const M = (v: string | number) => new Money(v);
const inst = (number: number, dueDate: string, principal: string, over: Partial<AccrualInstalment> = {}): AccrualInstalment => ({
  number,
  dueDate,
  principal: M(principal),
  principalPaid: M(0),
  interestPaid: M(0),
  paidOn: null,
  ...over,
});
const at = (m: Map<number, MoneyValue>, scale: number) => [...m.entries()].sort(([a], [b]) => a - b).map(([, v]) => v.toFixed(scale));

describe('DAILY_ACCRUAL: interest day by day on the principal actually outstanding', () => {
  const usd: AccrualTerms = { disbursedOn: '2025-01-31', financed: M('1200.00'), annualRate: M('0.12'), dayCount: 'ACTUAL_365', scale: 2, rounding: 'HALF_UP' };
  // 1,200.00 at 12 %, 3 monthly instalments of 400.00 principal from 31 Jan 2025 (month ends: 28 Feb, 31 Mar, 30 Apr; a common February)
  const dues = ['2025-02-28', '2025-03-31', '2025-04-30'];

  it('paid on the due dates, costs exactly the declining-balance schedule (common February, month ends)', () => {
    const schedule = generateSchedule({
      principal: M('1200.00'),
      annualRate: M('0.12'),
      count: 3,
      frequency: 'MONTHLY',
      method: 'EQUAL_PRINCIPAL',
      dayCount: 'ACTUAL_365',
      startDate: '2025-01-31',
      scale: 2,
      interestMethod: 'DAILY_ACCRUAL',
    });
    expect(schedule.map((i) => i.dueDate)).toEqual(dues);
    const expected = [
      reference([{ units: 120_000n, from: '2025-01-31', to: '2025-02-28' }], '0.12', 365),
      reference([{ units: 80_000n, from: '2025-02-28', to: '2025-03-31' }], '0.12', 365),
      reference([{ units: 40_000n, from: '2025-03-31', to: '2025-04-30' }], '0.12', 365),
    ].map((u) => text(u, 2));
    expect(schedule.map((i) => i.interest.toFixed(2))).toEqual(expected);
    expect(expected).toEqual(['11.05', '8.15', '3.95']);
    // each instalment paid on its due date: the accrual charges exactly these
    const paid: PrincipalRepaid[] = [];
    const rows = schedule.map((s) => inst(s.number, s.dueDate, s.principal.toFixed(2)));
    for (const [k, due] of dues.entries()) {
      const accrued = interestAccruedBy(rows, paid, usd, due);
      expect(accrued.get(k + 1)?.toFixed(2)).toBe(expected[k]);
      const row = rows[k];
      if (!row) throw new Error('no row');
      rows[k] = { ...row, principalPaid: row.principal, interestPaid: accrued.get(k + 1) ?? M(0), paidOn: due };
      paid.push({ on: due, principal: row.principal });
    }
  });

  it('paying late adds interest on the late principal in the next window; paying early shortens the window', () => {
    // #1 (400.00 + 11.05) paid 10 days late on 10 Mar: its own window ended on its due date, 28 Feb
    const rows = dues.map((d, k) => inst(k + 1, d, '400.00'));
    expect(at(interestAccruedBy(rows, [], usd, '2025-03-10'), 2)).toEqual([
      text(reference([{ units: 120_000n, from: '2025-01-31', to: '2025-02-28' }], '0.12', 365), 2),
      // the current window (28 Feb -> 10 Mar) on 1,200.00: the late principal still accrues
      text(reference([{ units: 120_000n, from: '2025-02-28', to: '2025-03-10' }], '0.12', 365), 2),
      '0.00',
    ]);
    rows[0] = { ...(rows[0] as AccrualInstalment), principalPaid: M('400.00'), interestPaid: M('11.05'), paidOn: '2025-03-10' };
    const repaid: PrincipalRepaid[] = [{ on: '2025-03-10', principal: M('400.00') }];
    // #2 paid early on 25 Mar: its window 28 Feb -> 25 Mar, 1,200.00 for 10 days then 800.00 for 15
    const early = reference(
      [
        { units: 120_000n, from: '2025-02-28', to: '2025-03-10' },
        { units: 80_000n, from: '2025-03-10', to: '2025-03-25' },
      ],
      '0.12',
      365,
    );
    expect(text(early, 2)).toBe('7.89'); // 0.12 * (12,000 + 12,000) / 365 = 7.890...
    expect(interestAccruedBy(rows, repaid, usd, '2025-03-25').get(2)?.toFixed(2)).toBe('7.89');
    // as the loan stands before paying it, #2's window runs to its due date on the present balance (the expected figure)
    expect(interestAsOf(rows, repaid, usd, '2025-03-25').get(2)?.toFixed(2)).toBe(
      text(
        reference(
          [
            { units: 120_000n, from: '2025-02-28', to: '2025-03-10' },
            { units: 80_000n, from: '2025-03-10', to: '2025-03-31' },
          ],
          '0.12',
          365,
        ),
        2,
      ),
    );
    rows[1] = { ...(rows[1] as AccrualInstalment), principalPaid: M('400.00'), interestPaid: M('7.89'), paidOn: '2025-03-25' };
    repaid.push({ on: '2025-03-25', principal: M('400.00') });
    // #3's window starts when #2 was settled (25 Mar), on 400.00, to its due date 30 Apr: 36 days
    const third = reference([{ units: 40_000n, from: '2025-03-25', to: '2025-04-30' }], '0.12', 365);
    expect(interestAsOf(rows, repaid, usd, '2025-03-25').get(3)?.toFixed(2)).toBe(text(third, 2));
    expect(text(third, 2)).toBe('4.73');
    // settled instalments keep what they were charged
    expect(at(interestAsOf(rows, repaid, usd, '2025-04-01'), 2)).toEqual(['11.05', '7.89', '4.73']);
    // after maturity the last window runs on: 10 days late, 400.00 for 46 days
    expect(interestAsOf(rows, repaid, usd, '2025-05-10').get(3)?.toFixed(2)).toBe(
      text(reference([{ units: 40_000n, from: '2025-03-25', to: '2025-05-10' }], '0.12', 365), 2),
    );
  });

  it('the payoff charges the due interest in full and the current window accrued to the date, by the waterfall', () => {
    const rows = dues.map((d, k) => inst(k + 1, d, '400.00'));
    // 15 Mar, nothing paid: #1 due (11.05), #2 accrued 28 Feb -> 15 Mar on 1,200.00, #3 not begun
    const accrued = interestAccruedBy(rows, [], usd, '2025-03-15');
    const open: OpenInstalment[] = rows.map((r) => ({
      number: r.number,
      dueDate: r.dueDate,
      principal: r.principal,
      interest: accrued.get(r.number) ?? M(0),
      penalty: M(0),
      principalPaid: M(0),
      interestPaid: M(0),
      penaltyPaid: M(0),
    }));
    const terms = { dayCount: 'ACTUAL_365' as const, periodStart: () => '2025-01-31', scale: 2, accruedGiven: true };
    const q = payoffQuote(open, '2025-03-15', terms);
    const current = reference([{ units: 120_000n, from: '2025-02-28', to: '2025-03-15' }], '0.12', 365);
    expect(q.overdueInterest.toFixed(2)).toBe('11.05');
    expect(q.accruedInterest.toFixed(2)).toBe(text(current, 2));
    expect(q.total.toFixed(2)).toBe(text(120_000n + 1105n + current, 2));
    // exactly the quote settles every instalment
    const settled = allocatePayment(open, q.total, '2025-03-15', 'REFUSE', terms);
    expect(settled.ok && settled.settlement && settled.value.lines.every((l) => l.settles)).toBe(true);
  });

  it('ACTUAL_ACTUAL_ISDA across a year end into a leap February, whole francs (XOF, 0 decimals), late payment', () => {
    const xof: AccrualTerms = {
      disbursedOn: '2023-12-15',
      financed: M('1000000'),
      annualRate: M('0.18'),
      dayCount: 'ACTUAL_ACTUAL_ISDA',
      scale: 0,
      rounding: 'HALF_UP',
    };
    const rows = [inst(1, '2024-01-15', '333333'), inst(2, '2024-02-15', '333333'), inst(3, '2024-03-15', '333334')];
    // nothing paid until 20 Feb 2024 (leap year): #1's window 15 Dec -> 15 Jan (17 days of 2023, 14 of 2024),
    // #2's 15 Jan -> 15 Feb on the whole 1,000,000 (the first principal is late), #3 accrued 15 -> 20 Feb
    const got = at(interestAccruedBy(rows, [], xof, '2024-02-20'), 0);
    expect(got).toEqual([
      text(reference([{ units: 1_000_000n, from: '2023-12-15', to: '2024-01-15' }], '0.18', 'ISDA'), 0),
      text(reference([{ units: 1_000_000n, from: '2024-01-15', to: '2024-02-15' }], '0.18', 'ISDA'), 0),
      text(reference([{ units: 1_000_000n, from: '2024-02-15', to: '2024-02-20' }], '0.18', 'ISDA'), 0),
    ]);
    // 1,000,000 * 0.18 * (17/365 + 14/366) = 8,383.56... + 6,885.24... = 15,268.80... -> 15,269
    expect(got[0]).toBe('15269');
    // paid 20 Feb: #1 and #2 in full, then #3's accrued interest and 100,000 of its principal
    const owed = rows.map((r) => ({
      number: r.number,
      dueDate: r.dueDate,
      principal: r.principal,
      interest: M(got[r.number - 1] ?? '0'),
      penalty: M(0),
      principalPaid: M(0),
      interestPaid: M(0),
      penaltyPaid: M(0),
    }));
    const amount = M(666_666)
      .plus(got[0] ?? 0)
      .plus(got[1] ?? 0)
      .plus(got[2] ?? 0)
      .plus(100_000);
    const a = allocateRepayment(owed, amount, '2024-02-20', 'REFUSE');
    expect(a.ok && a.value.lines.map((l) => [l.number, l.interest.toFixed(0), l.principal.toFixed(0), l.settles])).toEqual([
      [1, got[0], '333333', true],
      [2, got[1], '333333', true],
      [3, got[2], '100000', false],
    ]);
    // #3's window runs on to its due date on 233,334 from 20 Feb (the leap day counts 1/366)
    const after = rows.map((r) =>
      r.number < 3
        ? { ...r, principalPaid: r.principal, interestPaid: M(got[r.number - 1] ?? 0), paidOn: '2024-02-20' }
        : { ...r, principalPaid: M(100_000), interestPaid: M(got[2] ?? 0) },
    );
    expect(
      interestAsOf(after, [{ on: '2024-02-20', principal: M(766_666) }], xof, '2024-02-20')
        .get(3)
        ?.toFixed(0),
    ).toBe(
      text(
        reference(
          [
            { units: 1_000_000n, from: '2024-02-15', to: '2024-02-20' },
            { units: 233_334n, from: '2024-02-20', to: '2024-03-15' },
          ],
          '0.18',
          'ISDA',
        ),
        0,
      ),
    );
  });

  it('ACTUAL_360 at 3 decimals (KWD), HALF_EVEN, over a leap February and the 31st', () => {
    const kwd: AccrualTerms = {
      disbursedOn: '2024-01-31',
      financed: M('2500.000'),
      annualRate: M('0.0875'),
      dayCount: 'ACTUAL_360',
      scale: 3,
      rounding: 'HALF_EVEN',
    };
    const rows = [inst(1, '2024-02-29', '1250.000'), inst(2, '2024-03-31', '1250.000')];
    // a partial principal payment of 500.000 on 10 Feb lowers the rest of window 1
    const repaid = [{ on: '2024-02-10', principal: M('500.000') }];
    const first = reference(
      [
        { units: 2_500_000n, from: '2024-01-31', to: '2024-02-10' },
        { units: 2_000_000n, from: '2024-02-10', to: '2024-02-29' },
      ],
      '0.0875',
      360,
      'EVEN',
    );
    expect(interestAsOf(rows, repaid, kwd, '2024-02-10').get(1)?.toFixed(3)).toBe(text(first, 3));
    expect(accrualDays('ACTUAL_360', '2024-01-31', '2024-02-29')).toBe(29);
    // HALF_EVEN on an exact half: 360 units for 1 day at 0.05 % a year... 1.000 * 0.18 * 1 / 360 = 0.0005 -> 0.000 (even), HALF_UP 0.001
    const tiny = { ...kwd, financed: M('1.000'), annualRate: M('0.18'), disbursedOn: '2024-03-01' };
    const one = [inst(1, '2024-03-02', '1.000')];
    expect(interestAsOf(one, [], tiny, '2024-03-01').get(1)?.toFixed(3)).toBe('0.000');
    expect(
      interestAsOf(one, [], { ...tiny, rounding: 'HALF_UP' }, '2024-03-01')
        .get(1)
        ?.toFixed(3),
    ).toBe('0.001');
  });
});

describe('per-instalment fee, financed disbursement fee, effective rate with fees', () => {
  const open = (over: Partial<OpenInstalment>[]): OpenInstalment[] =>
    over.map((o, k) => ({
      number: k + 1,
      dueDate: `2026-0${k + 2}-10`,
      principal: M('100.00'),
      interest: M('10.00'),
      penalty: M(0),
      principalPaid: M(0),
      interestPaid: M(0),
      penaltyPaid: M(0),
      fee: M('2.50'),
      feePaid: M(0),
      ...o,
    }));

  it('the waterfall within an instalment: penalty, fee, interest, principal', () => {
    const a = allocateRepayment(open([{ penalty: M('1.00') }, {}]), M('5.00'), '2026-02-20', 'REFUSE');
    // 1.00 penalty, then the 2.50 fee, then 1.50 of interest
    expect(a.ok && a.value.lines.map((l) => [l.penalty.toFixed(2), l.fee.toFixed(2), l.interest.toFixed(2), l.principal.toFixed(2)])).toEqual([
      ['1.00', '2.50', '1.50', '0.00'],
    ]);
    expect(a.ok && a.value.fee.toFixed(2)).toBe('2.50');
  });

  it('the payoff charges the fees of the instalments due and waives the others', () => {
    const q = payoffQuote(open([{}, {}, {}]), '2026-02-15', { dayCount: 'ACTUAL_365', periodStart: (n) => (n === 1 ? '2026-01-10' : '2026-02-10'), scale: 2 });
    // #1 due 10 Feb: 2.50; #2 (current) and #3: waived
    expect([q.fees.toFixed(2), q.feesWaived.toFixed(2)]).toEqual(['2.50', '5.00']);
    expect(q.total.toFixed(2)).toBe(new Money('300.00').plus('10.00').plus(q.accruedInterest).plus('2.50').toFixed(2));
  });

  it('a financed fee is added to the principal the schedule amortises; the payout is the whole principal', () => {
    expect(disbursementAmounts(M('100000'), M('2500'), true)).toEqual({ financed: M('102500'), netDisbursed: M('100000') });
    expect(disbursementAmounts(M('100000'), M('2500'), false)).toEqual({ financed: M('100000'), netDisbursed: M('97500') });
  });

  it('the effective rate counts the per-instalment fees (NPV changes sign 1e-6 either side, independent floating point)', () => {
    const dues = ['2026-02-10', '2026-03-10', '2026-04-10'];
    const flows = scheduleCashFlows(
      '2026-01-10',
      M('100000'),
      dues.map((d) => ({ dueDate: d, principal: M('34167'), interest: M('2000'), fee: M('500') })),
    );
    expect(flows.map((f) => f.amount.toFixed(0))).toEqual(['-100000', '36667', '36667', '36667']);
    const r = Number(effectiveAnnualRate(flows)?.toFixed());
    const npv = (x: number) => flows.reduce((s, f) => s + Number(f.amount.toFixed()) / (1 + x) ** (Number(days('2026-01-10', f.date)) / 365), 0);
    expect(npv(r - 1e-6)).toBeGreaterThan(0);
    expect(npv(r + 1e-6)).toBeLessThan(0);
    const withoutFees = Number(
      effectiveAnnualRate(
        scheduleCashFlows(
          '2026-01-10',
          M('100000'),
          dues.map((d) => ({ dueDate: d, principal: M('34167'), interest: M('2000') })),
        ),
      )?.toFixed(),
    );
    expect(r).toBeGreaterThan(withoutFees);
  });
});
