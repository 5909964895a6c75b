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
