import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, riskOfficer } from './given.ts';

const STATE = `query($id: ID!) { loan(id: $id) {
  daysPastDue delinquencyBucket computedRiskClass
  schedule { number principalPaid interestPaid penalty penaltyPaid paidOn daysPastDue status }
} }`;

/** Defect 5: a repayment valued before the latest end-of-day run is allocated against the loan as it stood on its value date. */
describe('back-dated repayments', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const state = async (id: string) => {
    const res = await svc.graphql<{ loan: Record<string, unknown> & { schedule: Record<string, unknown>[] } }>(STATE, { id }, staff.admin);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data.loan;
  };
  const eod = async (asOf: string) => {
    const res = await svc.graphql(`mutation($a: Date!) { runEndOfDay(input: { asOf: $a }) { userErrors { code } } }`, { a: asOf }, riskOfficer);
    expect(res.errors).toBeUndefined();
  };
  const outboxData = async (type: string, loanId: string) =>
    (await svc.db.selectFrom('event_outbox').select(['type', 'event']).orderBy('seq').execute())
      .filter((r) => r.type === `crm.credit.${type}.v1`)
      .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data as Record<string, unknown>)
      .filter((d) => d.loanId === loanId);

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_back_dated' });
    g = given(svc);
    await g.customer('bd-a', { branchId: 'BR-001' });
    await g.product({ code: 'BD', graceDays: 0, penaltyRate: '0.365' });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('pays only the penalty accrued by its value date, none on an instalment not yet due then; delinquency and penalties are recomputed', async () => {
    // 1200 @ 12 % over 3 months: 408.03 (396.03 + 12.00), 408.03 (399.99 + 8.04), 408.02; penalty 0.1 % a day, no grace.
    const loan = await g.activeLoan('bd-a', 'BD', {}, '2026-01-10');
    vi.setSystemTime(new Date('2026-03-21T09:00:00Z'));
    await eod('2026-03-20');
    // as of 20 Mar: instalment 1 is 38 days late (penalty 15.51), instalment 2 10 days (4.08): DPD 38, 31-60, SPECIAL_MENTION
    expect(await state(loan)).toMatchObject({ daysPastDue: 38, delinquencyBucket: 'DPD_31_60', computedRiskClass: 'SPECIAL_MENTION' });
    // the cash came in on 20 Feb: then instalment 1 was 10 days late (penalty 4.08) and instalment 2 not yet due
    const paid = await g.repay({ loanId: loan, amount: '500.00', paidOn: '2026-02-20', channel: 'CASH', externalReference: 'bd-1' });
    expect(paid.userErrors).toEqual([]);
    expect(paid.repayment).toMatchObject({ penaltyPaid: '4.08', interestPaid: '20.04', principalPaid: '475.88' });
    const after = await state(loan);
    // as of 20 Mar again: instalment 1 paid on 20 Feb, instalment 2 owes 408.03 - 87.89 = 320.14 for 10 days: 3.20
    expect(after).toMatchObject({ daysPastDue: 10, delinquencyBucket: 'DPD_1_30', computedRiskClass: 'NORMAL' });
    expect(after.schedule[0]).toMatchObject({ penalty: '4.08', penaltyPaid: '4.08', paidOn: '2026-02-20', status: 'PAID', daysPastDue: 0 });
    expect(after.schedule[1]).toMatchObject({ penalty: '3.20', penaltyPaid: '0.00', principalPaid: '79.85', interestPaid: '8.04', daysPastDue: 10 });
    expect(await outboxData('DelinquencyBucketChanged', loan)).toEqual([
      expect.objectContaining({ previousBucket: 'CURRENT', bucket: 'DPD_31_60' }),
      expect.objectContaining({ previousBucket: 'DPD_31_60', bucket: 'DPD_1_30', daysPastDue: 10, asOf: '2026-03-20' }),
    ]);
    expect((await outboxData('RiskClassChanged', loan)).at(-1)).toMatchObject({ previousClass: 'SPECIAL_MENTION', riskClass: 'NORMAL' });
    expect(await outboxData('InstalmentPaid', loan)).toEqual([expect.objectContaining({ instalmentNumber: 1, paidOn: '2026-02-20', daysLate: 10 })]);
    // a second run for the date finds nothing new
    const before = (await eventsOf(svc, loan)).length;
    await eod('2026-03-20');
    expect((await eventsOf(svc, loan)).length).toBe(before);
  });

  it('re-allocates the repayments valued after it, with penalties as of their own value dates', async () => {
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    const loan = await g.activeLoan('bd-a', 'BD', {}, '2026-01-10');
    vi.setSystemTime(new Date('2026-03-21T09:00:00Z'));
    await eod('2026-03-01');
    // booked after the 1 Mar run (19 days late: penalty 7.75): pays 7.75 + 408.03
    const later = await g.repay({ loanId: loan, amount: '415.78', paidOn: '2026-03-05', channel: 'CASH', externalReference: 'bd-2' });
    expect(later.repayment).toMatchObject({ penaltyPaid: '7.75', principalPaid: '396.03' });
    await eod('2026-03-20');
    // found later: 200.00 paid on 10 Feb, on its due date: no penalty then; the 5 Mar payment is allocated again as of 5 Mar,
    // when instalment 1 owed 208.03 for 23 days (penalty 4.78, not 7.75), and the rest goes to instalment 2, not yet due then
    const early = await g.repay({ loanId: loan, amount: '200.00', paidOn: '2026-02-10', channel: 'CASH', externalReference: 'bd-3' });
    expect(early.userErrors).toEqual([]);
    expect(early.repayment).toMatchObject({ penaltyPaid: '0.00', interestPaid: '12.00', principalPaid: '188.00' });
    const after = await state(loan);
    // as of 20 Mar: instalment 2 owes 408.03 - 202.97 = 205.06 for 10 days: 2.05
    expect(after).toMatchObject({ daysPastDue: 10, delinquencyBucket: 'DPD_1_30' });
    expect(after.schedule.map((i) => [i.number, i.penalty, i.penaltyPaid, i.paidOn])).toEqual([
      [1, '4.78', '4.78', '2026-03-05'],
      [2, '2.05', '0.00', null],
      [3, '0.00', '0.00', null],
    ]);
    const repayments = await svc.db
      .selectFrom('repayment')
      .select(['external_reference', 'penalty_paid', 'interest_paid', 'principal_paid'])
      .where('loan_id', '=', loan)
      .execute();
    expect(repayments.find((r) => r.external_reference === 'bd-2')).toMatchObject({ penalty_paid: '4.78', interest_paid: '8.04', principal_paid: '402.96' });
  });
});
