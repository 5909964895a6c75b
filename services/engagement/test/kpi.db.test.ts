import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * engagementKpi on a small book whose every figure is worked out by hand below (formulas in
 * src/domain/kpis.ts). Period: 2026-01-01 to 2026-02-28 (UTC), months 2026-01 and 2026-02.
 */
const KPI = /* GraphQL */ `
  query($metric: EngagementKpiMetric!, $groupBy: [KpiDimension!], $from: Date!, $to: Date!) {
    engagementKpi(metric: $metric, groupBy: $groupBy, from: $from, to: $to) { metric group { dimension value } value numerator denominator }
  }
`;
type Row = { metric: string; group: { dimension: string; value: string | null }[]; value: string | null; numerator: string | null; denominator: string | null };
const t = (iso: string) => new Date(iso);

describe('engagementKpi on a known data set', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_kpi' });
    const g = given(svc);
    const register = (id: string, branchId: string, rm: string, status: 'ACTIVE' | 'PROSPECT' | 'DORMANT', registeredAt: string) =>
      g.customer(id, { branchId, relationshipManagerId: rm, status, registeredAt });
    const move = (id: string, previousStatus: 'ACTIVE' | 'DORMANT' | 'CHURNED' | 'PROSPECT', status: 'ACTIVE' | 'DORMANT' | 'CHURNED', changedAt: string) =>
      g.deliver('CustomerStatusChanged', id, { customerId: id, previousStatus, status, reason: null, changedAt });
    // Status lifecycles (churn, retention)
    await register('k1', 'BR-K1', 'rm-a', 'ACTIVE', '2025-12-01T09:00:00.000Z');
    await move('k1', 'ACTIVE', 'CHURNED', '2026-01-15T09:00:00.000Z');
    await register('k2', 'BR-K1', 'rm-a', 'ACTIVE', '2025-12-01T09:00:00.000Z');
    await move('k2', 'ACTIVE', 'DORMANT', '2026-02-10T09:00:00.000Z');
    await register('k3', 'BR-K2', 'rm-b', 'ACTIVE', '2025-12-01T09:00:00.000Z');
    await move('k3', 'ACTIVE', 'CHURNED', '2026-02-20T09:00:00.000Z');
    await register('k4', 'BR-K2', 'rm-b', 'ACTIVE', '2026-01-20T09:00:00.000Z');
    await register('k5', 'BR-K1', 'rm-a', 'PROSPECT', '2025-12-01T09:00:00.000Z');
    await register('k6', 'BR-K2', 'rm-b', 'ACTIVE', '2025-11-01T09:00:00.000Z');
    await move('k6', 'ACTIVE', 'CHURNED', '2025-12-20T09:00:00.000Z');
    await register('k7', 'BR-K1', 'rm-a', 'ACTIVE', '2025-12-01T09:00:00.000Z');
    await move('k7', 'ACTIVE', 'CHURNED', '2026-01-10T09:00:00.000Z');
    await move('k7', 'CHURNED', 'ACTIVE', '2026-01-25T09:00:00.000Z');
    // the welcome tasks of the registrations are not part of the task book below
    await svc.db.deleteFrom('task').execute();

    // Complaints (SLA, resolution time)
    const complaint = (
      id: string,
      customer: string,
      kind: 'COMPLAINT' | 'SUGGESTION',
      status: 'RESOLVED' | 'CLOSED' | 'IN_PROGRESS',
      receivedAt: string,
      resolveDueAt: string,
      resolvedAt: string | null,
      assignee: string,
    ) => ({
      id,
      customer_id: customer,
      kind,
      category: 'FEES' as const,
      severity: 'MEDIUM' as const,
      channel: 'BRANCH' as const,
      description: 'fixture',
      status,
      received_at: t(receivedAt),
      received_by: 'agent',
      assignee_id: assignee,
      acknowledge_due_at: t(receivedAt),
      resolve_due_at: t(resolveDueAt),
      acknowledged_at: null,
      resolved_at: resolvedAt ? t(resolvedAt) : null,
      closed_at: null,
      resolution: null,
      compensation: null,
      currency: null,
      acknowledge_escalated_at: null,
      resolve_escalated_at: null,
      idempotency_key: null,
      updated_at: t(receivedAt),
    });
    await svc.db
      .insertInto('complaint')
      .values([
        complaint('c1', 'k1', 'COMPLAINT', 'RESOLVED', '2026-01-05T00:00:00Z', '2026-01-10T00:00:00Z', '2026-01-07T12:30:00Z', 'ag-1'), // 60.5 h, met
        complaint('c2', 'k1', 'COMPLAINT', 'CLOSED', '2026-01-20T00:00:00Z', '2026-01-25T00:00:00Z', '2026-02-01T00:00:00Z', 'ag-1'), // 288 h, missed
        complaint('c3', 'k3', 'COMPLAINT', 'IN_PROGRESS', '2026-02-03T00:00:00Z', '2026-02-08T00:00:00Z', null, 'ag-2'), // deadline passed: missed
        complaint('c4', 'k3', 'COMPLAINT', 'IN_PROGRESS', '2026-02-10T00:00:00Z', '2099-01-01T00:00:00Z', null, 'ag-2'), // outcome unknown: left out
        complaint('c5', 'k3', 'SUGGESTION', 'RESOLVED', '2026-01-10T00:00:00Z', '2026-01-12T00:00:00Z', '2026-01-11T00:00:00Z', 'ag-2'), // no SLA
        complaint('c6', 'k3', 'COMPLAINT', 'RESOLVED', '2025-12-30T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-02T00:00:00Z', 'ag-2'), // 72 h; received before
      ])
      .execute();

    // Tasks (completion, overdue)
    const task = (
      id: string,
      customer: string,
      assignee: string,
      status: 'OPEN' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED',
      dueAt: string,
      completedAt: string | null,
    ) => ({
      id,
      customer_id: customer,
      type: 'FOLLOW_UP' as const,
      title: 'fixture',
      assignee_id: assignee,
      priority: 'NORMAL' as const,
      status,
      due_at: t(dueAt),
      source_event_id: null,
      completed_interaction_id: null,
      completed_at: completedAt ? t(completedAt) : null,
    });
    await svc.db
      .insertInto('task')
      .values([
        task('t1', 'k1', 'rm-a', 'DONE', '2026-01-10T00:00:00Z', '2026-01-09T00:00:00Z'), // on time
        task('t2', 'k1', 'rm-a', 'DONE', '2026-01-15T00:00:00Z', '2026-01-20T00:00:00Z'), // late
        task('t3', 'k1', 'rm-a', 'OPEN', '2026-02-20T00:00:00Z', null), // still open, overdue
        task('t4', 'k3', 'rm-b', 'CANCELLED', '2026-02-05T00:00:00Z', null), // left out
        task('t5', 'k3', 'rm-b', 'IN_PROGRESS', '2026-02-10T00:00:00Z', null), // overdue
        task('t6', 'k3', 'rm-b', 'DONE', '2026-02-12T00:00:00Z', '2026-02-12T00:00:00Z'), // done at the due time: on time
        task('t7', 'k3', 'rm-b', 'OPEN', '2026-03-05T00:00:00Z', null), // due after the period
      ])
      .execute();

    // Survey responses (NPS, CSAT); branch and officer as at dispatch
    await svc.db
      .insertInto('survey')
      .values({ id: 's1', name: 'Fixture', trigger: null, questions: '[]', created_by: 'x', created_at: t('2025-12-01T00:00:00Z') })
      .execute();
    const responses: [string, string, string, string, string, number | null, number | null][] = [
      ['r1', 'k1', 'BR-K1', 'rm-a', '2026-01-05T10:00:00Z', 10, 5],
      ['r2', 'k1', 'BR-K1', 'rm-a', '2026-01-20T10:00:00Z', 9, 4],
      ['r3', 'k2', 'BR-K1', 'rm-a', '2026-01-25T10:00:00Z', 6, null],
      ['r4', 'k3', 'BR-K2', 'rm-b', '2026-02-02T10:00:00Z', 9, 3],
      ['r5', 'k3', 'BR-K2', 'rm-b', '2026-02-15T10:00:00Z', 0, 1],
      ['r6', 'k4', 'BR-K2', 'rm-b', '2026-02-20T10:00:00Z', null, 2],
      ['r7', 'k4', 'BR-K2', 'rm-b', '2026-03-02T10:00:00Z', 10, 5], // after the period
    ];
    for (const [id, customer, branch, officer, at, npsScore, csatScore] of responses) {
      await svc.db
        .insertInto('survey_dispatch')
        .values({
          id: `d-${id}`,
          survey_id: 's1',
          customer_id: customer,
          trigger: null,
          source_key: `kpi:${id}`,
          branch_id: branch,
          officer_id: officer,
          dispatched_by: null,
          dispatched_at: t(at),
        })
        .execute();
      await svc.db
        .insertInto('survey_response')
        .values({
          id,
          dispatch_id: `d-${id}`,
          survey_id: 's1',
          customer_id: customer,
          nps_score: npsScore,
          csat_score: csatScore,
          answers: '[]',
          branch_id: branch,
          officer_id: officer,
          responded_at: t(at),
        })
        .execute();
    }
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function kpi(metric: string, groupBy: string[] = [], as: Identity = staff.analyst) {
    const res = await svc.graphql<{ engagementKpi: Row[] }>(KPI, { metric, groupBy, from: '2026-01-01', to: '2026-02-28' }, as);
    expect(res.errors).toBeUndefined();
    return (res.data?.engagementKpi ?? []).map((r) => [...r.group.map((g) => g.value), r.value, r.numerator, r.denominator]);
  }

  it('churn and retention: the base is ACTIVE or DORMANT at the start of each period', async () => {
    // base k1 k2 k3 k7 (k4 registered later, k5 a prospect, k6 churned before); churned k1 k3 k7; still churned at the end k1 k3
    expect(await kpi('CHURN_RATE')).toEqual([['0.75', '3', '4']]);
    expect(await kpi('RETENTION_RATE')).toEqual([['0.5', '2', '4']]);
    expect(await kpi('CHURN_RATE', ['BRANCH'])).toEqual([
      ['BR-K1', '0.6667', '2', '3'],
      ['BR-K2', '1', '1', '1'],
    ]);
    expect(await kpi('RETENTION_RATE', ['OFFICER'])).toEqual([
      ['rm-a', '0.6667', '2', '3'],
      ['rm-b', '0', '0', '1'],
    ]);
    // January: base k1 k2 k3 k7, churned k1 k7, k1 still churned on 1 Feb. February: base k2 k3 k4 k7, churned k3.
    expect(await kpi('CHURN_RATE', ['MONTH'])).toEqual([
      ['2026-01', '0.5', '2', '4'],
      ['2026-02', '0.25', '1', '4'],
    ]);
    expect(await kpi('RETENTION_RATE', ['MONTH'])).toEqual([
      ['2026-01', '0.75', '3', '4'],
      ['2026-02', '0.75', '3', '4'],
    ]);
  });

  it('complaint SLA compliance and mean resolution hours', async () => {
    // c1 met, c2 missed, c3 past its deadline unresolved; c4 undecided, c5 a suggestion, c6 received before the period
    expect(await kpi('COMPLAINT_SLA_COMPLIANCE')).toEqual([['0.3333', '1', '3']]);
    expect(await kpi('COMPLAINT_SLA_COMPLIANCE', ['OFFICER'])).toEqual([
      ['ag-1', '0.5', '1', '2'],
      ['ag-2', '0', '0', '1'],
    ]);
    expect(await kpi('COMPLAINT_SLA_COMPLIANCE', ['MONTH'])).toEqual([
      ['2026-01', '0.5', '1', '2'],
      ['2026-02', '0', '0', '1'],
    ]);
    // resolved in the period: c1 60.5 h (Jan), c6 72 h (Jan), c2 288 h (Feb) -> 420.5 / 3
    expect(await kpi('COMPLAINT_RESOLUTION_HOURS')).toEqual([['140.17', '420.5', '3']]);
    expect(await kpi('COMPLAINT_RESOLUTION_HOURS', ['MONTH'])).toEqual([
      ['2026-01', '66.25', '132.5', '2'],
      ['2026-02', '288', '288', '1'],
    ]);
    expect(await kpi('COMPLAINT_RESOLUTION_HOURS', ['BRANCH'])).toEqual([
      ['BR-K1', '174.25', '348.5', '2'],
      ['BR-K2', '72', '72', '1'],
    ]);
  });

  it('task completion and overdue rates', async () => {
    // due in the period, not cancelled: t1 t2 t3 t5 t6; done t1 t2 t6; late t2 (done late) t3 t5 (open past due)
    expect(await kpi('TASK_COMPLETION_RATE')).toEqual([['0.6', '3', '5']]);
    expect(await kpi('TASK_OVERDUE_RATE')).toEqual([['0.6', '3', '5']]);
    expect(await kpi('TASK_COMPLETION_RATE', ['MONTH'])).toEqual([
      ['2026-01', '1', '2', '2'],
      ['2026-02', '0.3333', '1', '3'],
    ]);
    expect(await kpi('TASK_OVERDUE_RATE', ['MONTH'])).toEqual([
      ['2026-01', '0.5', '1', '2'],
      ['2026-02', '0.6667', '2', '3'],
    ]);
    expect(await kpi('TASK_OVERDUE_RATE', ['OFFICER', 'MONTH'])).toEqual([
      ['rm-a', '2026-01', '0.5', '1', '2'],
      ['rm-a', '2026-02', '1', '1', '1'],
      ['rm-b', '2026-02', '0.5', '1', '2'],
    ]);
  });

  it('NPS and CSAT trends by month, branch and officer', async () => {
    // NPS answers r1..r5: promoters r1 r2 r4, detractors r3 r5 -> 100 x (3 - 2) / 5
    expect(await kpi('NPS')).toEqual([['20', '100', '5']]);
    expect(await kpi('NPS', ['MONTH'])).toEqual([
      ['2026-01', '33.33', '100', '3'],
      ['2026-02', '0', '0', '2'],
    ]);
    // CSAT r1 5, r2 4, r4 3, r5 1, r6 2
    expect(await kpi('CSAT')).toEqual([['3', '15', '5']]);
    expect(await kpi('CSAT', ['BRANCH', 'MONTH'])).toEqual([
      ['BR-K1', '2026-01', '4.5', '9', '2'],
      ['BR-K2', '2026-02', '2', '6', '3'],
    ]);
    expect(await kpi('NPS', ['OFFICER'])).toEqual([
      ['rm-a', '33.33', '100', '3'],
      ['rm-b', '0', '0', '2'],
    ]);
  });

  it("a branch manager gets their branch's customers only; unsupported groupings and periods are bad input", async () => {
    const manager: Identity = { userId: 'bm-k1', roles: ['branch_manager'], branchId: 'BR-K1' };
    expect(await kpi('NPS', [], manager)).toEqual([['33.33', '100', '3']]);
    expect(await kpi('CHURN_RATE', [], manager)).toEqual([['0.6667', '2', '3']]);
    const segment = await svc.graphql(KPI, { metric: 'CHURN_RATE', groupBy: ['SEGMENT'], from: '2026-01-01', to: '2026-02-28' }, staff.analyst);
    expect(segment.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'groupBy' });
    const backwards = await svc.graphql(KPI, { metric: 'NPS', from: '2026-03-01', to: '2026-02-28' }, staff.analyst);
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    const officer = await svc.graphql(KPI, { metric: 'NPS', from: '2026-01-01', to: '2026-02-28' }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
