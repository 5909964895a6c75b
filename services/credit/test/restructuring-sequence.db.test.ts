import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager, riskOfficer } from './given.ts';

const REQUEST = `mutation($i: RequestRestructuringInput!) { requestRestructuring(input: $i) { restructuring { id } userErrors { field code } } }`;
const DECIDE = `mutation($i: DecideRestructuringInput!) { decideRestructuring(input: $i) {
  loan { currentScheduleVersion schedule { number dueDate principal interest principalPaid interestPaid status } }
  userErrors { field code message } } }`;

interface Row {
  number: number;
  dueDate: string;
  principal: string;
  interest: string;
  principalPaid: string;
  interestPaid: string;
  status: string;
}

/** Defect 8: each restructuring starts from the schedule version in force and the date it takes effect. */
describe('restructuring a restructured loan', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const gql = async <T>(q: string, v: Record<string, unknown> = {}, as: Identity = staff.officer) => {
    const res = await svc.graphql<T>(q, v, as);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  };
  const restructure = async (i: Record<string, unknown>) => {
    const req = await gql<{ requestRestructuring: { restructuring: { id: string } | null; userErrors: unknown[] } }>(REQUEST, { i });
    expect(req.requestRestructuring.userErrors).toEqual([]);
    const d = await gql<{ decideRestructuring: { loan: { currentScheduleVersion: number; schedule: Row[] }; userErrors: unknown[] } }>(
      DECIDE,
      { i: { restructuringId: req.requestRestructuring.restructuring?.id, approve: true } },
      manager,
    );
    return d.decideRestructuring;
  };
  const dpd = async (id: string) =>
    (await gql<{ loan: { daysPastDue: number } }>(`query($id: ID!) { loan(id: $id) { daysPastDue } }`, { id })).loan.daysPastDue;
  const eod = (asOf: string) => gql(`mutation($a: Date!) { runEndOfDay(input: { asOf: $a }) { loansEvaluated } }`, { a: asOf }, riskOfficer);
  const total = (rows: Row[]) => rows.reduce((s, r) => s.plus(r.principal), new Decimal(0)).toFixed(2);

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_restructuring_seq' });
    g = given(svc);
    await g.customer('rs-a', { branchId: 'BR-001' });
    await g.product({ code: 'RS', graceDays: 0, penaltyRate: '0.365' });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('a term extension after a payment holiday keeps the holiday: 12,000 over 12 months, 2 deferred, then 3 more instalments on D+45', async () => {
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    const loan = await g.activeLoan('rs-a', 'RS', { principal: '12000.00', termCount: 12 }, '2026-01-10');
    const holiday = await restructure({ loanId: loan, kind: 'PAYMENT_HOLIDAY', instalments: 2, effectiveOn: '2026-01-10', reason: 'Flood' });
    expect(holiday.userErrors).toEqual([]);
    expect(holiday.loan.schedule[0]?.dueDate).toBe('2026-04-10');
    vi.setSystemTime(new Date('2026-02-24T09:00:00Z'));
    const ext = await restructure({ loanId: loan, kind: 'TERM_EXTENSION', instalments: 3, effectiveOn: '2026-02-24', reason: 'Slow recovery' });
    expect(ext.userErrors).toEqual([]);
    const rows = ext.loan.schedule;
    expect(ext.loan.currentScheduleVersion).toBe(3);
    expect(rows).toHaveLength(15);
    // still due D + 3 months first, one period of interest (1 % of 12,000), then monthly to D + 17 months
    expect(rows[0]).toMatchObject({ number: 1, dueDate: '2026-04-10', interest: '120.00', status: 'PENDING' });
    expect(rows[1]?.dueDate).toBe('2026-05-10');
    expect(rows[14]?.dueDate).toBe('2027-06-10');
    expect(total(rows)).toBe('12000.00');
    await eod('2026-02-24');
    expect(await dpd(loan)).toBe(0);
  });

  it('handles a partly paid instalment after the effective date: it stays as it is, the instalments after it are re-amortised', async () => {
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    const loan = await g.activeLoan('rs-a', 'RS', { principal: '12000.00', termCount: 12 }, '2026-01-10');
    const holiday = await restructure({ loanId: loan, kind: 'PAYMENT_HOLIDAY', instalments: 2, effectiveOn: '2026-01-10', reason: 'Flood' });
    const first = holiday.loan.schedule[0];
    vi.setSystemTime(new Date('2026-02-24T09:00:00Z'));
    const paid = await g.repay({ loanId: loan, amount: '500.00', paidOn: '2026-02-19', channel: 'CASH', externalReference: 'rs-part-1' });
    expect(paid.userErrors).toEqual([]);
    const ext = await restructure({ loanId: loan, kind: 'TERM_EXTENSION', instalments: 3, effectiveOn: '2026-02-24', reason: 'Slow recovery' });
    expect(ext.userErrors).toEqual([]);
    const rows = ext.loan.schedule;
    expect(rows).toHaveLength(15);
    expect(rows[0]).toMatchObject({
      number: 1,
      dueDate: '2026-04-10',
      principal: first?.principal,
      interest: first?.interest,
      interestPaid: '120.00',
      principalPaid: '380.00',
      status: 'PARTIALLY_PAID',
    });
    // the rest of the principal over 11 + 3 instalments from 10 April, the first of them due 10 May
    const rest = new Decimal(12000).minus(first?.principal ?? 0);
    expect(rows[1]).toMatchObject({ number: 2, dueDate: '2026-05-10', interest: rest.mul('0.01').toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2) });
    expect(rows[14]?.dueDate).toBe('2027-06-10');
    expect(total(rows)).toBe('12000.00');
    await eod('2026-02-25');
    expect(await dpd(loan)).toBe(0);
  });
});
