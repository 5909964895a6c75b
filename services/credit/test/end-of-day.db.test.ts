import { createEvent } from '@crm/events';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, manager, riskOfficer } from './given.ts';

const RUN = `mutation($input: RunEndOfDayInput!) { runEndOfDay(input: $input) { asOf loansEvaluated bucketChanges riskClassChanges overdueInstalments warningsRaised userErrors { field code } } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { daysPastDue delinquencyBucket riskClass computedRiskClass delinquencyAsOf riskClassOverride { riskClass reason }
  riskClassHistory(first: 100) { edges { node { asOf previousClass riskClass override changedBy reason } } }
  schedule { number dueDate daysPastDue penalty status }
  riskWarnings(openOnly: false, first: 100) { edges { node { ruleCode severity status indicators } } } } }`;

type Edges<T> = { edges: { node: T }[] };
interface LoanAnswer {
  loan: Omit<LoanShape, 'riskClassHistory' | 'riskWarnings'> & {
    riskClassHistory: Edges<LoanShape['riskClassHistory'][number]>;
    riskWarnings: Edges<LoanShape['riskWarnings'][number]>;
  };
}
interface LoanRead {
  loan: LoanShape;
}
interface LoanShape {
  daysPastDue: number;
  delinquencyBucket: string;
  riskClass: string;
  computedRiskClass: string;
  delinquencyAsOf: string;
  riskClassOverride: { riskClass: string; reason: string } | null;
  riskClassHistory: { asOf: string; previousClass: string; riskClass: string; override: boolean; changedBy: string | null; reason: string }[];
  schedule: { number: number; dueDate: string; daysPastDue: number; penalty: string; status: string }[];
  riskWarnings: { ruleCode: string; severity: string; status: string; indicators: string }[];
}

describe('end-of-day run: DPD, buckets, penalties, risk classes, warnings', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  let loanId = '';
  const outboxCount = async () =>
    Number(
      (
        await svc.db
          .selectFrom('event_outbox')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const run = async (asOf: string) => {
    const res = await svc.graphql<{ runEndOfDay: Record<string, unknown> }>(RUN, { input: { asOf } }, riskOfficer);
    expect(res.errors).toBeUndefined();
    return res.data?.runEndOfDay;
  };
  /** The loan with its (paged) history and warnings as plain lists. */
  const loan = async (): Promise<LoanRead['loan'] | undefined> => {
    const l = (await svc.graphql<LoanAnswer>(LOAN, { id: loanId })).data?.loan;
    return l && { ...l, riskClassHistory: l.riskClassHistory.edges.map((e) => e.node), riskWarnings: l.riskWarnings.edges.map((e) => e.node) };
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-01-31T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_eod' });
    g = given(svc);
    await g.customer('c-eod', { industry: 'CONSTRUCTION' });
    // Monthly annuity, 3 days' grace, penalty 36.5 % a year = 0.1 % a day.
    await g.product({ code: 'EOD-M', graceDays: 3, penaltyRate: '0.365' });
    // 1200 at 12 % over 3 months from 31 Jan 2024: due 29 Feb (leap year), 31 Mar, 30 Apr; 408.03, 408.03, 408.02.
    loanId = await g.activeLoan('c-eod', 'EOD-M', {}, '2024-01-31');
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('keeps a loan current on its due date and sends the reminder once', async () => {
    vi.setSystemTime(new Date('2024-03-20T09:00:00Z'));
    expect(await run('2024-02-29')).toMatchObject({ loansEvaluated: 1, bucketChanges: 0, overdueInstalments: 0 });
    expect((await loan())?.daysPastDue).toBe(0);
    expect(await eventsOf(svc, loanId)).toEqual(['LoanApplied', 'LoanApproved', 'LoanDisbursed', 'InstalmentDue']);
  });

  it('counts 1 day past due across the leap day, changes the bucket once, and a re-run changes nothing', async () => {
    expect(await run('2024-03-01')).toMatchObject({ bucketChanges: 1, riskClassChanges: 0, overdueInstalments: 1 });
    const l = await loan();
    expect(l).toMatchObject({ daysPastDue: 1, delinquencyBucket: 'DPD_1_30', riskClass: 'NORMAL', delinquencyAsOf: '2024-03-01' });
    expect(l?.schedule[0]).toMatchObject({ daysPastDue: 1, penalty: '0.00', status: 'OVERDUE' });
    const before = await outboxCount();
    expect(await run('2024-03-01')).toMatchObject({ bucketChanges: 0, riskClassChanges: 0, overdueInstalments: 0, warningsRaised: 0 });
    expect(await outboxCount()).toBe(before);
    expect(await eventsOf(svc, loanId)).toEqual([
      'LoanApplied',
      'LoanApproved',
      'LoanDisbursed',
      'InstalmentDue',
      'InstalmentOverdue',
      'DelinquencyBucketChanged',
    ]);
  });

  it('at 31 days moves to 31-60 and SPECIAL_MENTION, accrues the penalty after grace, raises DPD warnings once', async () => {
    vi.setSystemTime(new Date('2024-04-01T09:00:00Z'));
    const r = await run('2024-03-31');
    expect(r).toMatchObject({ bucketChanges: 1, riskClassChanges: 1, warningsRaised: 2 });
    const l = await loan();
    // Penalty = unpaid 408.03 * 0.365 * (31 - 3) / 365 = 11.42484 -> 11.42 (half up).
    expect(l?.schedule.map((i) => [i.number, i.daysPastDue, i.penalty])).toEqual([
      [1, 31, '11.42'],
      [2, 0, '0.00'],
      [3, 0, '0.00'],
    ]);
    expect(l).toMatchObject({ daysPastDue: 31, delinquencyBucket: 'DPD_31_60', riskClass: 'SPECIAL_MENTION' });
    expect(l?.riskClassHistory).toEqual([
      { asOf: '2024-03-31', previousClass: 'NORMAL', riskClass: 'SPECIAL_MENTION', override: false, changedBy: null, reason: 'DPD 31 as of 2024-03-31' },
    ]);
    expect(l?.riskWarnings.map((w) => [w.ruleCode, w.severity, w.status, JSON.parse(w.indicators)]).sort()).toEqual([
      ['DPD_OVER_30', 'HIGH', 'OPEN', { daysPastDue: 31, threshold: '30.000000', asOf: '2024-03-31' }],
      ['DPD_OVER_7', 'MEDIUM', 'OPEN', { daysPastDue: 31, threshold: '7.000000', asOf: '2024-03-31' }],
    ]);
    const again = await run('2024-03-31');
    expect(again).toMatchObject({ bucketChanges: 0, riskClassChanges: 0, warningsRaised: 0 });
  });

  it('reconstructs a past date without moving the current state or emitting', async () => {
    const before = await outboxCount();
    await run('2024-03-15');
    expect(await outboxCount()).toBe(before);
    const snap = await svc.db
      .selectFrom('loan_delinquency')
      .select(['dpd', 'bucket', 'penalty'])
      .where('loan_id', '=', loanId)
      .where('as_of', '=', '2024-03-15')
      .executeTakeFirstOrThrow();
    // 15 days past 29 Feb; penalty 408.03 * 0.001 * 12 = 4.89636 -> 4.90.
    expect(snap).toEqual({ dpd: 15, bucket: 'DPD_1_30', penalty: '4.90' });
    expect((await loan())?.daysPastDue).toBe(31);
  });

  it('takes the penalty first from a late payment, then re-classifies on the next run; history stays reconstructible', async () => {
    vi.setSystemTime(new Date('2024-04-05T09:00:00Z'));
    // 419.45 = penalty 11.42 + interest 12.00 + principal 396.03 of instalment 1.
    const paid = await g.repay({ loanId, amount: '419.45', paidOn: '2024-04-02', channel: 'CASH', externalReference: 'eod-1' });
    expect(paid.repayment).toMatchObject({ penaltyPaid: '11.42', interestPaid: '12.00', principalPaid: '396.03' });
    const r = await run('2024-04-05');
    expect(r).toMatchObject({ bucketChanges: 1, riskClassChanges: 1 });
    const l = await loan();
    expect(l).toMatchObject({ daysPastDue: 5, delinquencyBucket: 'DPD_1_30', riskClass: 'NORMAL' });
    expect(l?.schedule.map((i) => [i.number, i.status, i.penalty])).toEqual([
      [1, 'PAID', '11.42'],
      // 5 days past due, 2 beyond grace: 408.03 * 0.001 * 2 = 0.81606 -> 0.82.
      [2, 'OVERDUE', '0.82'],
      [3, 'PENDING', '0.00'],
    ]);
    await run('2024-03-31');
    const past = await svc.db
      .selectFrom('loan_delinquency')
      .select(['dpd', 'risk_class'])
      .where('loan_id', '=', loanId)
      .where('as_of', '=', '2024-03-31')
      .executeTakeFirstOrThrow();
    expect(past).toEqual({ dpd: 31, risk_class: 'SPECIAL_MENTION' });
    const paidEvent = await svc.db.selectFrom('event_outbox').select('event').where('type', '=', 'crm.credit.InstalmentPaid.v1').executeTakeFirstOrThrow();
    // The split is the allocation above: penalty 11.42 (accrued by the runs up to 31 Mar), interest 12.00.
    expect(paidEvent.event).toMatchObject({
      data: { instalmentNumber: 1, onTime: false, daysLate: 33, amountPaid: '419.45', interestPaid: '12.00', penaltyPaid: '11.42' },
    });
  });

  it('records an officer override with its reason and keeps it through later runs', async () => {
    vi.setSystemTime(new Date('2024-04-05T10:00:00Z'));
    const OVERRIDE = `mutation($input: OverrideRiskClassInput!) { overrideRiskClass(input: $input) { loan { riskClass computedRiskClass riskClassOverride { riskClass reason } } userErrors { field code } } }`;
    const blank = await svc.graphql<{ overrideRiskClass: { userErrors: { field: string; code: string }[] } }>(
      OVERRIDE,
      { input: { loanId, riskClass: 'SUBSTANDARD', reason: ' ' } },
      riskOfficer,
    );
    expect(blank.data?.overrideRiskClass.userErrors).toEqual([{ field: 'reason', code: 'REQUIRED' }]);
    const res = await svc.graphql<{ overrideRiskClass: { loan: unknown } }>(
      OVERRIDE,
      { input: { loanId, riskClass: 'SUBSTANDARD', reason: 'Business closed by flood' } },
      riskOfficer,
    );
    expect(res.data?.overrideRiskClass.loan).toEqual({
      riskClass: 'SUBSTANDARD',
      computedRiskClass: 'NORMAL',
      riskClassOverride: { riskClass: 'SUBSTANDARD', reason: 'Business closed by flood' },
    });
    await run('2024-04-06');
    const l = await loan();
    expect(l?.riskClass).toBe('SUBSTANDARD');
    expect(l?.riskClassHistory.at(-1)).toEqual({
      asOf: '2024-04-05',
      previousClass: 'NORMAL',
      riskClass: 'SUBSTANDARD',
      override: true,
      changedBy: 'risk-1',
      reason: 'Business closed by flood',
    });
    const forbidden = await svc.graphql(OVERRIDE, { input: { loanId, riskClass: 'LOSS', reason: 'x' } }, staff.analyst);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('moves warnings through their workflow, escalates missed deadlines, and raises income-drop warnings once', async () => {
    const list = await svc.graphql<{ riskWarnings: { edges: { node: { id: string; ruleCode: string; status: string } }[] } }>(
      `{ riskWarnings(filter: { ruleCode: "DPD_OVER_7" }) { edges { node { id ruleCode status } } } }`,
    );
    const w = list.data?.riskWarnings.edges[0]?.node;
    expect(w).toMatchObject({ ruleCode: 'DPD_OVER_7', status: 'OPEN' });
    const UPDATE = `mutation($input: UpdateRiskWarningInput!) { updateRiskWarning(input: $input) { warning { status acknowledgedAt note } userErrors { field code } } }`;
    const ack = await svc.graphql<{ updateRiskWarning: { warning: { status: string } } }>(
      UPDATE,
      { input: { warningId: w?.id, action: 'ACKNOWLEDGE' } },
      staff.officer,
    );
    expect(ack.data?.updateRiskWarning.warning.status).toBe('ACKNOWLEDGED');
    const noNote = await svc.graphql<{ updateRiskWarning: { userErrors: unknown[] } }>(
      UPDATE,
      { input: { warningId: w?.id, action: 'TAKE_ACTION' } },
      staff.officer,
    );
    expect(noNote.data?.updateRiskWarning.userErrors).toEqual([{ field: 'note', code: 'REQUIRED' }]);
    const acted = await svc.graphql<{ updateRiskWarning: { warning: { status: string; note: string } } }>(
      UPDATE,
      { input: { warningId: w?.id, action: 'TAKE_ACTION', note: 'Visited, payment plan agreed' } },
      staff.officer,
    );
    expect(acted.data?.updateRiskWarning.warning).toMatchObject({ status: 'ACTION_TAKEN', note: 'Visited, payment plan agreed' });
    // DPD_OVER_30 (HIGH: 24 h to respond) was raised on 1 April and is still OPEN: the escalation job for 2024-04-10 escalates it, not the acted-on one.
    vi.setSystemTime(new Date('2024-04-12T09:00:00Z'));
    const esc = await svc.jobs.run('risk-warning-escalation', '2024-04-10');
    expect(esc).toEqual({ escalated: 1 });
    expect(await svc.jobs.run('risk-warning-escalation', '2024-04-10')).toEqual({ escalated: 0 });
    const l = await loan();
    expect(l?.riskWarnings.map((x) => [x.ruleCode, x.status]).sort()).toEqual([
      ['DPD_OVER_30', 'ESCALATED'],
      ['DPD_OVER_7', 'ACTION_TAKEN'],
    ]);

    const snapshot = (id: string) =>
      createEvent('FinancialSnapshotRecorded', {
        subject: 'c-eod',
        data: {
          customerId: 'c-eod',
          snapshotId: id,
          asOf: '2024-04-11',
          currency: 'USD',
          monthlyIncome: '600.00',
          previousMonthlyIncome: '1000.00',
          incomeChangeRatio: '-0.4000',
          externalCreditScore: 640,
          previousExternalCreditScore: 660,
          debtRatio: null,
        },
      });
    for (const id of ['snap-1', 'snap-2']) await svc.consumer.handle({ topic: 'crm.customers.v1', key: 'c-eod', value: JSON.stringify(snapshot(id)) });
    const income = await svc.db
      .selectFrom('risk_warning')
      .select(['rule_code', 'indicators'])
      .where('rule_code', 'in', ['INCOME_DROP_30', 'SCORE_DROP_50'])
      .execute();
    // A 40 % income drop passes the 30 % rule; a 20-point score drop does not reach 50.
    expect(income).toEqual([
      {
        rule_code: 'INCOME_DROP_30',
        indicators: {
          incomeDrop: '0.4000',
          monthlyIncome: '600.00',
          previousMonthlyIncome: '1000.00',
          threshold: '0.300000',
          asOf: '2024-04-11',
          snapshotId: 'snap-1',
        },
      },
    ]);
    const customer = await svc.graphql<{ _entities: { riskWarnings: { ruleCode: string }[] }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { riskWarnings { ruleCode } } } }`,
      { r: [{ __typename: 'Customer', id: 'c-eod' }] },
    );
    // Newest first: the income-drop warning, then the two DPD warnings of 1 April (same instant, any order).
    expect(customer.data?._entities[0]?.riskWarnings[0]?.ruleCode).toBe('INCOME_DROP_30');
    expect(customer.data?._entities[0]?.riskWarnings.map((x) => x.ruleCode).sort()).toEqual(['DPD_OVER_30', 'DPD_OVER_7', 'INCOME_DROP_30']);
  });

  it('refuses a run for a future date and callers without the role', async () => {
    const future = await run('2030-01-01');
    expect(future?.userErrors).toEqual([{ field: 'asOf', code: 'DATE_IN_FUTURE' }]);
    const denied = await svc.graphql(RUN, { input: { asOf: '2024-04-01' } }, manager);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('uses the configured thresholds and the industry watch list on the next run; an override still wins', async () => {
    const SET = `mutation($i: SetRiskClassThresholdsInput!) { setRiskClassThresholds(input: $i) { thresholds { riskClass minDaysPastDue } userErrors { field code } } }`;
    const bad = await svc.graphql<{ setRiskClassThresholds: { userErrors: unknown[] } }>(
      SET,
      { i: { thresholds: [{ riskClass: 'NORMAL', minDaysPastDue: 1 }] } },
      riskOfficer,
    );
    expect(bad.data?.setRiskClassThresholds.userErrors).toEqual([{ field: 'thresholds', code: 'INCOMPLETE' }]);
    const thresholds = [
      { riskClass: 'NORMAL', minDaysPastDue: 0 },
      { riskClass: 'SPECIAL_MENTION', minDaysPastDue: 5 },
      { riskClass: 'SUBSTANDARD', minDaysPastDue: 30 },
      { riskClass: 'DOUBTFUL', minDaysPastDue: 60 },
      { riskClass: 'LOSS', minDaysPastDue: 90 },
    ];
    const ok = await svc.graphql<{ setRiskClassThresholds: { thresholds: unknown[] } }>(SET, { i: { thresholds } }, riskOfficer);
    expect(ok.data?.setRiskClassThresholds.thresholds).toEqual(thresholds);
    await svc.graphql(`mutation { setIndustryWatchList(input: { industries: ["CONSTRUCTION", " "] }) { industries } }`, {}, riskOfficer);
    const r = await run('2024-04-07');
    expect(r).toMatchObject({ warningsRaised: 1 });
    const l = await loan();
    // Instalment 2 (due 31 March) is 7 days past due: SPECIAL_MENTION from 5 days; the officer's SUBSTANDARD stays effective.
    expect(l).toMatchObject({ daysPastDue: 7, computedRiskClass: 'SPECIAL_MENTION', riskClass: 'SUBSTANDARD' });
    expect(l?.riskWarnings.find((w) => w.ruleCode === 'WATCHLIST_INDUSTRY')).toMatchObject({ severity: 'LOW', status: 'OPEN' });
    // The computed change is in the history; no RiskClassChanged went out since the effective class did not move.
    expect(l?.riskClassHistory.at(-1)).toMatchObject({
      previousClass: 'NORMAL',
      riskClass: 'SPECIAL_MENTION',
      override: false,
      reason: 'DPD 7 as of 2024-04-07 (override SUBSTANDARD in force)',
    });
    expect(r).toMatchObject({ riskClassChanges: 0 });
  });
});
