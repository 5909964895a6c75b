import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MINOR_UNIT_EXCEPTIONS, minorUnits } from '../../../packages/service-kit/src/money.ts';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, riskOfficer } from './given.ts';

const RUN = `mutation($input: RunEndOfDayInput!) { runEndOfDay(input: $input) { asOf loansEvaluated userErrors { field code } } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { status principal { amount currency } outstandingPrincipal { amount }
  schedule { number dueDate principal interest total penalty outstanding status } } }`;

interface LoanAnswer {
  loan: {
    status: string;
    principal: { amount: string; currency: string };
    outstandingPrincipal: { amount: string };
    schedule: { number: number; dueDate: string; principal: string; interest: string; total: string; penalty: string; outstanding: string; status: string }[];
  };
}

describe('one ISO 4217 table', () => {
  it('gives 0, 2, 3 and 4 decimals, and null for what is not a currency code', () => {
    expect(['XOF', 'JPY', 'UYI', 'USD', 'EUR', 'KWD', 'BHD', 'TND', 'CLF', 'UYW'].map(minorUnits)).toEqual([0, 0, 0, 2, 2, 3, 3, 3, 4, 4]);
    expect(['usd', 'US', 'USDT', ''].map(minorUnits)).toEqual([null, null, null, null]);
    expect(Object.keys(MINOR_UNIT_EXCEPTIONS)).toHaveLength(26);
  });
});

describe('credit money at the currency minor unit, end to end', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const loan = async (id: string) => {
    const res = await svc.graphql<LoanAnswer>(LOAN, { id });
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no loan');
    return res.data.loan;
  };
  const run = async (asOf: string) => {
    const res = await svc.graphql<{ runEndOfDay: { userErrors: unknown[] } }>(RUN, { input: { asOf } }, riskOfficer);
    expect(res.errors).toBeUndefined();
    expect(res.data?.runEndOfDay.userErrors).toEqual([]);
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-01-31T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_currency' });
    g = given(svc);
    await g.customer('c-cur');
    await g.product({ code: 'XOF-M', currency: 'XOF', minPrincipal: '100000', maxPrincipal: '50000000', penaltyRate: '0.365', graceDays: 3 });
    await g.product({ code: 'KWD-M', currency: 'KWD', minPrincipal: '100.000', maxPrincipal: '5000.000', penaltyRate: '0.365', graceDays: 3 });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('accrues whole-XOF penalties on an overdue XOF loan, which the borrower pays in full and the loan closes', async () => {
    const id = await g.activeLoan('c-cur', 'XOF-M', { principal: '1000000', annualRate: '0.12', termCount: 3 }, '2024-01-31');
    const start = await loan(id);
    expect(start.schedule.map((i) => [i.principal, i.interest])).toEqual([
      ['330022.00', '10000.00'],
      ['333322.00', '6700.00'],
      ['336656.00', '3367.00'],
    ]);
    // Due 29 Feb, unpaid; on 10 Mar: 10 days past due, 3 days' grace: 340022 * 0.365 * 7 / 365 = 2380.154 -> 2380 XOF.
    vi.setSystemTime(new Date('2024-03-10T20:00:00Z'));
    await run('2024-03-10');
    const late = await loan(id);
    expect(late.schedule[0]).toMatchObject({ penalty: '2380.00', outstanding: '342402.00', status: 'OVERDUE' });
    for (const i of late.schedule) expect(i.penalty).toMatch(/^\d+\.00$/);
    const pay = async (amount: string, paidOn: string, ref: string) => {
      const res = await g.repay({ loanId: id, amount, paidOn, channel: 'CASH', externalReference: ref });
      expect(res.userErrors).toEqual([]);
      return res;
    };
    await pay(late.schedule[0]?.outstanding ?? '', '2024-03-10', 'xof-1');
    vi.setSystemTime(new Date('2024-05-01T09:00:00Z'));
    await pay(late.schedule[1]?.outstanding ?? '', '2024-03-31', 'xof-2');
    const last = await pay(late.schedule[2]?.outstanding ?? '', '2024-04-30', 'xof-3');
    expect(last.loan?.status).toBe('CLOSED');
    const closed = await loan(id);
    expect(closed.outstandingPrincipal.amount).toBe('0.00');
    expect(closed.schedule.map((i) => i.status)).toEqual(['PAID', 'PAID', 'PAID']);
    expect((await eventsOf(svc, id)).at(-1)).toBe('LoanClosed');
  });

  it('schedules, charges and books a KWD loan at 3 decimals', async () => {
    vi.setSystemTime(new Date('2024-01-31T09:00:00Z'));
    const id = await g.activeLoan('c-cur', 'KWD-M', { principal: '1000.000', annualRate: '0.12', termCount: 3 }, '2024-01-31');
    const start = await loan(id);
    expect(start.principal).toEqual({ amount: '1000.000', currency: 'KWD' });
    // A = 1000 * 0.01 / (1 - 1.01^-3) = 340.0221 -> 340.022; interest 10.000, 6.700 (669.978 * 0.01), 3.367 (336.656 * 0.01).
    expect(start.schedule.map((i) => [i.principal, i.interest, i.total])).toEqual([
      ['330.022', '10.000', '340.022'],
      ['333.322', '6.700', '340.022'],
      ['336.656', '3.367', '340.023'],
    ]);
    const tooFine = await g.repay({ loanId: id, amount: '1.0005', paidOn: '2024-01-31', channel: 'CASH', externalReference: 'kwd-bad' });
    expect(tooFine.userErrors.map((e) => e.code)).toEqual(['TOO_MANY_DECIMALS']);
    vi.setSystemTime(new Date('2024-03-10T20:00:00Z'));
    await run('2024-03-10');
    const late = await loan(id);
    // 340.022 * 0.365 * 7 / 365 = 2.380154 -> 2.380 KWD.
    expect(late.schedule[0]).toMatchObject({ penalty: '2.380', outstanding: '342.402' });
    const paid = await g.repay({ loanId: id, amount: '342.402', paidOn: '2024-03-10', channel: 'CASH', externalReference: 'kwd-1' });
    expect(paid.userErrors).toEqual([]);
    expect(paid.repayment).toMatchObject({ penaltyPaid: '2.380', interestPaid: '10.000', principalPaid: '330.022' });
    expect((await loan(id)).outstandingPrincipal.amount).toBe('669.978');
  });

  it('refuses a product whose currency is not a currency code', async () => {
    const res = await svc.graphql<{ createLoanProduct: { userErrors: { field: string; code: string }[] } }>(
      `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { userErrors { field code } } }`,
      {
        input: {
          code: 'BAD-CUR',
          name: 'x',
          type: 'MICRO_BUSINESS',
          currency: 'kwd',
          minPrincipal: '1',
          maxPrincipal: '2',
          minRate: '0.1',
          maxRate: '0.2',
          minTerm: 1,
          maxTerm: 2,
          frequency: 'MONTHLY',
          amortisation: 'EQUAL_INSTALMENT',
          penaltyRate: '0.1',
          graceDays: 0,
          overpaymentPolicy: 'REFUSE',
        },
      },
      staff.admin,
    );
    expect(res.data?.createLoanProduct.userErrors).toEqual([{ field: 'currency', code: 'UNSUPPORTED_CURRENCY' }]);
  });
});
