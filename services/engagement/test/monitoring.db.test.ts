import { addDays, type Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planMonitoring } from '../src/commands/plan-monitoring.ts';
import { bandOf, findCadence, findNextMonitoringDates, findPlannableLoans } from '../src/db/monitoring.store.ts';
import type { DB } from '../src/db/schema.ts';
import { cadenceFor, isPlannable, nextDueOn, plannedDueOn, RISK_CLASSES } from '../src/domain/monitoring.ts';
import type { RiskClass } from '../src/domain/types.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

type Errors = { field: string | null; code: string }[];
const manager: Identity = { userId: 'bm-001', roles: ['branch_manager'], branchId: 'BR-001' };
const otherManager: Identity = { userId: 'bm-009', roles: ['branch_manager'], branchId: 'BR-009' };
const officer: Identity = { userId: 'officer-7', roles: ['loan_officer'], branchId: 'BR-001' };

const VISIT = `mutation($input: RecordVisitOutcomeInput!) { recordVisitOutcome(input: $input) {
  task { id status completedBy visitOutcome { visitedOn customerMet businessOperating fundUseAsDeclared concerns note recordedBy } }
  userErrors { field code } } }`;
type VisitResult = { recordVisitOutcome: { task: { id: string; status: string; visitOutcome: Record<string, unknown> | null } | null; userErrors: Errors } };

describe('visits and reviews by risk', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const disbursed = (customerId: string, loanId: string, disbursedOn: string, principal = '500000.00') =>
    g.deliver('LoanDisbursed', customerId, {
      loanId,
      customerId,
      productCode: 'MICRO',
      principal,
      currency: 'XOF',
      disbursedOn,
      firstDueDate: addDays(disbursedOn, 30),
      instalmentCount: 12,
      officerId: 'officer-7',
      loanCycle: 1,
    });
  const tasksOfLoan = (loanId: string) =>
    svc.db
      .selectFrom('task')
      .select(['id', 'type', 'cadence', 'status', 'due_at', 'assignee_id', 'priority', 'dedupe_key', 'completed_by'])
      .where('loan_id', '=', loanId)
      .orderBy('id')
      .execute();
  const plan = (asOf: string) => planMonitoring(svc.db, { asOf, now: new Date(`${asOf}T06:00:00Z`) });
  const day = (date: string) => new Date(`${addDays(date, 1)}T00:00:00.000Z`);

  it('plans the next visit after a recorded one, moves it when the class worsens, escalates an overdue review, settles it when credit reviews', async () => {
    const c = await g.customer('m-flow');
    await disbursed(c, 'L-flow', '2026-01-05');
    const [first] = await tasksOfLoan('L-flow');
    expect(first).toMatchObject({ type: 'POST_LOAN_VISIT', cadence: null, status: 'OPEN', assignee_id: 'officer-7' });

    // the first visit's outcome completes its task; the next counts from it
    const done = await svc.graphql<VisitResult>(
      VISIT,
      { input: { taskId: first?.id, visitedOn: '2026-01-10', customerMet: true, businessOperating: true, fundUseAsDeclared: true, note: 'Shop stocked' } },
      officer,
    );
    expect(done.errors).toBeUndefined();
    expect(done.data?.recordVisitOutcome).toEqual({
      task: {
        id: first?.id,
        status: 'DONE',
        completedBy: 'officer-7',
        visitOutcome: {
          visitedOn: '2026-01-10',
          customerMet: true,
          businessOperating: true,
          fundUseAsDeclared: true,
          concerns: [],
          note: 'Shop stocked',
          recordedBy: 'officer-7',
        },
      },
      userErrors: [],
    });
    expect(await g.outboxTypes(c)).toEqual(expect.arrayContaining(['TaskCompleted', 'VisitOutcomeRecorded']));

    // NORMAL, under 1,000,000: a visit every 180 days, a review every 365; planned 14 days ahead
    expect(await plan('2026-06-24')).toMatchObject({ visitsPlanned: 0, reviewsPlanned: 0 });
    expect(await plan('2026-06-25')).toMatchObject({ visitsPlanned: 1, reviewsPlanned: 0 });
    expect(await plan('2026-06-25')).toMatchObject({ visitsPlanned: 0, reviewsPlanned: 0, escalationTasks: 0 });
    let visit = (await tasksOfLoan('L-flow')).find((t) => t.cadence === 'VISIT');
    expect(visit).toMatchObject({ type: 'POST_LOAN_VISIT', status: 'OPEN', due_at: day('2026-07-09'), priority: 'NORMAL', assignee_id: 'officer-7' });

    // SUBSTANDARD: every 30 days; the open visit moves (not before the day of the change), once
    const change = await g.deliver('RiskClassChanged', c, {
      loanId: 'L-flow',
      customerId: c,
      previousClass: 'NORMAL',
      riskClass: 'SUBSTANDARD',
      reason: 'DPD 95',
      override: false,
      changedBy: null,
      asOf: '2026-06-28',
    });
    await change.redeliver();
    visit = (await tasksOfLoan('L-flow')).find((t) => t.cadence === 'VISIT');
    expect(visit?.due_at).toEqual(day('2026-06-28'));
    expect((await g.outboxTypes(c)).filter((t) => t === 'TaskRescheduled')).toHaveLength(1);

    // the review by the new cadence is long past: planned for the run's date
    expect(await plan('2026-06-28')).toMatchObject({ visitsPlanned: 0, reviewsPlanned: 1 });
    const review = (await tasksOfLoan('L-flow')).find((t) => t.cadence === 'REVIEW');
    expect(review).toMatchObject({ type: 'CREDIT_REVIEW', due_at: day('2026-06-28'), priority: 'HIGH' });
    const byHand = await svc.graphql<{ completeTask: { userErrors: Errors } }>(
      `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { userErrors { field code } } }`,
      { input: { taskId: review?.id } },
      officer,
    );
    expect(byHand.data?.completeTask.userErrors).toEqual([{ field: 'taskId', code: 'REVIEW_RECORDED_IN_CREDIT' }]);

    // overdue: a task for the officer and one for the branch manager, once
    const bm = await svc.graphql<{ setBranchManager: { branchManager: { branchId: string; managerId: string } | null; userErrors: Errors } }>(
      `mutation { setBranchManager(input: { branchId: "BR-001", managerId: "bm-001" }) { branchManager { branchId managerId } userErrors { field code } } }`,
      {},
      manager,
    );
    expect(bm.data?.setBranchManager).toEqual({ branchManager: { branchId: 'BR-001', managerId: 'bm-001' }, userErrors: [] });
    expect(await plan('2026-06-29')).toMatchObject({ overdueReviews: 1, escalationTasks: 2 });
    expect(await plan('2026-06-30')).toMatchObject({ overdueReviews: 1, escalationTasks: 0 });
    const escalations = (await tasksOfLoan('L-flow')).filter((t) => t.dedupe_key?.startsWith('REVIEW_OVERDUE:'));
    expect(escalations.map((t) => [t.assignee_id, t.priority, t.status, t.due_at])).toEqual([
      ['officer-7', 'URGENT', 'OPEN', day('2026-07-01')],
      ['bm-001', 'URGENT', 'OPEN', day('2026-07-01')],
    ]);

    // credit records the review: the review and its escalations are done, the next review counts from it
    const reviewed = await g.deliver('CreditReviewRecorded', c, {
      reviewId: 'R-1',
      loanId: 'L-flow',
      customerId: c,
      reviewedOn: '2026-07-02',
      rating: 'WATCH',
      fundUseAsDeclared: true,
      reviewerId: 'risk-1',
    });
    await reviewed.redeliver();
    const after = await tasksOfLoan('L-flow');
    expect(after.filter((t) => t.cadence === 'REVIEW' || t.dedupe_key?.startsWith('REVIEW_OVERDUE:')).map((t) => [t.status, t.completed_by])).toEqual([
      ['DONE', 'risk-1'],
      ['DONE', 'risk-1'],
      ['DONE', 'risk-1'],
    ]);
    expect((await g.outboxTypes(c)).filter((t) => t === 'TaskCompleted')).toHaveLength(4);
    expect(await plan('2026-07-17')).toMatchObject({ reviewsPlanned: 0 });
    expect(await plan('2026-07-18')).toMatchObject({ reviewsPlanned: 1 });
    expect((await tasksOfLoan('L-flow')).filter((t) => t.cadence === 'REVIEW' && t.status === 'OPEN').map((t) => t.due_at)).toEqual([day('2026-08-01')]);

    // the loan closes: its planned visit and review end with it, and nothing more is planned for it
    const closed = await g.deliver('LoanClosed', c, {
      loanId: 'L-flow',
      customerId: c,
      closedOn: '2026-07-25',
      principal: '500000.00',
      currency: 'XOF',
      repaidOnTimeInFull: false,
    });
    await closed.redeliver();
    expect((await tasksOfLoan('L-flow')).filter((t) => t.cadence && t.status !== 'DONE').map((t) => [t.cadence, t.status])).toEqual([
      ['VISIT', 'CANCELLED'],
      ['REVIEW', 'CANCELLED'],
    ]);
    expect((await g.outboxTypes(c)).filter((t) => t === 'TaskCancelled')).toHaveLength(2);
    expect(await plan('2026-09-01')).toMatchObject({ visitsPlanned: 0, reviewsPlanned: 0, overdueReviews: 0 });
  });

  it('computes in SQL the band and the next dates the domain rules give, loan by loan', async () => {
    const bands = (await findCadence(svc.db)).map(bandOf);
    const loans = fc.sample(
      fc.record({
        riskClass: fc.constantFrom(...RISK_CLASSES),
        principal: fc.option(fc.constantFrom('0.00', '999999.99', '1000000.00', '1000000.01', '250.50', '5000000.00'), { nil: null }),
        disbursedOn: fc.constantFrom('2025-02-28', '2025-12-31', '2026-03-01', '2026-06-15'),
        lastVisitOn: fc.option(fc.constantFrom('2026-04-01', '2026-07-31'), { nil: null }),
        lastReviewOn: fc.option(fc.constantFrom('2026-01-15', '2026-08-20'), { nil: null }),
      }),
      { numRuns: 60, seed: 15 },
    );
    await svc.db
      .insertInto('loan_replica')
      .values(
        loans.map((l, i) => ({
          loan_id: `oracle-${String(i).padStart(3, '0')}`,
          customer_id: 'oracle-customer',
          officer_id: null,
          status: 'ACTIVE' as const,
          disbursed_on: l.disbursedOn,
          principal: l.principal,
          risk_class: l.riskClass,
          last_visit_on: l.lastVisitOn,
          last_review_on: l.lastReviewOn,
          updated_at: new Date(),
        })),
      )
      .execute();
    const sqlDates = (await findNextMonitoringDates(svc.db)).filter((r) => r.loan_id.startsWith('oracle-'));
    const expected = loans.map((l, i) => {
      const band = cadenceFor(bands, l.riskClass as RiskClass, l.principal);
      if (!band) throw new Error('no band');
      return {
        loan_id: `oracle-${String(i).padStart(3, '0')}`,
        visit_due_on: nextDueOn({ disbursedOn: l.disbursedOn, lastOn: l.lastVisitOn, everyDays: band.visitEveryDays }),
        review_due_on: nextDueOn({ disbursedOn: l.disbursedOn, lastOn: l.lastReviewOn, everyDays: band.reviewEveryDays }),
      };
    });
    expect(sqlDates).toEqual(expected);
    // the planning selection: in the window, due on the date or the run's date when past
    const asOf = '2026-08-01';
    const plannable = await findPlannableLoans(svc.db, { asOf, leadDays: 14, afterLoanId: 'oracle-', limit: 1000 });
    const inWindow = expected
      .map((e) => ({
        loan_id: e.loan_id,
        visit_due_on: isPlannable(e.visit_due_on, asOf, 14) ? plannedDueOn(e.visit_due_on, asOf) : null,
        review_due_on: isPlannable(e.review_due_on, asOf, 14) ? plannedDueOn(e.review_due_on, asOf) : null,
      }))
      .filter((e) => e.visit_due_on || e.review_due_on);
    expect(
      plannable
        .filter((p) => p.loan_id.startsWith('oracle-'))
        .map((p) => ({ loan_id: p.loan_id, visit_due_on: p.visit_due_on, review_due_on: p.review_due_on })),
    ).toEqual(inWindow);
    await svc.db.deleteFrom('loan_replica').where('customer_id', '=', 'oracle-customer').execute();
  });

  it('refuses visit outcomes on other tasks, in the future, before the disbursement, or outside the branch; writes nothing', async () => {
    const c = await g.customer('m-errors');
    await disbursed(c, 'L-err', '2026-03-01');
    const [visitTask] = await tasksOfLoan('L-err');
    const other = await g.openTask({
      id: 'm-err-task',
      customerId: c,
      type: 'FOLLOW_UP',
      title: 'Call',
      assigneeId: 'rm-1',
      priority: 'NORMAL',
      dueAt: new Date('2026-12-31'),
    });
    const run = async (input: Record<string, unknown>, as: Identity = officer) =>
      svc.graphql<VisitResult>(VISIT, { input: { customerMet: true, ...input } }, as);
    expect((await run({ taskId: other })).data?.recordVisitOutcome.userErrors).toEqual([{ field: 'taskId', code: 'NOT_A_VISIT_TASK' }]);
    expect((await run({ taskId: visitTask?.id, visitedOn: addDays(new Date().toISOString().slice(0, 10), 3) })).data?.recordVisitOutcome.userErrors).toEqual([
      { field: 'visitedOn', code: 'DATE_IN_FUTURE' },
    ]);
    expect((await run({ taskId: visitTask?.id, visitedOn: '2026-02-01' })).data?.recordVisitOutcome.userErrors).toEqual([
      { field: 'visitedOn', code: 'BEFORE_DISBURSEMENT' },
    ]);
    expect((await run({ taskId: visitTask?.id, concerns: ['OTHER'] })).data?.recordVisitOutcome.userErrors).toEqual([{ field: 'note', code: 'REQUIRED' }]);
    // completing the visit without its outcome is refused too
    const plain = await svc.graphql<{ completeTask: { task: unknown; userErrors: Errors } }>(
      `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { task { id } userErrors { field code } } }`,
      { input: { taskId: visitTask?.id } },
      officer,
    );
    expect(plain.data?.completeTask).toEqual({ task: null, userErrors: [{ field: 'taskId', code: 'VISIT_OUTCOME_REQUIRED' }] });
    const forbidden = await run({ taskId: visitTask?.id }, otherManager);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await tasksOfLoan('L-err')).map((t) => t.status)).toEqual(['OPEN']);
    expect(await svc.db.selectFrom('visit_outcome').select('task_id').where('loan_id', '=', 'L-err').execute()).toEqual([]);
    expect(await g.outboxTypes(c)).not.toContain('VisitOutcomeRecorded');
    // an analyst may read tasks but not record visits
    const analyst = await run({ taskId: visitTask?.id }, staff.analyst);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('replaces the cadence as a whole (every class from 0), and names branch managers for their own branch only', async () => {
    const SET = `mutation($input: SetMonitoringCadenceInput!) { setMonitoringCadence(input: $input) { bands { riskClass minPrincipal visitEveryDays reviewEveryDays } userErrors { field code } } }`;
    type R = { setMonitoringCadence: { bands: { riskClass: string; minPrincipal: string; visitEveryDays: number }[] | null; userErrors: Errors } };
    const before = await findCadence(svc.db);
    const missing = await svc.graphql<R>(
      SET,
      { input: { bands: [{ riskClass: 'NORMAL', minPrincipal: '0', visitEveryDays: 120, reviewEveryDays: 365 }] } },
      manager,
    );
    expect(missing.data?.setMonitoringCadence).toEqual({ bands: null, userErrors: [{ field: 'bands', code: 'MISSING_ZERO_BAND' }] });
    expect(await findCadence(svc.db)).toEqual(before);
    const bands = RISK_CLASSES.map((riskClass) => ({ riskClass, minPrincipal: '0', visitEveryDays: riskClass === 'NORMAL' ? 120 : 30, reviewEveryDays: 90 }));
    const ok = await svc.graphql<R>(SET, { input: { bands } }, staff.admin);
    expect(ok.data?.setMonitoringCadence.userErrors).toEqual([]);
    expect(ok.data?.setMonitoringCadence.bands?.find((b) => b.riskClass === 'NORMAL')).toEqual({
      riskClass: 'NORMAL',
      minPrincipal: '0.00',
      visitEveryDays: 120,
      reviewEveryDays: 90,
    });
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['outcome', 'actor_id'])
      .where('action', '=', 'setMonitoringCadence')
      .orderBy('occurred_at')
      .execute();
    expect(audit).toEqual([
      { outcome: 'REJECTED', actor_id: 'bm-001' },
      { outcome: 'SUCCEEDED', actor_id: 'admin-1' },
    ]);
    // the whole table is published once (the refused attempt published nothing): credit's review due dates follow it
    const published = await svc.db.selectFrom('event_outbox').select(['type', 'event']).where('key', '=', 'monitoring-cadence').execute();
    expect(published.map((p) => p.type)).toEqual(['crm.engagement.MonitoringCadenceChanged.v1']);
    const payload = (typeof published[0]?.event === 'string' ? JSON.parse(published[0].event) : published[0]?.event) as {
      data: { bands: unknown[]; changedBy: string };
    };
    expect(payload.data.changedBy).toBe('admin-1');
    const byClass = (a: { riskClass: string }, b: { riskClass: string }) => a.riskClass.localeCompare(b.riskClass);
    expect([...(payload.data.bands as { riskClass: string }[])].sort(byClass)).toEqual(bands.map((b) => ({ ...b, minPrincipal: '0.00' })).sort(byClass));
    const read = await svc.graphql<{ monitoringCadence: { riskClass: string }[] }>(`{ monitoringCadence { riskClass } }`, {}, officer);
    expect(read.data?.monitoringCadence).toHaveLength(5);

    const elsewhere = await svc.graphql<{ setBranchManager: { userErrors: Errors } }>(
      `mutation { setBranchManager(input: { branchId: "BR-001", managerId: "bm-009" }) { userErrors { field code } } }`,
      {},
      otherManager,
    );
    expect(elsewhere.data?.setBranchManager.userErrors).toEqual([{ field: 'branchId', code: 'OUT_OF_SCOPE' }]);
    for (const [branchId, managerId] of [
      ['BR-P3', 'bm-p3'],
      ['BR-P1', 'bm-p1'],
      ['BR-P2', 'bm-p2'],
      ['BR-001', 'bm-001'],
    ]) {
      const named = await svc.graphql<{ setBranchManager: { userErrors: Errors } }>(
        `mutation($b: ID!, $m: ID!) { setBranchManager(input: { branchId: $b, managerId: $m }) { userErrors { field code } } }`,
        { b: branchId, m: managerId },
        staff.admin,
      );
      expect(named.data?.setBranchManager.userErrors).toEqual([]);
    }
    // a connection by branch id: paged one by one, every branch once, totalCount on demand
    type Page = {
      totalCount: number;
      edges: { node: { branchId: string; managerId: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    const PAGE = `query($after: String) { branchManagers(first: 1, after: $after) { totalCount edges { node { branchId managerId } } pageInfo { hasNextPage endCursor } } }`;
    const listed: { branchId: string; managerId: string }[] = [];
    let after: string | null = null;
    let total = -1;
    for (let pages = 0; pages < 20; pages++) {
      const res: { data?: { branchManagers: Page } | null } = await svc.graphql(PAGE, { after }, officer);
      const page = res.data?.branchManagers;
      if (!page) throw new Error('no page');
      total = page.totalCount;
      expect(page.edges.length).toBeLessThanOrEqual(1);
      listed.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(listed).toEqual([
      { branchId: 'BR-001', managerId: 'bm-001' },
      { branchId: 'BR-P1', managerId: 'bm-p1' },
      { branchId: 'BR-P2', managerId: 'bm-p2' },
      { branchId: 'BR-P3', managerId: 'bm-p3' },
    ]);
    expect(total).toBe(4);
  });
});
