import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given } from './given.ts';

const LOAN = `query($id: ID!) { loan(id: $id) { status closedOn outstandingPrincipal { amount } schedule { number dueDate principal interest total status paidOn } } }`;
const CLOSE = `mutation($input: CloseLoanInput!) { closeLoan(input: $input) { loan { status closedOn } userErrors { field code } } }`;

interface LoanAnswer {
  loan: {
    status: string;
    closedOn: string | null;
    outstandingPrincipal: { amount: string };
    schedule: { number: number; dueDate: string; principal: string; interest: string; total: string; status: string; paidOn: string | null }[];
  };
}

describe('instalments of 0.00 and a loan with nothing outstanding', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const loan = async (id: string) => (await svc.graphql<LoanAnswer>(LOAN, { id })).data?.loan;
  const zeroLoan = async () => {
    vi.setSystemTime(new Date('2026-01-15T09:00:00Z'));
    return g.activeLoan('c-zero', 'IO-0', { principal: '1200.00', annualRate: '0', termCount: 3 }, '2026-01-15');
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    svc = await startTestService(creditService, { label: 'credit_zero' });
    g = given(svc);
    await g.customer('c-zero');
    vi.setSystemTime(new Date('2026-01-15T09:00:00Z'));
    await g.product({ code: 'IO-0', amortisation: 'INTEREST_ONLY', minRate: '0', maxRate: '0.36' });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('closes a 0 % interest-only loan repaid in full on the last due date', async () => {
    const id = await zeroLoan();
    expect((await loan(id))?.schedule.map((i) => i.total)).toEqual(['0.00', '0.00', '1200.00']);
    vi.setSystemTime(new Date('2026-04-15T18:00:00Z'));
    const res = await g.repay({ loanId: id, amount: '1200.00', paidOn: '2026-04-15', channel: 'CASH', externalReference: 'zero-1' });
    expect(res.userErrors).toEqual([]);
    expect(res.loan?.status).toBe('CLOSED');
    const after = await loan(id);
    expect(after?.outstandingPrincipal.amount).toBe('0.00');
    expect(after?.schedule.map((i) => [i.status, i.paidOn])).toEqual([
      ['PAID', '2026-02-15'],
      ['PAID', '2026-03-15'],
      ['PAID', '2026-04-15'],
    ]);
    expect(await eventsOf(svc, id)).toEqual(['LoanApplied', 'LoanApproved', 'LoanDisbursed', 'RepaymentRecorded', 'InstalmentPaid', 'LoanClosed']);
    const closed = await svc.db.selectFrom('event_outbox').select('event').where('type', '=', 'crm.credit.LoanClosed.v1').execute();
    expect(closed.map((r) => (typeof r.event === 'object' && r.event !== null && 'data' in r.event ? r.event.data : null))).toContainEqual(
      expect.objectContaining({ loanId: id, repaidOnTimeInFull: true }),
    );
  });

  it('lets closeLoan close an active loan whose outstanding balance is zero', async () => {
    const id = await zeroLoan();
    vi.setSystemTime(new Date('2026-04-15T18:00:00Z'));
    await g.repay({ loanId: id, amount: '1200.00', paidOn: '2026-04-15', channel: 'CASH', externalReference: 'zero-2' });
    // A loan left ACTIVE by the earlier rule: zero instalments without a payment date.
    await svc.db.updateTable('loan').set({ status: 'ACTIVE', closed_on: null }).where('id', '=', id).execute();
    await svc.db.updateTable('instalment').set({ paid_on: null }).where('loan_id', '=', id).where('number', '<', 3).execute();
    const res = await svc.graphql<{ closeLoan: { loan: { status: string; closedOn: string } | null; userErrors: unknown[] } }>(
      CLOSE,
      { input: { loanId: id } },
      staff.officer,
    );
    expect(res.data?.closeLoan).toEqual({ loan: { status: 'CLOSED', closedOn: '2026-04-15' }, userErrors: [] });
    expect((await eventsOf(svc, id)).filter((e) => e === 'LoanClosed')).toHaveLength(2);
  });

  it('still refuses to close a loan with something outstanding', async () => {
    const id = await zeroLoan();
    const res = await svc.graphql<{ closeLoan: { userErrors: { field: string; code: string }[] } }>(CLOSE, { input: { loanId: id } }, staff.officer);
    expect(res.data?.closeLoan.userErrors).toEqual([{ field: 'loanId', code: 'LOAN_NOT_REPAID' }]);
  });
});
