import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, productInput, riskOfficer, type UserErrorShape } from './given.ts';

/*
 * DAILY_ACCRUAL, the per-instalment fee and the financed disbursement fee through the API and the
 * end-of-day SQL: a KWD loan (3 decimals) over a leap February and month ends paid late, early and
 * settled by its payoff; an XOF loan (0 decimals) with a financed fee and a fee on each instalment,
 * a partial payment by the waterfall, its reversal (the loan exactly as before) and the payoff.
 * Expectations are computed here independently (BigInt, days from Date.UTC), never by the code under test.
 */
const dayNo = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;
/** round half up of rate * sum(units * days) / basis, in minor units; rate as a decimal string. */
function interest(segments: [units: bigint, from: string, to: string][], rate: string, basis: number): bigint {
  const [i = '0', f = ''] = rate.split('.');
  const r = BigInt(i + f);
  const rd = 10n ** BigInt(f.length);
  const n = segments.reduce((s, [u, a, b]) => s + u * BigInt(dayNo(b) - dayNo(a)), 0n) * r;
  const d = BigInt(basis) * rd;
  const floor = n / d;
  return 2n * (n - floor * d) >= d ? floor + 1n : floor;
}
const kwd = (u: bigint) => `${u / 1000n}.${(u % 1000n).toString().padStart(3, '0')}`;

const LOAN = `query($id: ID!, $asOf: Date) { loan(id: $id) {
  status financedAmount { amount } netDisbursed { amount } disbursementFee { amount } effectiveAnnualRate
  v1: scheduleEffectiveAnnualRate(version: 1) current: scheduleEffectiveAnnualRate
  accruedInterest(asOf: $asOf) { amount currency }
  outstandingPrincipal { amount }
  payoffQuote(asOf: $asOf) { principal overdueInterest accruedInterest penalty fees interestWaived total }
  schedule { number dueDate principal interest scheduledInterest fee feePaid total principalPaid interestPaid outstanding paidOn daysPastDue status }
  delinquencyHistory(first: 5) { edges { node { asOf accruedInterest } } }
  product { interestMethod dayCount instalmentFee disbursementFeeFinanced }
} }`;
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { product { code } userErrors { field code } } }`;
const REVERSE = `mutation($input: ReverseRepaymentInput!) { reverseRepayment(input: $input) { userErrors { field code message } } }`;
const REPAYMENT = `query($id: ID!) { loan(id: $id) { repayments { edges { node { id paidOn feePaid interestPaid principalPaid penaltyPaid } } } } }`;

type Row = Record<string, unknown> & { number: number; interest: string; scheduledInterest: string; paidOn: string | null };
type LoanState = Record<string, unknown> & {
  status: string;
  schedule: Row[];
  payoffQuote: Record<string, string> | null;
  accruedInterest: { amount: string } | null;
  delinquencyHistory: { edges: { node: { asOf: string; accruedInterest: string | null } }[] };
};

describe('daily accrual and instalment fees through the API', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const today = (d: string) => vi.setSystemTime(new Date(`${d}T09:00:00Z`));
  const state = async (id: string, asOf?: string) => {
    const res = await svc.graphql<{ loan: LoanState }>(LOAN, { id, asOf }, staff.officer);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    if (!res.data) throw new Error('no loan');
    return res.data.loan;
  };
  const eod = async (asOf: string) => {
    const res = await svc.graphql<{ runEndOfDay: { userErrors: UserErrorShape[] } }>(
      `mutation { runEndOfDay(input: { asOf: "${asOf}" }) { userErrors { field code message } } }`,
      {},
      riskOfficer,
    );
    expect(res.data?.runEndOfDay.userErrors).toEqual([]);
  };
  const pay = async (loanId: string, amount: string, paidOn: string, ref: string) => {
    const r = await g.repay({ loanId, amount, paidOn, channel: 'CASH', externalReference: ref });
    expect(r.userErrors).toEqual([]);
    return r;
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    today('2024-01-31');
    svc = await startTestService(creditService, { label: 'credit_daily_accrual' });
    g = given(svc);
    await g.customer('c-daily');
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('refuses a daily product on a 30/360 day count and a bad instalment fee, writing nothing', { timeout: 60_000 }, async () => {
    const refused = async (over: Record<string, unknown>) =>
      (await svc.graphql<{ createLoanProduct: { product: unknown; userErrors: UserErrorShape[] } }>(PRODUCT, { input: productInput(over) }, staff.admin)).data
        ?.createLoanProduct;
    expect(await refused({ code: 'DAILY-360', interestMethod: 'DAILY_ACCRUAL', dayCount: 'THIRTY_360' })).toEqual({
      product: null,
      userErrors: [{ field: 'dayCount', code: 'INVALID_DAY_COUNT' }],
    });
    expect((await refused({ code: 'FEE-NEG', instalmentFee: '-1.00' }))?.userErrors).toEqual([{ field: 'instalmentFee', code: 'NEGATIVE' }]);
    expect((await refused({ code: 'FEE-DEC', instalmentFee: '1.001' }))?.userErrors).toEqual([{ field: 'instalmentFee', code: 'TOO_MANY_DECIMALS' }]);
    expect(await svc.db.selectFrom('loan_product').select('code').where('code', 'in', ['DAILY-360', 'FEE-NEG', 'FEE-DEC']).execute()).toEqual([]);
  });

  it('KWD: late principal accrues in the next window, an early payment shortens its window, the run accrues, the payoff closes', {
    timeout: 240_000,
  }, async () => {
    today('2024-01-31');
    await g.product({
      code: 'DAILY-KWD',
      currency: 'KWD',
      minPrincipal: '100.000',
      maxPrincipal: '7000.000',
      amortisation: 'EQUAL_PRINCIPAL',
      interestMethod: 'DAILY_ACCRUAL',
      penaltyRate: '0',
      graceDays: 0,
    });
    const id = await g.activeLoan('c-daily', 'DAILY-KWD', { principal: '3000.000', annualRate: '0.12', termCount: 3 }, '2024-01-31');
    const r = '0.12';
    // the schedule: 31 Jan -> 29 Feb (leap) -> 31 Mar -> 30 Apr, 1,000.000 of principal each
    const expected = [
      interest([[3_000_000n, '2024-01-31', '2024-02-29']], r, 365),
      interest([[2_000_000n, '2024-02-29', '2024-03-31']], r, 365),
      interest([[1_000_000n, '2024-03-31', '2024-04-30']], r, 365),
    ];
    const start = await state(id, '2024-01-31');
    expect(start.product).toEqual({ interestMethod: 'DAILY_ACCRUAL', dayCount: 'ACTUAL_365', instalmentFee: null, disbursementFeeFinanced: false });
    expect(start.schedule.map((i) => [i.dueDate, i.principal, i.interest, i.scheduledInterest, i.fee])).toEqual([
      ['2024-02-29', '1000.000', kwd(expected[0] ?? 0n), kwd(expected[0] ?? 0n), '0.000'],
      ['2024-03-31', '1000.000', kwd(expected[1] ?? 0n), kwd(expected[1] ?? 0n), '0.000'],
      ['2024-04-30', '1000.000', kwd(expected[2] ?? 0n), kwd(expected[2] ?? 0n), '0.000'],
    ]);
    expect(kwd(expected[0] ?? 0n)).toBe('28.603'); // 3,000 * 0.12 * 29 / 365 = 28.6027...

    // 10 days late, nothing paid: the run of 10 Mar finds #1 10 days past due; #2's window began on 29 Feb on the whole 3,000.000
    today('2024-03-10');
    await eod('2024-03-10');
    const late = await state(id, '2024-03-10');
    const accruedSecond = interest([[3_000_000n, '2024-02-29', '2024-03-10']], r, 365);
    expect(late.schedule.map((i) => [i.interest, i.daysPastDue])).toEqual([
      [kwd(expected[0] ?? 0n), 10],
      [kwd(interest([[3_000_000n, '2024-02-29', '2024-03-31']], r, 365)), 0],
      [kwd(expected[2] ?? 0n), 0],
    ]);
    expect(late.schedule[1]?.scheduledInterest).toBe(kwd(expected[1] ?? 0n));
    // accrued to date: #1's interest and #2's window so far (the end-of-day SQL and the API agree)
    const accruedToDate = kwd((expected[0] ?? 0n) + accruedSecond);
    expect(late.accruedInterest).toEqual({ amount: accruedToDate, currency: 'KWD' });
    expect(late.delinquencyHistory.edges[0]?.node).toEqual({ asOf: '2024-03-10', accruedInterest: accruedToDate });
    expect(late.payoffQuote).toMatchObject({ overdueInterest: kwd(expected[0] ?? 0n), accruedInterest: kwd(accruedSecond), fees: '0.000' });
    // the same run again changes nothing
    await eod('2024-03-10');
    expect(await state(id, '2024-03-10')).toEqual(late);

    // #1 paid late on 10 Mar; #2 then accrues on 2,000.000 from that day
    await pay(id, kwd(1_000_000n + (expected[0] ?? 0n)), '2024-03-10', 'daily-kwd-1');
    const afterFirst = await state(id, '2024-03-10');
    expect(afterFirst.schedule[0]).toMatchObject({ paidOn: '2024-03-10', interest: kwd(expected[0] ?? 0n), status: 'PAID' });
    expect(afterFirst.schedule[1]?.interest).toBe(
      kwd(
        interest(
          [
            [3_000_000n, '2024-02-29', '2024-03-10'],
            [2_000_000n, '2024-03-10', '2024-03-31'],
          ],
          r,
          365,
        ),
      ),
    );

    // #2 paid 6 days early (25 Mar): only the interest accrued to that day is charged; #3's window starts then
    today('2024-03-25');
    const secondCharged = interest(
      [
        [3_000_000n, '2024-02-29', '2024-03-10'],
        [2_000_000n, '2024-03-10', '2024-03-25'],
      ],
      r,
      365,
    );
    expect((await state(id, '2024-03-25')).payoffQuote?.accruedInterest).toBe(kwd(secondCharged));
    await pay(id, kwd(1_000_000n + secondCharged), '2024-03-25', 'daily-kwd-2');
    const afterSecond = await state(id, '2024-03-25');
    expect(afterSecond.schedule.map((i) => [i.interest, i.paidOn])).toEqual([
      [kwd(expected[0] ?? 0n), '2024-03-10'],
      [kwd(secondCharged), '2024-03-25'],
      [kwd(interest([[1_000_000n, '2024-03-25', '2024-04-30']], r, 365)), null],
    ]);
    expect(secondCharged).toBeLessThan(interest([[3_000_000n, '2024-02-29', '2024-03-31']], r, 365));

    // the payoff of 10 Apr: the rest of the principal and 16 days on 1,000.000
    today('2024-04-10');
    const last = interest([[1_000_000n, '2024-03-25', '2024-04-10']], r, 365);
    const quote = (await state(id, '2024-04-10')).payoffQuote;
    expect(quote).toMatchObject({ principal: '1000.000', overdueInterest: '0.000', accruedInterest: kwd(last), total: kwd(1_000_000n + last) });
    await pay(id, quote?.total ?? '', '2024-04-10', 'daily-kwd-3');
    const closed = await state(id, '2024-04-10');
    expect(closed.status).toBe('CLOSED');
    expect(closed.schedule.map((i) => [i.interest, i.outstanding, i.paidOn])).toEqual([
      [kwd(expected[0] ?? 0n), '0.000', '2024-03-10'],
      [kwd(secondCharged), '0.000', '2024-03-25'],
      [kwd(last), '0.000', '2024-04-10'],
    ]);
  });

  it('XOF: a financed disbursement fee, a fee on each instalment by the waterfall, a reversal restores the loan exactly, the payoff waives fees not yet due', {
    timeout: 240_000,
  }, async () => {
    today('2025-01-31');
    await g.product({
      code: 'DAILY-XOF',
      currency: 'XOF',
      minPrincipal: '50000',
      maxPrincipal: '5000000',
      amortisation: 'EQUAL_PRINCIPAL',
      interestMethod: 'DAILY_ACCRUAL',
      dayCount: 'ACTUAL_360',
      instalmentFee: '500',
      disbursementFeeRate: '0.02',
      disbursementFeeFinanced: true,
      penaltyRate: '0',
      graceDays: 0,
    });
    const id = await g.activeLoan('c-daily', 'DAILY-XOF', { principal: '300000', annualRate: '0.18', termCount: 3 }, '2025-01-31');
    const r = '0.18';
    const start = await state(id, '2025-01-31');
    // 2 % of 300,000 = 6,000 financed: the schedule amortises 306,000, the borrower receives 300,000
    expect([start.financedAmount, start.netDisbursed, start.disbursementFee]).toEqual([
      { amount: '306000.00' },
      { amount: '300000.00' },
      { amount: '6000.00' },
    ]);
    const expected = [
      interest([[306_000n, '2025-01-31', '2025-02-28']], r, 360),
      interest([[204_000n, '2025-02-28', '2025-03-31']], r, 360),
      interest([[102_000n, '2025-03-31', '2025-04-30']], r, 360),
    ];
    expect(expected).toEqual([4284n, 3162n, 1530n]);
    expect(start.schedule.map((i) => [i.dueDate, i.principal, i.interest, i.fee, i.total])).toEqual([
      ['2025-02-28', '102000.00', '4284.00', '500.00', '106784.00'],
      ['2025-03-31', '102000.00', '3162.00', '500.00', '105662.00'],
      ['2025-04-30', '102000.00', '1530.00', '500.00', '104030.00'],
    ]);
    // the effective rate counts the fees: the IRR of -300,000 and the three instalments with their fee (independent NPV sign check)
    expect(start.v1).toBe(start.effectiveAnnualRate);
    expect(start.current).toBe(start.effectiveAnnualRate);
    const flows: [number, number][] = [
      [0, -300000],
      [28, 106784],
      [59, 105662],
      [89, 104030],
    ];
    const npv = (x: number) => flows.reduce((s, [d, a]) => s + a / (1 + x) ** (d / 365), 0);
    const eir = Number(start.effectiveAnnualRate);
    expect(npv(eir - 1e-6)).toBeGreaterThan(0);
    expect(npv(eir + 1e-6)).toBeLessThan(0);

    today('2025-03-05');
    await eod('2025-03-05');
    const before = await state(id, '2025-03-05');
    // #1 unpaid 5 days: its fee counts as due (days past due 5); #2 accrues on 306,000 from 28 Feb
    expect(before.schedule[0]?.daysPastDue).toBe(5);
    const accrued = interest([[306_000n, '2025-02-28', '2025-03-05']], r, 360);
    expect(before.payoffQuote).toEqual({
      principal: '306000.00',
      overdueInterest: '4284.00',
      accruedInterest: `${accrued}.00`,
      penalty: '0.00',
      fees: '500.00',
      interestWaived: expect.any(String),
      total: `${306_000n + 4284n + accrued + 500n}.00`,
    });

    // 50,000 on 5 Mar by the waterfall: #1's fee, then its interest, then principal
    const paid = await pay(id, '50000', '2025-03-05', 'daily-xof-1');
    const repayments = (await svc.graphql<{ loan: { repayments: { edges: { node: Record<string, string> }[] } } }>(REPAYMENT, { id }, staff.officer)).data?.loan
      .repayments.edges;
    expect(repayments?.map((e) => [e.node.feePaid, e.node.interestPaid, e.node.principalPaid, e.node.penaltyPaid])).toEqual([
      ['500.00', '4284.00', '45216.00', '0.00'],
    ]);
    const partly = await state(id, '2025-03-05');
    expect(partly.schedule[0]).toMatchObject({ feePaid: '500.00', interestPaid: '4284.00', principalPaid: '45216.00', paidOn: null, status: 'OVERDUE' });

    // reversed: the loan is exactly as before the payment
    const reversed = await svc.graphql<{ reverseRepayment: { userErrors: UserErrorShape[] } }>(
      REVERSE,
      { input: { repaymentId: paid.repayment?.id, reason: 'Cheque returned unpaid' } },
      riskOfficer,
    );
    expect(reversed.data?.reverseRepayment.userErrors).toEqual([]);
    expect(await state(id, '2025-03-05')).toEqual(before);

    // the payoff of 5 Mar closes it; the fees of #2 and #3 (not yet due) are not charged
    await pay(id, before.payoffQuote?.total ?? '', '2025-03-05', 'daily-xof-2');
    const closed = await state(id, '2025-03-05');
    expect(closed.status).toBe('CLOSED');
    expect(closed.schedule.map((i) => [i.fee, i.feePaid, i.outstanding])).toEqual([
      ['500.00', '500.00', '0.00'],
      ['0.00', '0.00', '0.00'],
      ['0.00', '0.00', '0.00'],
    ]);
    // the version's effective rate is still the schedule's (fees and interest as scheduled, before the waivers)
    expect(closed.v1).toBe(start.effectiveAnnualRate);
  });
});
