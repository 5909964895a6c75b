import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager, riskOfficer } from './given.ts';

/**
 * The loan state topic: every mutation that changes a loan writes, in its transaction, a LoanState
 * record equal to the loan as read afterwards (status, outstanding principal, bucket, class,
 * schedule version). Fails when a change produces no state record or a stale one.
 */
const TYPE = 'crm.credit.LoanState.v1';
const LOAN = `query($id: ID!) { loan(id: $id) { status outstandingPrincipal { amount } delinquencyBucket riskClass currentScheduleVersion } }`;

interface StateData {
  loanId: string;
  status: string;
  outstandingPrincipal: string;
  delinquencyBucket: string;
  riskClass: string;
  scheduleVersion: number;
}

describe('loan state records (DB-backed)', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_state' });
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  const records = async (loanId: string, after: string) =>
    (
      await sql<{ seq: string; event: { sequence: string; data: StateData } }>`
        select seq, event from event_outbox where type = ${TYPE} and seq > ${after} and event->'data'->>'loanId' = ${loanId} order by seq`.execute(svc.db)
    ).rows;
  const lastSeq = async () => String((await sql<{ s: string | null }>`select max(seq) as s from event_outbox`.execute(svc.db)).rows[0]?.s ?? '0');
  const loan = async (id: string) =>
    (
      await svc.graphql<{
        loan: { status: string; outstandingPrincipal: { amount: string }; delinquencyBucket: string; riskClass: string; currentScheduleVersion: number };
      }>(LOAN, { id }, staff.admin)
    ).data?.loan;

  /** Runs a change (expected to succeed) and expects a new state record, the last one equal to the loan now. */
  async function expectStateAfter(loanId: string, change: () => Promise<unknown>) {
    const before = await lastSeq();
    await change();
    const written = await records(loanId, before);
    expect(written.length, 'the change wrote a state record').toBeGreaterThan(0);
    const latest = written.at(-1)?.event.data;
    const now = await loan(loanId);
    expect({
      status: latest?.status,
      outstanding: latest?.outstandingPrincipal,
      bucket: latest?.delinquencyBucket,
      riskClass: latest?.riskClass,
      version: latest?.scheduleVersion,
    }).toEqual({
      status: now?.status,
      outstanding: now?.outstandingPrincipal.amount,
      bucket: now?.delinquencyBucket,
      riskClass: now?.riskClass,
      version: now?.currentScheduleVersion,
    });
  }

  const noErrors = (res: { errors?: unknown; data?: Record<string, { userErrors: unknown[] }> | null }, field: string) => {
    expect(res.errors).toBeUndefined();
    expect(res.data?.[field]?.userErrors).toEqual([]);
  };

  it('after apply, approve, disburse, repay, reverse, override, restructure, write off, close and end of day', async () => {
    const g = given(svc);
    await g.customer('st-c');
    const product = await g.product({ code: 'ST-1', overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS' });
    // approved and disbursed on the business date 2026-12-01, then value dates up to mid-2027
    const SET = `mutation($input: SetBusinessDateInput!) { setBusinessDate(input: $input) { userErrors { field code } } }`;
    noErrors(await svc.graphql(SET, { input: { date: '2026-12-01' } }, staff.admin), 'setBusinessDate');
    const input = { customerId: 'st-c', productCode: product.code, principal: '1200.00', annualRate: '0.12', termCount: 3, purpose: 'Stock' };
    // apply: the loan's first record
    const applied = await g.apply(input);
    const loanId = applied.loan?.id ?? '';
    const first = (await records(loanId, '0')).at(-1)?.event.data;
    expect(first).toMatchObject({ status: 'APPLIED', outstandingPrincipal: '0.00', scheduleVersion: 0 });
    await expectStateAfter(loanId, () => g.approve(loanId));
    await expectStateAfter(loanId, async () => expect((await g.disburse(loanId, '2026-12-01')).userErrors).toEqual([]));
    noErrors(await svc.graphql(SET, { input: { date: '2027-06-01' } }, staff.admin), 'setBusinessDate');
    // a repayment settling instalment 1, then one paying part of instalment 2
    const schedule = await svc.graphql<{ loan: { schedule: { total: string }[] } }>(
      `query($id: ID!) { loan(id: $id) { schedule { total } } }`,
      { id: loanId },
      staff.admin,
    );
    const firstDue = schedule.data?.loan.schedule[0]?.total ?? '';
    await expectStateAfter(loanId, async () =>
      expect((await g.repay({ loanId, amount: firstDue, paidOn: '2027-01-01', channel: 'CASH', externalReference: 'st-1' })).userErrors).toEqual([]),
    );
    // a repayment settling no instalment emits no event, so no state record (see the test below); its reversal does
    const r = await g.repay({ loanId, amount: '200.00', paidOn: '2027-01-20', channel: 'CASH', externalReference: 'st-2' });
    expect(r.userErrors).toEqual([]);
    const partial = r.repayment?.id ?? '';
    const REVERSE = `mutation($input: ReverseRepaymentInput!) { reverseRepayment(input: $input) { userErrors { field code } } }`;
    await expectStateAfter(loanId, async () =>
      noErrors(await svc.graphql(REVERSE, { input: { repaymentId: partial, reason: 'Bounced' } }, manager), 'reverseRepayment'),
    );
    const OVERRIDE = `mutation($input: OverrideRiskClassInput!) { overrideRiskClass(input: $input) { userErrors { field code } } }`;
    await expectStateAfter(loanId, async () =>
      noErrors(await svc.graphql(OVERRIDE, { input: { loanId, riskClass: 'SPECIAL_MENTION', reason: 'Sector downturn' } }, riskOfficer), 'overrideRiskClass'),
    );
    // a restructuring approved: a new schedule version
    const REQUEST = `mutation($input: RequestRestructuringInput!) { requestRestructuring(input: $input) { restructuring { id } userErrors { field code } } }`;
    const requested = await svc.graphql<{ requestRestructuring: { restructuring: { id: string } | null; userErrors: unknown[] } }>(
      REQUEST,
      { input: { loanId, kind: 'TERM_EXTENSION', instalments: 2, effectiveOn: '2027-01-01', reason: 'Harvest late' } },
      staff.officer,
    );
    expect(requested.data?.requestRestructuring.userErrors).toEqual([]);
    const DECIDE = `mutation($input: DecideRestructuringInput!) { decideRestructuring(input: $input) { userErrors { field code } } }`;
    await expectStateAfter(loanId, async () =>
      noErrors(
        await svc.graphql(DECIDE, { input: { restructuringId: requested.data?.requestRestructuring.restructuring?.id, approve: true } }, manager),
        'decideRestructuring',
      ),
    );
    const WRITE_OFF = `mutation($input: WriteOffLoanInput!) { writeOffLoan(input: $input) { userErrors { field code } } }`;
    await expectStateAfter(loanId, async () =>
      noErrors(await svc.graphql(WRITE_OFF, { input: { loanId, reason: 'Uncollectable' } }, riskOfficer), 'writeOffLoan'),
    );

    // a second loan repaid in full and closed
    noErrors(await svc.graphql(SET, { input: { date: '2026-12-01' } }, staff.admin), 'setBusinessDate');
    const second = await g.activeLoan('st-c', product.code, { principal: '300.00' }, '2026-12-01');
    // the payoff on the disbursement day is the principal: it settles the loan
    await expectStateAfter(second, async () =>
      expect((await g.repay({ loanId: second, amount: '300.00', paidOn: '2026-12-01', channel: 'CASH', externalReference: 'st-3' })).userErrors).toEqual([]),
    );
    expect((await loan(second))?.status).toBe('CLOSED');
    noErrors(await svc.graphql(SET, { input: { date: '2027-06-01' } }, staff.admin), 'setBusinessDate');
    // end of day: a stored loan 60 days late moves bucket and class
    const late = await g.storedLoan({
      productCode: 'ST-EOD',
      disbursedOn: '2026-08-01',
      instalments: [{ dueDate: '2026-10-01', principal: '500.00', interest: '5.00' }],
    });
    const RUN = `mutation($input: RunEndOfDayInput!) { runEndOfDay(input: $input) { userErrors { field code } } }`;
    await expectStateAfter(late.id, async () => noErrors(await svc.graphql(RUN, { input: { asOf: '2026-11-30' } }, staff.admin), 'runEndOfDay'));
    expect((await loan(late.id))?.delinquencyBucket).toBe('DPD_31_60');
    const all = await records(loanId, '0');
    expect(all.map((x) => Number(x.event.sequence))).toEqual(all.map((_, i) => i + 1));
  }, 180_000);

  // A partial repayment settles no instalment: its RepaymentRecorded still brings the loan's new outstanding.
  it('a partial repayment (settling no instalment) writes a LoanState record', async () => {
    const g = given(svc);
    // the business date the loan is approved and disbursed on (the test before moved it to 2027)
    const SET = `mutation($input: SetBusinessDateInput!) { setBusinessDate(input: $input) { userErrors { field code } } }`;
    noErrors(await svc.graphql(SET, { input: { date: '2026-12-01' } }, staff.admin), 'setBusinessDate');
    await g.customer('st-p');
    const product = await g.product({ code: 'ST-2', overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS' });
    const loanId = await g.activeLoan('st-p', product.code, {}, '2026-12-01');
    noErrors(await svc.graphql(SET, { input: { date: '2027-06-01' } }, staff.admin), 'setBusinessDate');
    await expectStateAfter(loanId, async () =>
      expect((await g.repay({ loanId, amount: '100.00', paidOn: '2026-12-20', channel: 'CASH', externalReference: 'st-p1' })).userErrors).toEqual([]),
    );
  }, 120_000);
});
