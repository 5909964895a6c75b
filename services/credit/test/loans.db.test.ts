import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, productInput } from './given.ts';

const SCHEDULE = `query($id: ID!) { loan(id: $id) { id status disbursedOn loanCycle termCount termMonths outstandingPrincipal { amount currency }
  schedule { number dueDate principal interest total status principalPaid interestPaid paidOn } } }`;

interface ScheduleAnswer {
  loan: {
    status: string;
    disbursedOn: string;
    loanCycle: number;
    termCount: number;
    termMonths: number;
    outstandingPrincipal: { amount: string; currency: string };
    schedule: {
      number: number;
      dueDate: string;
      principal: string;
      interest: string;
      total: string;
      status: string;
      principalPaid: string;
      interestPaid: string;
      paidOn: string | null;
    }[];
  };
}

describe('loan products, lifecycle and repayments', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-15T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_loans' });
    g = given(svc);
    await g.customer('c-1');
    await g.product();
    await g.product({ code: 'WEEKLY-EP', frequency: 'WEEKLY', amortisation: 'EQUAL_PRINCIPAL', overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS', maxTerm: 52 });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('refuses a product with inverted ranges or a 30/360 weekly day count, naming each field', async () => {
    const res = await svc.graphql<{ createLoanProduct: { userErrors: { field: string; code: string }[] } }>(
      `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { product { id } userErrors { field code } } }`,
      { input: productInput({ code: 'BAD', minPrincipal: '900', maxPrincipal: '100', frequency: 'WEEKLY', dayCount: 'THIRTY_360', currency: 'kwd' }) },
      staff.admin,
    );
    expect(res.data?.createLoanProduct.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['currency', 'UNSUPPORTED_CURRENCY'],
      ['maxPrincipal', 'INVALID_RANGE'],
      ['dayCount', 'INVALID_DAY_COUNT'],
    ]);
    const products = await svc.graphql<{ loanProducts: { code: string; dayCount: string }[] }>(`{ loanProducts { code dayCount } }`);
    expect(products.data?.loanProducts).toEqual([
      { code: 'MICRO-M', dayCount: 'THIRTY_360' },
      { code: 'WEEKLY-EP', dayCount: 'ACTUAL_365' },
    ]);
  });

  it('refuses applications outside the product or with bad amounts: field and code, no row, no event', async () => {
    const before = await svc.db
      .selectFrom('event_outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ principal: '60000.00' }, 'principal', 'PRINCIPAL_OUT_OF_RANGE'],
      [{ principal: '-5.00' }, 'principal', 'NOT_POSITIVE'],
      [{ principal: '0' }, 'principal', 'NOT_POSITIVE'],
      [{ principal: '1000.001' }, 'principal', 'TOO_MANY_DECIMALS'],
      [{ annualRate: '0.40' }, 'annualRate', 'RATE_OUT_OF_RANGE'],
      [{ termCount: 48 }, 'termCount', 'TERM_OUT_OF_RANGE'],
      [{ productCode: 'NOPE' }, 'productCode', 'PRODUCT_NOT_FOUND'],
      [{ customerId: 'unknown' }, 'customerId', 'CUSTOMER_NOT_FOUND'],
    ];
    for (const [over, field, code] of cases) {
      const res = await g.apply({
        customerId: 'c-1',
        productCode: 'MICRO-M',
        principal: '1000.00',
        annualRate: '0.12',
        termCount: 12,
        purpose: 'Stock',
        ...over,
      });
      expect(res.loan).toBeNull();
      expect(res.userErrors.map((e) => [e.field, e.code])).toEqual([[field, code]]);
    }
    const after = await svc.db
      .selectFrom('event_outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(await svc.db.selectFrom('loan').select('id').execute()).toEqual([]);
  });

  it('applies, approves and disburses, generating the exact schedule; refuses a disbursement dated before approval', async () => {
    const applied = await g.apply({
      customerId: 'c-1',
      productCode: 'MICRO-M',
      principal: '1200.00',
      annualRate: '0.12',
      termCount: 3,
      purpose: 'Stock',
      idempotencyKey: 'app-1',
    });
    const again = await g.apply({
      customerId: 'c-1',
      productCode: 'MICRO-M',
      principal: '1200.00',
      annualRate: '0.12',
      termCount: 3,
      purpose: 'Stock',
      idempotencyKey: 'app-1',
    });
    const id = applied.loan?.id ?? '';
    expect(again.loan?.id).toBe(id);
    const early = await g.disburse(id, '2026-01-15');
    expect(early.userErrors.map((e) => e.code)).toEqual(['INVALID_LOAN_STATUS']);
    await g.approve(id);
    const beforeApproval = await g.disburse(id, '2026-01-14');
    expect(beforeApproval.userErrors).toEqual([{ field: 'disbursedOn', code: 'DISBURSEMENT_BEFORE_APPROVAL', message: expect.any(String) }]);
    expect((await g.disburse(id, '2026-01-15')).userErrors).toEqual([]);
    const res = await svc.graphql<ScheduleAnswer>(SCHEDULE, { id });
    // Annuity: A = 1200 * 0.01 / (1 - 1.01^-3) = 408.0265... -> 408.03; interest_k = B * 0.12 / 12.
    // k=1: interest 12.00, principal 396.03, B 803.97; k=2: 8.04, 399.99, B 403.98; k=3: 4.04, 403.98.
    expect(res.data?.loan).toEqual({
      id,
      status: 'ACTIVE',
      disbursedOn: '2026-01-15',
      loanCycle: 1,
      termCount: 3,
      termMonths: 3,
      outstandingPrincipal: { amount: '1200.00', currency: 'USD' },
      schedule: [
        {
          number: 1,
          dueDate: '2026-02-15',
          principal: '396.03',
          interest: '12.00',
          total: '408.03',
          status: 'PENDING',
          principalPaid: '0.00',
          interestPaid: '0.00',
          paidOn: null,
        },
        {
          number: 2,
          dueDate: '2026-03-15',
          principal: '399.99',
          interest: '8.04',
          total: '408.03',
          status: 'PENDING',
          principalPaid: '0.00',
          interestPaid: '0.00',
          paidOn: null,
        },
        {
          number: 3,
          dueDate: '2026-04-15',
          principal: '403.98',
          interest: '4.04',
          total: '408.02',
          status: 'PENDING',
          principalPaid: '0.00',
          interestPaid: '0.00',
          paidOn: null,
        },
      ],
    });
    expect(await eventsOf(svc, id)).toEqual(['LoanApplied', 'LoanApproved', 'LoanDisbursed']);
  });

  it('allocates interest before principal, oldest first; books a reference once; refuses overpayment per product; closes when repaid', async () => {
    const id = await g.activeLoan('c-1', 'MICRO-M', {}, '2026-01-15');
    vi.setSystemTime(new Date('2026-02-20T09:00:00Z'));
    const applied = await g.apply({ customerId: 'c-1', productCode: 'MICRO-M', principal: '500.00', annualRate: '0.12', termCount: 3, purpose: 'x' });
    const notActive = await g.repay({ loanId: applied.loan?.id, amount: '10.00', paidOn: '2026-02-20', channel: 'CASH', externalReference: 'r-x' });
    expect(notActive.userErrors.map((e) => [e.field, e.code])).toEqual([['loanId', 'LOAN_NOT_ACTIVE']]);
    const bad = await g.repay({ loanId: id, amount: '10.005', paidOn: '2026-02-21', channel: 'CASH', externalReference: 'r-bad' });
    expect(bad.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['amount', 'TOO_MANY_DECIMALS'],
      ['paidOn', 'DATE_IN_FUTURE'],
    ]);

    // 100.00 on 20 Feb: instalment 1 interest 12.00 first, then 88.00 of its principal.
    const first = await g.repay({ loanId: id, amount: '100.00', paidOn: '2026-02-20', channel: 'MOBILE_MONEY', externalReference: 'r-1' });
    expect(first.repayment).toMatchObject({ interestPaid: '12.00', principalPaid: '88.00', penaltyPaid: '0.00', prepaidPrincipal: '0.00' });
    const dup = await g.repay({ loanId: id, amount: '100.00', paidOn: '2026-02-20', channel: 'MOBILE_MONEY', externalReference: 'r-1' });
    expect(dup.repayment?.id).toBe(first.repayment?.id);
    expect(await svc.db.selectFrom('repayment').select('id').where('loan_id', '=', id).execute()).toHaveLength(1);

    // Everything due (the rest of 1 and, not yet due, the next one) is 308.03 + 408.03 = 716.06; 800 would prepay: refused by MICRO-M.
    const over = await g.repay({ loanId: id, amount: '800.00', paidOn: '2026-02-20', channel: 'CASH', externalReference: 'r-over' });
    expect(over.userErrors.map((e) => [e.field, e.code])).toEqual([['amount', 'OVERPAYMENT_REFUSED']]);

    const second = await g.repay({ loanId: id, amount: '308.03', paidOn: '2026-02-20', channel: 'CASH', externalReference: 'r-2' });
    expect(second.repayment).toMatchObject({ interestPaid: '0.00', principalPaid: '308.03' });
    vi.setSystemTime(new Date('2026-04-20T09:00:00Z'));
    const rest = await g.repay({ loanId: id, amount: '816.05', paidOn: '2026-04-10', channel: 'CASH', externalReference: 'r-3' });
    expect(rest.userErrors).toEqual([]);
    expect(rest.loan?.status).toBe('CLOSED');
    const res = await svc.graphql<ScheduleAnswer>(SCHEDULE, { id });
    expect(res.data?.loan.schedule.map((i) => [i.status, i.paidOn])).toEqual([
      ['PAID', '2026-02-20'],
      ['PAID', '2026-04-10'],
      ['PAID', '2026-04-10'],
    ]);
    expect(res.data?.loan.outstandingPrincipal.amount).toBe('0.00');
    expect(await eventsOf(svc, id)).toEqual([
      'LoanApplied',
      'LoanApproved',
      'LoanDisbursed',
      'RepaymentRecorded', // r-1, interest only: settles nothing
      'RepaymentRecorded', // r-2
      'InstalmentPaid',
      'RepaymentRecorded', // r-3
      'InstalmentPaid',
      'InstalmentPaid',
      'LoanClosed',
    ]);
    const paid = await svc.db.selectFrom('event_outbox').select('event').where('type', '=', 'crm.credit.InstalmentPaid.v1').orderBy('seq').execute();
    const data = paid.map((r) => (typeof r.event === 'object' && r.event !== null && 'data' in r.event ? r.event.data : null));
    // Interest and penalty paid per instalment, cumulative over repayments, from the schedule above:
    // 1 = interest 12.00 (500 x 0.12 / 12), paid by r-1 before r-2 settled it with principal only;
    // 2 = interest 8.04, 3 = interest 4.04, both paid by r-3. No end-of-day run: no penalty.
    expect(data).toMatchObject([
      { instalmentNumber: 1, interestPaid: '12.00', penaltyPaid: '0.00' },
      { instalmentNumber: 2, interestPaid: '8.04', penaltyPaid: '0.00' },
      { instalmentNumber: 3, interestPaid: '4.04', penaltyPaid: '0.00' },
    ]);
    expect(data.at(-1)).toMatchObject({ instalmentNumber: 3, onTime: true, daysLate: 0, amountPaid: '408.02' });
    expect(data.at(-2)).toMatchObject({
      instalmentNumber: 2,
      onTime: false,
      daysLate: 26,
    });
  });

  it('applies an overpayment to principal when the product says so and re-amortises the rest, keeping the instalment', async () => {
    vi.setSystemTime(new Date('2026-01-15T09:00:00Z'));
    // Weekly equal principal, 1000 over 4 weeks at 12 %: principal 250 each, interest_k = B * 0.12 * 7 / 365.
    const id = await g.activeLoan('c-1', 'WEEKLY-EP', { principal: '1000.00', termCount: 4 }, '2026-01-15');
    const res = await g.repay({ loanId: id, amount: '800.00', paidOn: '2026-01-15', channel: 'CASH', externalReference: 'w-1' });
    expect(res.userErrors).toEqual([]);
    // Due now: instalment 1 = 250 + round(1000*0.12*7/365 = 2.3014) = 252.30. The remaining 547.70 is principal repaid
    // ahead (booked on instalment 1 of schedule version 2); 202.30 is left, at 250 an instalment: one more instalment,
    // interest round(202.30*0.12*7/365 = 0.4656) = 0.47.
    expect(res.repayment).toMatchObject({ interestPaid: '2.30', principalPaid: '797.70', prepaidPrincipal: '547.70' });
    const s = await svc.graphql<ScheduleAnswer>(SCHEDULE, { id });
    expect(s.data?.loan.schedule.map((i) => [i.number, i.principal, i.principalPaid, i.interest, i.status])).toEqual([
      [1, '797.70', '797.70', '2.30', 'PAID'],
      [2, '202.30', '0.00', '0.47', 'PENDING'],
    ]);
    expect(s.data?.loan.termCount).toBe(2);
    expect(s.data?.loan.outstandingPrincipal.amount).toBe('202.30');
  });

  it('books concurrent repayments with the same reference once, and pages loans by filter with keyset cursors', async () => {
    const id = await g.activeLoan('c-1', 'MICRO-M', {}, '2026-01-15');
    const input = { loanId: id, amount: '50.00', paidOn: '2026-01-15', channel: 'CASH', externalReference: 'race-1' };
    const [a, b] = await Promise.all([g.repay(input), g.repay(input)]);
    expect(a.repayment?.id).toBe(b.repayment?.id);
    expect(await svc.db.selectFrom('repayment').select('id').where('external_reference', '=', 'race-1').execute()).toHaveLength(1);
    expect((await svc.db.selectFrom('repayment_allocation').select('repayment_id').where('loan_id', '=', id).execute()).length).toBe(1);

    const PAGE = `query($f: LoanFilter, $after: String) { loans(filter: $f, first: 2, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }`;
    type Page = { loans: { edges: { node: { id: string; status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const all = await svc.db
      .selectFrom('loan')
      .select(['id', 'status'])
      .where('customer_id', '=', 'c-1')
      .where('status', '=', 'ACTIVE')
      .orderBy('id', 'desc')
      .execute();
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: { data?: Page } = await svc.graphql<Page>(PAGE, { f: { customerId: 'c-1', status: ['ACTIVE'] }, after });
      const page = res.data?.loans;
      if (!page) throw new Error('no page');
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.edges.every((e) => e.node.status === 'ACTIVE')).toBe(true);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((l) => l.id));
    expect(seen.length).toBeGreaterThan(2);
  });
});
