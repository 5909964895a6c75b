import { createEvent, type EventInput, type EventName } from '@crm/events';
import { addDays, dateText, isoDate } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { deliver as deliverEvent, eventsOf, given, send } from './given.ts';

const today = isoDate(new Date());

/** A run is never for a future date: a later business date is run with the clock moved to that day. */
async function onDay<T>(asOf: string, act: () => Promise<T>): Promise<T> {
  if (asOf <= today) return act();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(`${asOf}T12:00:00Z`));
  try {
    return await act();
  } finally {
    vi.useRealTimers();
  }
}
const VIEW = /* GraphQL */ `
  query($id: ID!) {
    customer(id: $id) {
      grade gradeSince gradeAtRisk { since until projectedGrade }
      valueScore { total qualifiesFor components { code label weight value contribution } }
    }
  }
`;
type View = {
  customer: {
    grade: string | null;
    gradeSince: string | null;
    gradeAtRisk: { since: string; until: string; projectedGrade: string } | null;
    valueScore: { total: string; qualifiesFor: string; components: { code: string; weight: string; value: string; contribution: string }[] };
  };
};
const RUN = /* GraphQL */ `
  mutation($asOf: Date!) {
    runGradeEvaluation(input: { asOf: $asOf }) { result { scored initialGrades upgrades atRiskOpened atRiskCancelled downgrades } userErrors { code } }
  }
`;
type Run = { runGradeEvaluation: { result: Record<string, number> } };

describe('value score and grade', () => {
  let svc: TestService<DB>;
  let make: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(customersService);
    make = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const deliver = <N extends EventName>(name: N, customerId: string, data: EventInput<N>) => deliverEvent(svc, name, customerId, data);
  async function goodBorrower(customerId: string, loanId: string) {
    await deliver('LoanDisbursed', customerId, {
      loanId,
      customerId,
      productCode: 'MICRO',
      principal: '2500000.00',
      currency: 'XAF',
      disbursedOn: today,
      firstDueDate: today,
      instalmentCount: 10,
      officerId: 'officer-7',
      loanCycle: 2,
    });
    for (const n of [1, 2])
      await deliver('InstalmentPaid', customerId, {
        loanId,
        customerId,
        instalmentNumber: n,
        dueDate: today,
        paidOn: today,
        amountPaid: '250000.00',
        currency: 'XAF',
        onTime: true,
        daysLate: 0,
        repaymentId: `${loanId}-r${n}`,
      });
  }
  async function slipsTo31to60(customerId: string, loanId: string, overdue: number) {
    for (let n = 3; n < 3 + overdue; n++)
      await deliver('InstalmentOverdue', customerId, {
        loanId,
        customerId,
        instalmentNumber: n,
        dueDate: addDays(today, -35),
        daysPastDue: 35,
        amountOverdue: '250000.00',
        currency: 'XAF',
        asOf: today,
      });
    await deliver('DelinquencyBucketChanged', customerId, {
      loanId,
      customerId,
      previousBucket: 'DPD_1_30',
      bucket: 'DPD_31_60',
      daysPastDue: 35,
      asOf: today,
    });
  }
  const view = async (id: string) => (await svc.graphql<View>(VIEW, { id }, staff.officer)).data?.customer;

  it('moves the explainable score with credit events, once per event', async () => {
    const id = await make.customer();
    // No history: repayment and satisfaction are neutral 50: 50 x 0.25 + 50 x 0.10 = 17.50.
    expect((await view(id))?.valueScore).toMatchObject({ total: '17.50', qualifiesFor: 'BASIC' });
    await goodBorrower(id, 'loan-a');
    const paid = await deliver('InstalmentPaid', id, {
      loanId: 'loan-a',
      customerId: id,
      instalmentNumber: 2,
      dueDate: today,
      paidOn: today,
      amountPaid: '250000.00',
      currency: 'XAF',
      onTime: true,
      daysLate: 0,
      repaymentId: 'x',
    });
    await send(svc, paid); // the same event again: no effect
    const v = await view(id);
    // 3 instalments of 250 000 = 750 000 repaid: 750k / 2M = 37.5 x 0.15 = 5.63 (half-up from 5.625);
    // balance 2.5M / 5M = 50 x 0.20 = 10.00; 1 loan 5.00; 3/3 on time 25.00; satisfaction 5.00; cycle 2 2.50. Total 53.13.
    expect(v?.valueScore.total).toBe('53.13');
    expect(v?.valueScore.components.find((c) => c.code === 'CONTRIBUTION')).toEqual({
      code: 'CONTRIBUTION',
      label: 'Interest and fees contributed',
      weight: '0.15',
      value: '37.50',
      contribution: '5.63',
    });
    expect(v?.valueScore.components.map((c) => c.code)).toEqual([
      'BALANCE',
      'CONTRIBUTION',
      'PRODUCTS',
      'TENURE',
      'REPAYMENT',
      'SATISFACTION',
      'GROWTH',
      'LOYALTY',
    ]);
    // Engagement and loyalty feed it too: NPS 10 -> satisfaction 100 x 0.10 = 10.00 (+5); PLATINUM -> 100 x 0.05 = 5.00.
    const survey = createEvent('SurveyResponded', {
      subject: id,
      data: {
        responseId: 'r1',
        surveyId: 's1',
        dispatchId: 'd1',
        customerId: id,
        npsScore: 10,
        csatScore: null,
        trigger: null,
        respondedAt: new Date().toISOString(),
      },
    });
    await send(svc, survey);
    const tier = createEvent('TierChanged', {
      subject: id,
      data: { accountId: 'acc', customerId: id, previousTier: 'GOLD', tier: 'PLATINUM', direction: 'UP', effectiveOn: today },
    });
    await send(svc, tier);
    expect((await view(id))?.valueScore.total).toBe('63.13');
  });

  it('counts the interest and penalties InstalmentPaid carries, the total repaid only for older events without them', async () => {
    const id = await make.customer();
    const paid = (n: number, paidOn: string, split: { interestPaid: string; penaltyPaid: string } | null) =>
      createEvent('InstalmentPaid', {
        subject: id,
        data: {
          loanId: 'loan-split',
          customerId: id,
          instalmentNumber: n,
          dueDate: paidOn,
          paidOn,
          amountPaid: '250000.00',
          currency: 'XAF',
          onTime: true,
          daysLate: 0,
          repaymentId: `split-r${n}`,
          ...split,
        },
      });
    const post = (event: ReturnType<typeof paid>, older = false) =>
      svc.consumer.handle({
        topic: 'crm.credit.v1',
        key: id,
        // An older producer's event: no interestPaid / penaltyPaid keys at all.
        value: JSON.stringify(event, (k, v) => (older && (k === 'interestPaid' || k === 'penaltyPaid') ? undefined : v)),
      });
    await post(paid(1, today, { interestPaid: '31250.00', penaltyPaid: '1250.50' }));
    await post(paid(2, today, null), true);
    await post(paid(3, addDays(today, -400), { interestPaid: '99999.00', penaltyPaid: '0.00' })); // beyond 12 months
    const res = await svc.graphql<{ customer: { valueScore: { components: { code: string; value: string; contribution: string; basis: string }[] } } }>(
      `query($id: ID!) { customer(id: $id) { valueScore { components { code value contribution basis } } } }`,
      { id },
      staff.officer,
    );
    // Interest 31 250.00 + penalty 1 250.50 of instalment 1, + 250 000.00 repaid on instalment 2 (no split), instalment 3
    // out of the 12 months: 282 500.50 / 2 000 000 x 100 = 14.125025 -> 14.13; x 0.15 = 2.1195 -> 2.12 (half-up).
    // The former proxy would have counted 500 000.00 (25.00, 3.75).
    expect(res.data?.customer.valueScore.components.find((c) => c.code === 'CONTRIBUTION')).toEqual({
      code: 'CONTRIBUTION',
      value: '14.13',
      contribution: '2.12',
      basis: 'interest 31250.00 + penalties 1250.50 + 250000.00 repaid on instalments reported without the split in 12 months of 2000000 for 100',
    });
  });

  it('grades, opens the at-risk window on a drop, and downgrades at the end of the window (repeatable runs)', async () => {
    await svc.db.updateTable('customer').set({ grade: 'BASIC', grade_since: today }).where('grade', 'is', null).execute();
    const id = await make.customer();
    await goodBorrower(id, 'loan-b');
    const first = await svc.graphql<Run>(RUN, { asOf: today }, staff.admin);
    expect(first.data?.runGradeEvaluation.result).toMatchObject({ initialGrades: 1, atRiskOpened: 0 });
    expect(await view(id)).toMatchObject({ grade: 'STANDARD', gradeSince: today, gradeAtRisk: null });
    expect((await eventsOf(svc, id, 'CustomerGradeChanged')).map((e) => e.data)).toEqual([
      { customerId: id, previousGrade: null, grade: 'STANDARD', score: '51.25', effectiveOn: today },
    ]);
    const again = await svc.graphql<Run>(RUN, { asOf: today }, staff.admin);
    expect(again.data?.runGradeEvaluation.result).toMatchObject({ initialGrades: 0, upgrades: 0, atRiskOpened: 0, downgrades: 0 });
    // the run reported its progress page by page: every customer registered by then, all done
    const runs = await svc.graphql<{
      customersJobRuns: { edges: { node: { outcome: string; progress: { done: number; total: number; percent: number; secondsLeft: number } } }[] };
    }>('{ customersJobRuns(job: GRADE_EVALUATION, first: 1) { edges { node { outcome progress { done total percent secondsLeft } } } } }', {}, staff.admin);
    const customerCount = Number(
      (
        await svc.db
          .selectFrom('customer')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(runs.data?.customersJobRuns.edges[0]?.node).toEqual({
      outcome: 'SUCCEEDED',
      progress: { done: customerCount, total: customerCount, percent: 100, secondsLeft: 0 },
    });

    // Three overdue instalments and a 31-60 bucket: repayment min(100 - 30, 30) = 30 x 0.25 = 7.50; total 33.75 < 40.
    await slipsTo31to60(id, 'loan-b', 3);
    await svc.graphql<Run>(RUN, { asOf: today }, staff.admin);
    const windowEnd = addDays(today, 30);
    expect(await view(id)).toMatchObject({ grade: 'STANDARD', gradeAtRisk: { since: today, until: windowEnd, projectedGrade: 'BASIC' } });
    expect((await eventsOf(svc, id, 'CustomerGradeAtRisk')).map((e) => e.data)).toEqual([
      { customerId: id, grade: 'STANDARD', projectedGrade: 'BASIC', score: '33.75', floor: '40.00', windowEndsOn: windowEnd },
    ]);
    await onDay(addDays(today, 29), () => svc.graphql<Run>(RUN, { asOf: addDays(today, 29) }, staff.admin));
    expect((await view(id))?.grade).toBe('STANDARD');
    const end = await onDay(windowEnd, () => svc.graphql<Run>(RUN, { asOf: windowEnd }, staff.admin));
    expect(end.data?.runGradeEvaluation.result.downgrades).toBe(1);
    expect(await view(id)).toMatchObject({ grade: 'BASIC', gradeSince: windowEnd, gradeAtRisk: null });
    // Tenure of 30 days adds 30 / 1825 = 1.64 x 0.10 = 0.16: 33.91.
    expect((await eventsOf(svc, id, 'CustomerGradeChanged')).map((e) => e.data).at(-1)).toEqual({
      customerId: id,
      previousGrade: 'STANDARD',
      grade: 'BASIC',
      score: '33.91',
      effectiveOn: windowEnd,
    });
    const stored = await svc.db.selectFrom('customer_value_score').select(['as_of', 'total']).where('customer_id', '=', id).orderBy('as_of').execute();
    expect(stored.map((s) => [dateText(s.as_of), s.total])).toEqual([
      [today, '33.75'],
      [addDays(today, 29), '33.91'],
      [windowEnd, '33.91'],
    ]);
    const history = await svc.graphql<{ customer: { valueScoreHistory: { edges: { node: { asOf: string; total: string } }[] } } }>(
      `query($id: ID!) { customer(id: $id) { valueScoreHistory(first: 2) { edges { node { asOf total } } } } }`,
      { id },
    );
    expect(history.data?.customer.valueScoreHistory.edges.map((e) => e.node)).toEqual([
      { asOf: windowEnd, total: '33.91' },
      { asOf: addDays(today, 29), total: '33.91' },
    ]);
    const filtered = await svc.graphql<{ customers: { edges: { node: { id: string } }[] } }>(
      `{ customers(filter: { grade: [BASIC], branchId: "BR-001" }, first: 100) { edges { node { id } } } }`,
    );
    expect(filtered.data?.customers.edges.map((e) => e.node.id)).toContain(id);
  });

  it('cancels the window when the score recovers inside it', async () => {
    await svc.db.updateTable('customer').set({ grade: 'BASIC', grade_since: today }).where('grade', 'is', null).execute();
    const id = await make.customer();
    await goodBorrower(id, 'loan-c');
    await svc.db.updateTable('customer').set({ grade: null }).where('id', '=', id).execute();
    await svc.graphql<Run>(RUN, { asOf: today }, staff.admin);
    await slipsTo31to60(id, 'loan-c', 1);
    await svc.graphql<Run>(RUN, { asOf: today }, staff.admin);
    expect((await view(id))?.gradeAtRisk?.projectedGrade).toBe('BASIC');
    // Back to current: repayment 100 - 10 = 90 x 0.25 = 22.50; total 48.75 >= 40.
    await deliver('DelinquencyBucketChanged', id, {
      loanId: 'loan-c',
      customerId: id,
      previousBucket: 'DPD_31_60',
      bucket: 'CURRENT',
      daysPastDue: 0,
      asOf: today,
    });
    const run = await onDay(addDays(today, 5), () => svc.graphql<Run>(RUN, { asOf: addDays(today, 5) }, staff.admin));
    expect(run.data?.runGradeEvaluation.result.atRiskCancelled).toBeGreaterThanOrEqual(1);
    expect(await view(id)).toMatchObject({ grade: 'STANDARD', gradeAtRisk: null });
    await onDay(addDays(today, 31), () => svc.graphql<Run>(RUN, { asOf: addDays(today, 31) }, staff.admin));
    expect((await view(id))?.grade).toBe('STANDARD');
  });

  it('lets administrators change the thresholds and the window, refusing bad ones', async () => {
    const SET = `mutation($input: SetCustomerGradeThresholdsInput!) { setCustomerGradeThresholds(input: $input) { thresholds { grade minScore } userErrors { field code } } }`;
    const bad = await svc.graphql<{ setCustomerGradeThresholds: { userErrors: { field: string; code: string }[] } }>(
      SET,
      {
        input: {
          thresholds: [
            { grade: 'VIP', minScore: '50' },
            { grade: 'PREMIUM', minScore: '60' },
            { grade: 'STANDARD', minScore: '40' },
            { grade: 'BASIC', minScore: '0' },
          ],
        },
      },
      staff.admin,
    );
    expect(bad.data?.setCustomerGradeThresholds.userErrors).toEqual([{ field: 'thresholds', code: 'NOT_ASCENDING' }]);
    const ok = await svc.graphql<{ setCustomerGradeThresholds: { thresholds: { grade: string; minScore: string }[] } }>(
      SET,
      {
        input: {
          thresholds: [
            { grade: 'VIP', minScore: '85' },
            { grade: 'PREMIUM', minScore: '65' },
            { grade: 'STANDARD', minScore: '45.5' },
            { grade: 'BASIC', minScore: '0' },
          ],
        },
      },
      staff.admin,
    );
    expect(ok.data?.setCustomerGradeThresholds.thresholds).toEqual([
      { grade: 'VIP', minScore: '85.00' },
      { grade: 'PREMIUM', minScore: '65.00' },
      { grade: 'STANDARD', minScore: '45.50' },
      { grade: 'BASIC', minScore: '0.00' },
    ]);
    const POLICY = `mutation($input: UpdateCustomerPolicyInput!) { updateCustomerPolicy(input: $input) { policy { staleAfterDays atRiskWindowDays } userErrors { field code } } }`;
    const policy = await svc.graphql<{ updateCustomerPolicy: { policy: unknown; userErrors: unknown[] } }>(
      POLICY,
      { input: { atRiskWindowDays: 45 } },
      staff.admin,
    );
    expect(policy.data?.updateCustomerPolicy.policy).toEqual({ staleAfterDays: 365, atRiskWindowDays: 45 });
    const negative = await svc.graphql<{ updateCustomerPolicy: { userErrors: unknown[] } }>(POLICY, { input: { atRiskWindowDays: -1 } }, staff.admin);
    expect(negative.data?.updateCustomerPolicy.userErrors).toEqual([{ field: 'atRiskWindowDays', code: 'OUT_OF_RANGE' }]);
    const officer = await svc.graphql(RUN, { asOf: today }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
