import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, riskOfficer, type UserErrorShape } from './given.ts';

/*
 * The product conventions and the business date through the API: a product with every setting,
 * a loan disbursed with a chosen first due date, its fee, net payout and effective rate; the
 * penalty cap and HALF_EVEN in the end-of-day SQL; close of business. Expectations are written
 * out by hand from the README's formulas (not computed by the code under test).
 */
const LOAN = `query($id: ID!) { loan(id: $id) {
  firstDueDate disbursementFee { amount currency } netDisbursed { amount } effectiveAnnualRate
  product { interestMethod roundingMode instalmentMultiple disbursementFeeRate disbursementFeeFlat penaltyCapRate dayCount }
  schedule { number dueDate principal interest penalty }
  repayments { edges { node { paidOn } } }
} }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { id } userErrors { field code message } } }`;
const BUSINESS_DATE = `query { businessDate { date lastClosedOn managed updatedBy } }`;
const CLOSE = `mutation($input: CloseBusinessDayInput!) { closeBusinessDay(input: $input) {
  businessDate { date lastClosedOn managed } run { job asOf outcome } userErrors { field code message } } }`;
const SET = `mutation($input: SetBusinessDateInput!) { setBusinessDate(input: $input) { businessDate { date } userErrors { field code } } }`;

describe('conventions through the API', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_conventions' });
    g = given(svc);
    await g.customer('c-conv');
    await g.product({
      code: 'FLAT-XOF',
      currency: 'XOF',
      minPrincipal: '50000',
      maxPrincipal: '5000000',
      minTerm: 3,
      maxTerm: 12,
      amortisation: 'EQUAL_INSTALMENT',
      interestMethod: 'FLAT',
      instalmentMultiple: '100',
      disbursementFeeRate: '0.02',
      disbursementFeeFlat: '500',
      penaltyCapRate: '0.05',
      graceDays: 0,
      minFirstPeriodDays: 20,
      maxFirstPeriodDays: 45,
    });
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('disburses a flat XOF loan with a chosen first due date, a deducted fee and its effective rate', { timeout: 120_000 }, async () => {
    const applied = await g.apply({ customerId: 'c-conv', productCode: 'FLAT-XOF', principal: '100000', annualRate: '0.24', termCount: 3, purpose: 'Stock' });
    const id = applied.loan?.id ?? '';
    await g.approve(id);
    // 50 days: outside the product's 20-45 days, refused, nothing written
    const refused = await svc.graphql<{ disburseLoan: { userErrors: UserErrorShape[] } }>(
      DISBURSE,
      { input: { loanId: id, disbursedOn: '2026-01-10', firstDueDate: '2026-03-01' } },
      staff.officer,
    );
    expect(refused.data?.disburseLoan.userErrors.map((e) => [e.field, e.code])).toEqual([['firstDueDate', 'FIRST_DUE_DATE_OUT_OF_RANGE']]);
    const ok = await svc.graphql<{ disburseLoan: { userErrors: UserErrorShape[] } }>(
      DISBURSE,
      { input: { loanId: id, disbursedOn: '2026-01-10', firstDueDate: '2026-02-15' } },
      staff.officer,
    );
    expect(ok.data?.disburseLoan.userErrors).toEqual([]);
    const loan = (await svc.graphql<{ loan: Record<string, unknown> & { schedule: Record<string, unknown>[] } }>(LOAN, { id }, staff.officer)).data?.loan;
    // broken first period 10 Jan -> 15 Feb under monthly twelfths: 30/360 US = 35 days: 100,000 * 0.24 * 35 / 360 = 2,333.33 -> 2,333
    // then 100,000 * 0.24 / 12 = 2,000 a month (flat); principal 33,333 + 2,333 = 35,666 -> 35,700 (principal 33,367),
    // 33,333 + 2,000 = 35,333 -> 35,400 (principal 33,400), the last 100,000 - 66,767 = 33,233
    expect(loan?.schedule).toEqual([
      { number: 1, dueDate: '2026-02-15', principal: '33367.00', interest: '2333.00', penalty: '0.00' },
      { number: 2, dueDate: '2026-03-15', principal: '33400.00', interest: '2000.00', penalty: '0.00' },
      { number: 3, dueDate: '2026-04-15', principal: '33233.00', interest: '2000.00', penalty: '0.00' },
    ]);
    // fee: 2 % of 100,000 + 500 = 2,500; paid out 97,500
    expect(loan?.firstDueDate).toBe('2026-02-15');
    expect(loan?.disbursementFee).toEqual({ amount: '2500.00', currency: 'XOF' });
    expect(loan?.netDisbursed).toEqual({ amount: '97500.00' });
    expect(loan?.product).toMatchObject({ interestMethod: 'FLAT', roundingMode: 'HALF_UP', dayCount: 'THIRTY_360' });
    // the rate's NPV changes sign 1e-6 either side (independent floating-point check)
    const flows: [number, number][] = [
      [0, -97500],
      [36, 35700],
      [64, 35400],
      [95, 35233],
    ];
    const npv = (r: number) => flows.reduce((s, [days, amount]) => s + amount / (1 + r) ** (days / 365), 0);
    const r = Number(loan?.effectiveAnnualRate);
    expect(npv(r - 1e-6)).toBeGreaterThan(0);
    expect(npv(r + 1e-6)).toBeLessThan(0);

    // end of day 100 days after the first due date: uncapped 35,700 * 0 % ... the product's penalty rate
    // 0.365 a year (0.1 % a day) for 100 days on 35,700 = 3,570; capped at 5 % = 1,785
    const run = await svc.graphql<{ runEndOfDay: { userErrors: UserErrorShape[] } }>(
      `mutation { runEndOfDay(input: { asOf: "2026-01-10" }) { userErrors { code } } }`,
      {},
      riskOfficer,
    );
    expect(run.data?.runEndOfDay.userErrors).toEqual([]);
    vi.setSystemTime(new Date('2026-05-26T09:00:00Z'));
    await svc.graphql(`mutation { runEndOfDay(input: { asOf: "2026-05-26" }) { userErrors { code } } }`, {}, riskOfficer);
    const after = (await svc.graphql<{ loan: { schedule: { penalty: string }[] } }>(LOAN, { id }, staff.officer)).data?.loan;
    // instalment 1: 100 days (15 Feb -> 26 May): min(35,700 * 0.001 * 100, 35,700 * 0.05) = 1,785
    // instalment 2: 72 days: min(35,400 * 0.072 = 2,548.8, 1,770) = 1,770; instalment 3: 41 days: 35,233 * 0.041 = 1,444.553 -> 1,445 (below 1,761.65)
    expect(after?.schedule.map((i) => i.penalty)).toEqual(['1785.00', '1770.00', '1445.00']);
  });

  it('HALF_EVEN penalties in the end-of-day SQL: an exact half goes to the even unit', { timeout: 120_000 }, async () => {
    const even = await g.storedLoan({
      roundingMode: 'HALF_EVEN',
      graceDays: 0,
      disbursedOn: '2026-04-01',
      instalments: [{ dueDate: '2026-05-01', principal: '5.00', interest: '0.00' }],
    });
    const up = await g.storedLoan({ graceDays: 0, disbursedOn: '2026-04-01', instalments: [{ dueDate: '2026-05-01', principal: '5.00', interest: '0.00' }] });
    await svc.graphql(`mutation { runEndOfDay(input: { asOf: "2026-05-02" }) { userErrors { code } } }`, {}, riskOfficer);
    const penalty = async (loanId: string) =>
      (await svc.db.selectFrom('instalment').select(sql<string>`penalty::text`.as('p')).where('loan_id', '=', loanId).executeTakeFirstOrThrow()).p;
    // 5.00 * 0.365 * 1 / 365 = 0.005
    expect([await penalty(up.id), await penalty(even.id)]).toEqual(['0.01', '0.00']);
  });

  it('business date: the wall clock until managed; set outside production; close of business once, in order', { timeout: 120_000 }, async () => {
    vi.setSystemTime(new Date('2026-06-01T09:00:00Z'));
    const before = await svc.graphql<{ businessDate: Record<string, unknown> }>(BUSINESS_DATE, {}, staff.officer);
    expect(before.data?.businessDate).toEqual({ date: '2026-06-01', lastClosedOn: null, managed: false, updatedBy: null });
    const forbidden = await svc.graphql(SET, { input: { date: '2026-06-10' } }, riskOfficer);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const set = await svc.graphql<{ setBusinessDate: { businessDate: { date: string }; userErrors: UserErrorShape[] } }>(
      SET,
      { input: { date: '2026-06-10' } },
      staff.admin,
    );
    expect(set.data?.setBusinessDate).toEqual({ businessDate: { date: '2026-06-10' }, userErrors: [] });
    // the wrong date (a day already closed, or not yet open) is refused with nothing changed
    const wrong = await svc.graphql<{ closeBusinessDay: { userErrors: UserErrorShape[] } }>(CLOSE, { input: { businessDate: '2026-06-09' } }, riskOfficer);
    expect(wrong.data?.closeBusinessDay.userErrors.map((e) => e.code)).toEqual(['BUSINESS_DATE_MISMATCH']);
    const closed = await svc.graphql<{ closeBusinessDay: Record<string, unknown> }>(CLOSE, { input: { businessDate: '2026-06-10' } }, riskOfficer);
    expect(closed.data?.closeBusinessDay).toEqual({
      businessDate: { date: '2026-06-11', lastClosedOn: '2026-06-10', managed: true },
      run: { job: 'END_OF_DAY', asOf: '2026-06-10', outcome: 'SUCCEEDED' },
      userErrors: [],
    });
    const again = await svc.graphql<{ closeBusinessDay: { userErrors: UserErrorShape[] } }>(CLOSE, { input: { businessDate: '2026-06-10' } }, riskOfficer);
    expect(again.data?.closeBusinessDay.userErrors.map((e) => e.code)).toEqual(['BUSINESS_DATE_MISMATCH']);
    const snapshots = await svc.db.selectFrom('loan_delinquency').select('loan_id').where('as_of', '=', '2026-06-10').execute();
    expect(snapshots.length).toBeGreaterThan(0);

    // a repayment without a value date is booked on the business date (11 Jun, ahead of the wall clock's 1 Jun)
    const applied = await g.apply({ customerId: 'c-conv', productCode: 'FLAT-XOF', principal: '100000', annualRate: '0.24', termCount: 3, purpose: 'Stock' });
    const id = applied.loan?.id ?? '';
    await g.approve(id);
    expect((await g.disburse(id)).userErrors).toEqual([]);
    const paid = await g.repay({ loanId: id, amount: '1000', channel: 'CASH', externalReference: 'conv-bd-1' });
    expect(paid.userErrors).toEqual([]);
    const loan = (
      await svc.graphql<{ loan: { repayments: { edges: { node: { paidOn: string } }[] }; schedule: { dueDate: string }[] } }>(LOAN, { id }, staff.officer)
    ).data?.loan;
    expect(loan?.repayments.edges.map((e) => e.node.paidOn)).toEqual(['2026-06-11']);
    expect(loan?.schedule[0]?.dueDate).toBe('2026-07-11');
  });
});
