import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, manager, riskOfficer, type UserErrorShape } from './given.ts';

const STATE = `query($id: ID!) { loan(id: $id) {
  status closedOn outstandingPrincipal { amount } daysPastDue delinquencyBucket riskClass computedRiskClass
  schedule { number dueDate principal interest principalPaid interestPaid penalty penaltyPaid outstanding paidOn daysPastDue status }
} }`;
const REVERSE = `mutation($input: ReverseRepaymentInput!) { reverseRepayment(input: $input) {
  repayment { id reversedAt reversedBy } loan { id status } userErrors { field code message } } }`;

type LoanState = Record<string, unknown>;

describe('reverseRepayment', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const state = async (id: string): Promise<LoanState> => {
    const res = await svc.graphql<{ loan: LoanState }>(STATE, { id }, staff.admin);
    expect(res.errors).toBeUndefined();
    return res.data?.loan ?? {};
  };
  const reverse = async (input: Record<string, unknown>, as: Identity = riskOfficer) => {
    const res = await svc.graphql<{
      reverseRepayment: { repayment: { id: string; reversedAt: string | null; reversedBy: string | null } | null; userErrors: UserErrorShape[] };
    }>(REVERSE, { input }, as);
    return res;
  };
  const eod = async (asOf: string) => {
    const res = await svc.graphql(`mutation($a: Date!) { runEndOfDay(input: { asOf: $a }) { userErrors { code } } }`, { a: asOf }, riskOfficer);
    expect(res.errors).toBeUndefined();
  };
  const outboxData = async (type: string) =>
    (await svc.db.selectFrom('event_outbox').select(['type', 'event']).orderBy('seq').execute())
      .filter((r) => r.type === `crm.credit.${type}.v1`)
      .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data as Record<string, unknown>);

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_reversal' });
    g = given(svc);
    await g.customer('rv-a', { branchId: 'BR-001' });
    await g.customer('rv-x', { branchId: 'BR-OTHER' });
    await g.product({ code: 'RV', graceDays: 0, penaltyRate: '0.365' });
    await g.product({ code: 'RV0', graceDays: 0, penaltyRate: '0' });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('returns a paid (and closed) loan exactly to the state of an identical loan never paid, and emits RepaymentReversed', async () => {
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    const paid = await g.activeLoan('rv-a', 'RV', {}, '2026-01-10');
    const twin = await g.activeLoan('rv-a', 'RV', {}, '2026-01-10');
    vi.setSystemTime(new Date('2026-03-20T09:00:00Z'));
    await eod('2026-02-15');
    // Pays everything owed on 2026-03-15 (the first instalment late, with its penalty): the loan closes.
    const before = await state(paid);
    const owed = (before.schedule as { outstanding: string }[]).reduce((s, i) => s + Number(i.outstanding), 0).toFixed(2);
    expect(Number(owed)).toBeGreaterThan(1224.08); // principal, interest and the penalty of the first run
    const r = await g.repay({ loanId: paid, amount: owed, paidOn: '2026-03-15', channel: 'CASH', externalReference: 'rv-1' });
    expect(r.userErrors).toEqual([]);
    expect(r.loan?.status).toBe('CLOSED');
    await eod('2026-03-20');
    const repaymentId = r.repayment?.id ?? '';

    const res = await reverse({ repaymentId, reason: 'Cheque bounced' });
    expect(res.errors).toBeUndefined();
    expect(res.data?.reverseRepayment.userErrors).toEqual([]);
    expect(res.data?.reverseRepayment.repayment).toMatchObject({ id: repaymentId, reversedBy: riskOfficer.userId });
    expect(res.data?.reverseRepayment.repayment?.reversedAt).toBeTruthy();
    expect(await state(paid)).toEqual(await state(twin));

    const [event] = await outboxData('RepaymentReversed');
    expect(event).toMatchObject({
      loanId: paid,
      customerId: 'rv-a',
      repaymentId,
      amount: owed,
      currency: 'USD',
      reason: 'Cheque bounced',
      paidOn: '2026-03-15',
    });
    expect(event).toMatchObject({ instalmentNumbers: [1, 2, 3], loanReopened: true, principalUnpaid: '1200.00', interestUnpaid: '24.08' });
    expect(Number(event?.penaltyUnpaid)).toBeGreaterThan(0);
    const after = await state(paid);
    expect(after).toMatchObject({ status: 'ACTIVE', closedOn: null, delinquencyBucket: 'DPD_31_60', daysPastDue: 38 });
    expect(Number((after.schedule as { penalty: string }[])[0]?.penalty)).toBeGreaterThan(0);
    expect(await eventsOf(svc, paid)).toContain('RepaymentReversed');
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['actor_id', 'entity_type', 'entity_id', 'outcome'])
      .where('action', '=', 'reverseRepayment')
      .where('outcome', '=', 'SUCCEEDED')
      .execute();
    expect(audit).toEqual([{ actor_id: riskOfficer.userId, entity_type: 'Repayment', entity_id: repaymentId, outcome: 'SUCCEEDED' }]);

    // twice: refused, nothing changes
    const again = await reverse({ repaymentId, reason: 'Again' }, manager);
    expect(again.data?.reverseRepayment.userErrors.map((e) => [e.field, e.code])).toEqual([['repaymentId', 'REPAYMENT_ALREADY_REVERSED']]);
    expect(await outboxData('RepaymentReversed')).toHaveLength(1);
  });

  it('re-allocates the remaining repayments from scratch in value-date order', async () => {
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    const loan = await g.activeLoan('rv-a', 'RV0', {}, '2026-01-10');
    const twin = await g.activeLoan('rv-a', 'RV0', {}, '2026-01-10');
    vi.setSystemTime(new Date('2026-03-20T09:00:00Z'));
    const first = await g.repay({ loanId: loan, amount: '408.03', paidOn: '2026-02-10', channel: 'CASH', externalReference: 'rv-2a' });
    await g.repay({ loanId: loan, amount: '300.00', paidOn: '2026-03-12', channel: 'CASH', externalReference: 'rv-2b' });
    await g.repay({ loanId: twin, amount: '300.00', paidOn: '2026-03-12', channel: 'CASH', externalReference: 'rv-2c' });
    await eod('2026-03-20');
    const res = await reverse({ repaymentId: first.repayment?.id, reason: 'Paid by mistake' }, manager);
    expect(res.data?.reverseRepayment.userErrors).toEqual([]);
    expect(await state(loan)).toEqual(await state(twin));
    const repayments = await svc.graphql<{
      loan: { repayments: { edges: { node: { externalReference: string; principalPaid: string; interestPaid: string } }[] } };
    }>(`query($id: ID!) { loan(id: $id) { repayments { edges { node { externalReference principalPaid interestPaid } } } } }`, { id: loan }, staff.admin);
    const twinRepayments = await svc.graphql<{ loan: { repayments: { edges: { node: { principalPaid: string; interestPaid: string } }[] } } }>(
      `query($id: ID!) { loan(id: $id) { repayments { edges { node { principalPaid interestPaid } } } } }`,
      { id: twin },
      staff.admin,
    );
    expect(repayments.data?.loan.repayments.edges.find((e) => e.node.externalReference === 'rv-2b')?.node).toMatchObject(
      twinRepayments.data?.loan.repayments.edges[0]?.node ?? {},
    );
  });

  it('re-allocates each remaining repayment with the penalties of its value date, not those the latest run left (runs in between)', async () => {
    // 1,200.00 at 12 % over 3 months from 10 Jan (408.03, 408.03, 408.02), penalty 36.5 % a year (0.1 % a day), no grace.
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    const loan = await g.activeLoan('rv-a', 'RV', {}, '2026-01-10');
    const twin = await g.activeLoan('rv-a', 'RV', {}, '2026-01-10');
    vi.setSystemTime(new Date('2026-03-25T09:00:00Z'));
    // A (reversed later): 100.00 on 20 Jan, on instalment 1 before it is due.
    const a = await g.repay({ loanId: loan, amount: '100.00', paidOn: '2026-01-20', channel: 'CASH', externalReference: 'rv-4a' });
    expect(a.userErrors).toEqual([]);
    // The run of 20 Feb: instalment 1 is 10 days late: 308.03 x 0.001 x 10 = 3.08 on the loan, 408.03 -> 4.08 on the twin.
    await eod('2026-02-20');
    const pen = async (id: string) => (await state(id)).schedule as { penalty: string }[];
    expect((await pen(loan))[0]?.penalty).toBe('3.08');
    expect((await pen(twin))[0]?.penalty).toBe('4.08');
    // B: 412.11 on 20 Feb on both (the twin: penalty 4.08 and instalment 1; the loan: 3.08, instalment 1, 101.00 to instalment 2).
    for (const [id, ref] of [
      [loan, 'rv-4b'],
      [twin, 'rv-4b-twin'],
    ] as const)
      expect((await g.repay({ loanId: id, amount: '412.11', paidOn: '2026-02-20', channel: 'CASH', externalReference: ref })).userErrors).toEqual([]);
    // The run of 20 Mar: instalment 2 is 10 days late (the twin: 408.03 -> 4.08; the loan: 307.03 -> 3.07).
    await eod('2026-03-20');
    // C: 50.00 on 24 Mar, after the latest run, on both: it pays the penalty that run accrued (penalty accrues at end of day).
    for (const [id, ref] of [
      [loan, 'rv-4c'],
      [twin, 'rv-4c-twin'],
    ] as const)
      expect((await g.repay({ loanId: id, amount: '50.00', paidOn: '2026-03-24', channel: 'CASH', externalReference: ref })).userErrors).toEqual([]);
    expect((await pen(twin))[1]?.penalty).toBe('4.08');

    // Without A, B is allocated as the loan stood on 20 Feb (penalty 4.08, not the 3.08 the latest run left on instalment 1), C
    // against the penalty of the 20 Mar run without A (4.08, not 5.71 as of 24 Mar): exactly the twin.
    const res = await reverse({ repaymentId: a.repayment?.id, reason: 'Cheque returned unpaid' });
    expect(res.data?.reverseRepayment.userErrors).toEqual([]);
    expect(await state(loan)).toEqual(await state(twin));
    const parts = async (id: string) =>
      (
        await svc.db
          .selectFrom('repayment')
          .select(['penalty_paid', 'interest_paid', 'principal_paid'])
          .where('loan_id', '=', id)
          .where('reversed_at', 'is', null)
          .orderBy('paid_on')
          .execute()
      ).map((r) => [r.penalty_paid, r.interest_paid, r.principal_paid]);
    expect(await parts(loan)).toEqual(await parts(twin));
    expect((await parts(loan))[0]).toEqual(['4.08', '12.00', '396.03']);
  });

  it('refuses a blank reason, an unknown repayment, and a caller outside the scope', async () => {
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    const loan = await g.activeLoan('rv-a', 'RV0', {}, '2026-01-10');
    vi.setSystemTime(new Date('2026-02-20T09:00:00Z'));
    const r = await g.repay({ loanId: loan, amount: '100.00', paidOn: '2026-02-10', channel: 'CASH', externalReference: 'rv-3' });
    const blank = await reverse({ repaymentId: r.repayment?.id, reason: '   ' });
    expect(blank.data?.reverseRepayment.userErrors.map((e) => [e.field, e.code])).toEqual([['reason', 'REQUIRED']]);
    const unknown = await reverse({ repaymentId: '00000000-0000-7000-8000-000000000000', reason: 'x' });
    expect(unknown.data?.reverseRepayment.userErrors.map((e) => [e.field, e.code])).toEqual([['repaymentId', 'REPAYMENT_NOT_FOUND']]);
    const outsider: Identity = { userId: 'bm-9', roles: ['branch_manager'], branchId: 'BR-OTHER' };
    const forbidden = await reverse({ repaymentId: r.repayment?.id, reason: 'Bounced' }, outsider);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const officer = await reverse({ repaymentId: r.repayment?.id, reason: 'Bounced' }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const rows = await svc.db.selectFrom('repayment').select(['reversed_at']).where('external_reference', '=', 'rv-3').execute();
    expect(rows).toEqual([{ reversed_at: null }]);
  });
});
