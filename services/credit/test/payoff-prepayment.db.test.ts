import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, riskOfficer, type UserErrorShape } from './given.ts';

const LOAN = `query($id: ID!, $asOf: Date) { loan(id: $id) {
  status currentScheduleVersion termCount daysPastDue outstandingPrincipal { amount }
  payoffQuote(asOf: $asOf) { asOf currency principal overdueInterest accruedInterest penalty interestWaived total }
  schedule { number dueDate principal interest principalPaid interestPaid paidOn status }
  original: scheduleVersion(version: 1) { number principal interest }
} }`;
const REVERSE = `mutation($input: ReverseRepaymentInput!) { reverseRepayment(input: $input) { loan { status } userErrors { field code message } } }`;

interface LoanAnswer {
  status: string;
  currentScheduleVersion: number;
  termCount: number;
  daysPastDue: number;
  outstandingPrincipal: { amount: string };
  payoffQuote: Record<string, string> | null;
  schedule: {
    number: number;
    dueDate: string;
    principal: string;
    interest: string;
    principalPaid: string;
    interestPaid: string;
    paidOn: string | null;
    status: string;
  }[];
  original: { number: number; principal: string; interest: string }[];
}

/** Independent arithmetic for the expectations (not the production functions): half up to cents. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
const cents = (x: Decimal) => x.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const monthly = new D('0.18').div(12);
const level = (balance: Decimal, n: number) => cents(balance.mul(monthly).div(new D(1).minus(monthly.plus(1).pow(-n))));

describe('early settlement (payoff quote) and prepayments that re-amortise the schedule', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const loan = async (id: string, asOf?: string) => {
    const res = await svc.graphql<{ loan: LoanAnswer }>(LOAN, { id, asOf }, staff.officer);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data.loan;
  };
  const pay = (loanId: string, amount: string, paidOn: string, ref: string) => g.repay({ loanId, amount, paidOn, channel: 'CASH', externalReference: ref });

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-15T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_payoff' });
    g = given(svc);
    await g.customer('c-p');
    await g.product({ code: 'IO-M', amortisation: 'INTEREST_ONLY', graceDays: 0 });
    await g.product({ code: 'EI-SHORTEN', overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS' });
    await g.product({ code: 'EI-LOWER', overpaymentPolicy: 'REDUCE_INSTALMENT_AMOUNT' });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('quotes principal plus interest accrued to the date, settles an interest-only loan at exactly that and waives the rest', async () => {
    // 10,000 at 18 % over 12 months, interest only: 150.00 interest a month, the principal with the 12th.
    const id = await g.activeLoan('c-p', 'IO-M', { principal: '10000.00', annualRate: '0.18', termCount: 12 }, '2026-01-15');
    vi.setSystemTime(new Date('2026-02-15T09:00:00Z'));
    expect((await pay(id, '150.00', '2026-02-15', 'io-1')).userErrors).toEqual([]);
    vi.setSystemTime(new Date('2026-03-10T09:00:00Z'));

    // 15 Feb -> 10 Mar is 25 days of 30 (30/360): 150.00 * 25 / 30 = 125.00 accrued; 150.00 * 11 - 125.00 waived.
    const before = await loan(id, '2026-03-10');
    expect(before.payoffQuote).toEqual({
      asOf: '2026-03-10',
      currency: 'USD',
      principal: '10000.00',
      overdueInterest: '0.00',
      accruedInterest: '125.00',
      penalty: '0.00',
      interestWaived: '1525.00',
      total: '10125.00',
    });
    // On the due date the instalment is due in full, nothing of the next period has accrued.
    expect((await loan(id, '2026-03-15')).payoffQuote).toMatchObject({ overdueInterest: '150.00', accruedInterest: '0.00', total: '10150.00' });

    // The 10,300 that used to leave 150.00 of interest owing on every later instalment is more than the payoff.
    const over = await pay(id, '10300.00', '2026-03-10', 'io-over');
    expect(over.userErrors.map((e: UserErrorShape) => [e.field, e.code])).toEqual([['amount', 'EXCEEDS_BALANCE']]);
    expect(over.userErrors[0]?.message).toContain('10125.00');
    // Between what is due and the payoff: a prepayment, which this product refuses.
    expect((await pay(id, '5000.00', '2026-03-10', 'io-part')).userErrors.map((e: UserErrorShape) => e.code)).toEqual(['OVERPAYMENT_REFUSED']);

    const settled = await pay(id, '10125.00', '2026-03-10', 'io-payoff');
    expect(settled.userErrors).toEqual([]);
    expect(settled.loan?.status).toBe('CLOSED');
    expect(settled.repayment).toMatchObject({ interestPaid: '125.00', principalPaid: '10000.00', penaltyPaid: '0.00' });
    const after = await loan(id);
    expect(after.payoffQuote).toBeNull();
    expect(after.outstandingPrincipal.amount).toBe('0.00');
    expect(after.schedule.map((i) => [i.number, i.interest, i.interestPaid, i.principalPaid, i.status, i.paidOn])).toEqual([
      [1, '150.00', '150.00', '0.00', 'PAID', '2026-02-15'],
      [2, '125.00', '125.00', '0.00', 'PAID', '2026-03-10'],
      ...[3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => [n, '0.00', '0.00', '0.00', 'PAID', '2026-03-10']),
      [12, '0.00', '0.00', '10000.00', 'PAID', '2026-03-10'],
    ]);
    expect((await eventsOf(svc, id)).at(-1)).toBe('LoanClosed');

    // Months later the end-of-day run finds nothing past due.
    vi.setSystemTime(new Date('2026-04-20T09:00:00Z'));
    const run = await svc.graphql(`mutation { runEndOfDay(input: { asOf: "2026-04-20" }) { userErrors { code } } }`, {}, riskOfficer);
    expect(run.errors).toBeUndefined();
    expect(await loan(id)).toMatchObject({ status: 'CLOSED', daysPastDue: 0 });

    // Reversing the settlement restores the scheduled interest and reopens the loan.
    const reversed = await svc.graphql<{ reverseRepayment: { loan: { status: string } | null; userErrors: UserErrorShape[] } }>(
      REVERSE,
      { input: { repaymentId: settled.repayment?.id, reason: 'cheque bounced' } },
      riskOfficer,
    );
    expect(reversed.data?.reverseRepayment).toEqual({ loan: { status: 'ACTIVE' }, userErrors: [] });
    const reopened = await loan(id);
    expect(reopened.schedule.slice(1).every((i) => i.interest === '150.00' && i.paidOn === null)).toBe(true);
  });

  /**
   * 10,000 at 18 % over 12 months, equal instalments of 916.80; instalments 1-3 paid when due,
   * then on 10 May instalment 4 (not yet due) plus 1,000.00. Returns the loan and the expected
   * balance after the prepayment, computed here independently.
   */
  const prepaid = async (product: string, ref: string) => {
    vi.setSystemTime(new Date('2026-01-15T09:00:00Z'));
    const id = await g.activeLoan('c-p', product, { principal: '10000.00', annualRate: '0.18', termCount: 12 }, '2026-01-15');
    const A = level(new D(10000), 12);
    expect(A.toFixed(2)).toBe('916.80');
    let balance = new D(10000);
    for (const [k, due] of ['2026-02-15', '2026-03-15', '2026-04-15'].entries()) {
      vi.setSystemTime(new Date(`${due}T09:00:00Z`));
      expect((await pay(id, '916.80', due, `${ref}-${k + 1}`)).userErrors).toEqual([]);
    }
    for (let k = 1; k <= 4; k++) balance = balance.minus(A.minus(cents(balance.mul(monthly))));
    vi.setSystemTime(new Date('2026-05-10T09:00:00Z'));
    const res = await pay(id, '1916.80', '2026-05-10', `${ref}-pre`);
    expect(res.userErrors).toEqual([]);
    expect(res.repayment).toMatchObject({ principalPaid: '1801.83', interestPaid: '114.97', prepaidPrincipal: '1000.00' });
    return { id, A, balance: balance.minus(1000) };
  };
  const dueDates = ['2026-06-15', '2026-07-15', '2026-08-15', '2026-09-15', '2026-10-15', '2026-11-15', '2026-12-15', '2027-01-15'];
  const sum = (xs: string[]) => xs.reduce((s, x) => s.plus(x), new D(0)).toFixed(2);

  it('REDUCE_LAST_INSTALMENTS keeps the instalment and shortens the term, interest only on what is outstanding', async () => {
    const { id, A, balance } = await prepaid('EI-SHORTEN', 'sh');
    const expected: string[][] = [];
    let b = balance;
    for (const due of dueDates) {
      const interest = cents(b.mul(monthly));
      const principal = b.plus(interest).lte(A) ? b : A.minus(interest);
      expected.push([due, principal.toFixed(2), interest.toFixed(2)]);
      b = b.minus(principal);
      if (b.isZero()) break;
    }
    const l = await loan(id);
    expect(l.currentScheduleVersion).toBe(2);
    expect(l.termCount).toBe(4 + expected.length);
    expect(l.schedule.slice(0, 4).map((i) => [i.number, i.principal, i.status])).toEqual([
      [1, '766.80', 'PAID'],
      [2, '778.30', 'PAID'],
      [3, '789.98', 'PAID'],
      [4, '1801.83', 'PAID'],
    ]);
    expect(l.schedule.slice(4).map((i) => [i.dueDate, i.principal, i.interest])).toEqual(expected);
    // The brief's figure: 347.91 of future interest (457.77 before), over 7 instalments instead of 8.
    expect(sum(l.schedule.slice(4).map((i) => i.interest))).toBe('347.91');
    expect(expected).toHaveLength(7);
    expect(sum(l.schedule.map((i) => i.principal))).toBe('10000.00');
    expect(l.outstandingPrincipal.amount).toBe(balance.toFixed(2));
    // The version before stays as it was.
    expect(l.original).toHaveLength(12);
    // 471.32 scheduled; the former rule only waived the 12th's 13.55, leaving 457.77.
    expect(sum(l.original.slice(4).map((i) => i.interest))).toBe('471.32');
    expect(l.payoffQuote).toMatchObject({ principal: balance.toFixed(2) });
    // A repayment the re-amortisation was built on cannot be reversed.
    const rev = await svc.graphql<{ reverseRepayment: { userErrors: UserErrorShape[] } }>(
      REVERSE,
      {
        input: {
          repaymentId: (await svc.db.selectFrom('repayment').select('id').where('external_reference', '=', 'sh-2').executeTakeFirstOrThrow()).id,
          reason: 'x',
        },
      },
      riskOfficer,
    );
    expect(rev.data?.reverseRepayment.userErrors.map((e) => e.code)).toEqual(['REPAYMENT_BEFORE_RESCHEDULING']);
  });

  it('REDUCE_INSTALMENT_AMOUNT keeps the term and lowers the instalment', async () => {
    const { id, balance } = await prepaid('EI-LOWER', 'lo');
    const A2 = level(balance, 8);
    const expected: string[][] = [];
    let b = balance;
    for (const [k, due] of dueDates.entries()) {
      const interest = cents(b.mul(monthly));
      const principal = k === dueDates.length - 1 ? b : A2.minus(interest);
      expected.push([due, principal.toFixed(2), interest.toFixed(2)]);
      b = b.minus(principal);
    }
    const l = await loan(id);
    expect(l.currentScheduleVersion).toBe(2);
    expect(l.termCount).toBe(12);
    expect(l.schedule.slice(4).map((i) => [i.dueDate, i.principal, i.interest])).toEqual(expected);
    expect(A2.toFixed(2)).toBe('783.22');
    expect(sum(l.schedule.slice(4).map((i) => i.interest))).toBe('402.63');
    expect(sum(l.schedule.map((i) => i.principal))).toBe('10000.00');
    // Paying the next, lower instalment is an ordinary repayment on the new version.
    vi.setSystemTime(new Date('2026-06-15T09:00:00Z'));
    const next = await pay(id, new D(expected[0]?.[1] ?? 0).plus(expected[0]?.[2] ?? 0).toFixed(2), '2026-06-15', 'lo-5');
    expect(next.userErrors).toEqual([]);
    expect(next.repayment?.prepaidPrincipal).toBe('0.00');
    expect((await loan(id)).schedule[4]?.status).toBe('PAID');
  });

  it('quotes and settles a loan only on or after the value date of its latest standing repayment', async () => {
    vi.setSystemTime(new Date('2026-01-15T09:00:00Z'));
    // 10,000 at 18 % over 12 months, interest only: 150.00 a month; instalment 1 (due 15 Feb) paid on its due date.
    const id = await g.activeLoan('c-p', 'IO-M', { principal: '10000.00', annualRate: '0.18', termCount: 12 }, '2026-01-15');
    vi.setSystemTime(new Date('2026-03-01T09:00:00Z'));
    expect((await pay(id, '150.00', '2026-02-15', 'po-late-1')).userErrors).toEqual([]);
    // Before 15 Feb no quote is given: a settlement then would leave the 15 Feb repayment nothing to pay.
    expect((await loan(id, '2026-02-10')).payoffQuote).toBeNull();
    // Booking one anyway (the principal, which the loan as it is now would take as its payoff on 10 Feb) is refused, nothing changes.
    const before = await loan(id);
    const early = await pay(id, '10000.00', '2026-02-10', 'po-late-2');
    expect(early.userErrors.map((e) => [e.field, e.code])).toEqual([['paidOn', 'BACK_DATED_REALLOCATION_FAILED']]);
    expect(early.userErrors[0]?.message).toContain('po-late-1');
    expect(await loan(id)).toEqual(before);
    // From 15 Feb on the quote is given, and paying it closes the loan.
    const quote = (await loan(id, '2026-02-15')).payoffQuote;
    expect(quote).toMatchObject({ asOf: '2026-02-15', principal: '10000.00', accruedInterest: '0.00', total: '10000.00' });
    const settled = await pay(id, quote?.total ?? '', '2026-02-15', 'po-late-3');
    expect(settled.userErrors).toEqual([]);
    expect(settled.loan?.status).toBe('CLOSED');
  });
});
