import { isoDate } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

type Errors = { field: string; code: string }[];
type ComplaintView = {
  id: string;
  status: string;
  acknowledgeDueAt: string;
  resolveDueAt: string;
  compensation: string | null;
  currency: string | null;
  escalated: boolean;
  reopenedCount: number;
  history: { edges: { node: { fromStatus: string | null; toStatus: string } }[] };
};
const FIELDS =
  'id status acknowledgeDueAt resolveDueAt compensation currency escalated reopenedCount history(first: 50) { edges { node { fromStatus toStatus } } }';

describe('complaints: workflow, SLA escalation, resolution and the survey after it', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const RECEIVE = `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { complaint { ${FIELDS} } userErrors { field code } } }`;
  const CHANGE = `mutation($input: ChangeComplaintStatusInput!) { changeComplaintStatus(input: $input) { complaint { ${FIELDS} } userErrors { field code } } }`;
  const RESOLVE = `mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { complaint { ${FIELDS} } userErrors { field code } } }`;
  type R = Record<string, { complaint: ComplaintView | null; userErrors: Errors }>;
  const receive = (input: Record<string, unknown>) => svc.graphql<R>(RECEIVE, { input }, staff.officer).then((r) => r.data?.receiveComplaint);
  const change = (complaintId: string, status: string) =>
    svc.graphql<R>(CHANGE, { input: { complaintId, status } }, staff.officer).then((r) => r.data?.changeComplaintStatus);
  const resolve = (input: Record<string, unknown>) => svc.graphql<R>(RESOLVE, { input }, staff.officer).then((r) => r.data?.resolveComplaint);
  const complaint = (customerId: string, extra: Record<string, unknown> = {}) => ({
    customerId,
    kind: 'COMPLAINT',
    category: 'COLLECTION_CONDUCT',
    severity: 'HIGH',
    channel: 'BRANCH',
    description: 'The collector called my employer',
    ...extra,
  });

  it('starts the SLA clock from the severity table and refuses unknown customers, writing nothing', async () => {
    const c = await g.customer('cx-1');
    const received = await receive(complaint(c, { receivedAt: '2026-11-20T08:00:00.000Z' }));
    // HIGH: acknowledge within 4 hours, resolve within 5 days
    expect(received?.complaint).toMatchObject({ status: 'RECEIVED', acknowledgeDueAt: '2026-11-20T12:00:00.000Z', resolveDueAt: '2026-11-25T08:00:00.000Z' });
    expect(await g.outboxTypes(c)).toContain('ComplaintReceived');
    const before = await svc.db.selectFrom('complaint').select('id').execute();
    const unknown = await receive(complaint('nobody'));
    expect(unknown?.userErrors).toEqual([{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND' }]);
    const blank = await receive(complaint(c, { description: '  ' }));
    expect(blank?.userErrors).toEqual([{ field: 'description', code: 'TOO_SMALL' }]);
    expect(await svc.db.selectFrom('complaint').select('id').execute()).toHaveLength(before.length);
  });

  it('refuses illegal transitions and walks the workflow to resolution with compensation and a survey', async () => {
    const c = await g.customer('cx-2');
    const id = (await receive(complaint(c)))?.complaint?.id ?? '';
    expect((await change(id, 'IN_PROGRESS'))?.userErrors).toEqual([{ field: 'status', code: 'INVALID_COMPLAINT_TRANSITION' }]);
    expect((await change(id, 'CLOSED'))?.userErrors).toEqual([{ field: 'status', code: 'INVALID_COMPLAINT_TRANSITION' }]);
    expect((await resolve({ complaintId: id, resolution: 'Apologised' }))?.userErrors).toEqual([
      { field: 'complaintId', code: 'INVALID_COMPLAINT_TRANSITION' },
    ]);
    expect((await change(id, 'ACKNOWLEDGED'))?.complaint?.status).toBe('ACKNOWLEDGED');
    expect((await change(id, 'IN_PROGRESS'))?.complaint?.status).toBe('IN_PROGRESS');
    const negative = await resolve({ complaintId: id, resolution: 'Refund', compensation: '-1.00', currency: 'USD' });
    expect(negative?.userErrors).toEqual([{ field: 'compensation', code: 'NEGATIVE_AMOUNT' }]);
    const noCurrency = await resolve({ complaintId: id, resolution: 'Refund', compensation: '10.00' });
    expect(noCurrency?.userErrors).toEqual([{ field: 'currency', code: 'REQUIRED' }]);
    expect(await svc.db.selectFrom('survey_dispatch').select('id').where('customer_id', '=', c).execute()).toEqual([]);
    // 12.345 USD to cents with ROUND_HALF_EVEN: the 5 rounds to the even 4 -> 12.34
    const resolved = await resolve({ complaintId: id, resolution: 'Collector retrained; fee refunded', compensation: '12.345', currency: 'USD' });
    expect(resolved?.complaint).toMatchObject({ status: 'RESOLVED', compensation: '12.34', currency: 'USD' });
    const dispatches = await svc.db.selectFrom('survey_dispatch').select(['trigger', 'branch_id', 'officer_id']).where('customer_id', '=', c).execute();
    expect(dispatches).toEqual([{ trigger: 'AFTER_COMPLAINT_RESOLUTION', branch_id: 'BR-001', officer_id: 'rm-1' }]);
    const reopened = await change(id, 'REOPENED');
    expect(reopened?.complaint?.reopenedCount).toBe(1);
    expect((await change(id, 'CLOSED'))?.userErrors).toEqual([{ field: 'status', code: 'INVALID_COMPLAINT_TRANSITION' }]);
    await resolve({ complaintId: id, resolution: 'Second fix' });
    const closed = await change(id, 'CLOSED');
    expect(closed?.complaint?.history.edges.map(({ node: h }) => h.toStatus)).toEqual([
      'RECEIVED',
      'ACKNOWLEDGED',
      'IN_PROGRESS',
      'RESOLVED',
      'REOPENED',
      'RESOLVED',
      'CLOSED',
    ]);
    expect(await svc.db.selectFrom('survey_dispatch').select('id').where('customer_id', '=', c).execute()).toHaveLength(2);
    const [welcome] = await g.tasksOf(c);
    const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Complaint { id status customer { id } } ... on Task { id type customer { id } } } }`;
    const entities = await svc.graphql<{ _entities: unknown[] }>(
      ENTITIES,
      {
        reps: [
          { __typename: 'Complaint', id },
          { __typename: 'Task', id: welcome?.id },
          { __typename: 'Complaint', id: 'missing' },
        ],
      },
      staff.officer,
    );
    expect(entities.data?._entities).toEqual([{ id, status: 'CLOSED', customer: { id: c } }, { id: welcome?.id, type: 'WELCOME', customer: { id: c } }, null]);
    expect((await g.outboxTypes(c)).filter((t) => t === 'ComplaintResolved')).toHaveLength(2);
  });

  it('escalates SLA breaches set-wise once per breach, through the complaint-sla job', async () => {
    await svc.jobs.run('complaint-sla', isoDate(new Date())); // escalates what earlier tests left behind
    const c = await g.customer('cx-3');
    const now = Date.now();
    const late = (await receive(complaint(c, { severity: 'CRITICAL', receivedAt: new Date(now - 3 * 86_400_000).toISOString() })))?.complaint?.id ?? '';
    const fresh = (await receive(complaint(c, { severity: 'LOW', receivedAt: new Date(now - 3_600_000).toISOString() })))?.complaint?.id ?? '';
    const RUN = `mutation($input: RunEngagementJobInput!) { runEngagementJob(input: $input) { run { job asOf affected actorId } counts { name value } userErrors { field code } } }`;
    type Run = {
      runEngagementJob: {
        run: { job: string; asOf: string; affected: number; actorId: string } | null;
        counts: { name: string; value: number }[];
        userErrors: Errors;
      };
    };
    const forbidden = await svc.graphql<Run>(RUN, { input: { job: 'COMPLAINT_SLA', asOf: isoDate(new Date()) } }, staff.officer);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const first = await svc.graphql<Run>(RUN, { input: { job: 'COMPLAINT_SLA', asOf: isoDate(new Date()) } }, staff.admin);
    expect(first.data?.runEngagementJob.counts).toEqual([
      { name: 'acknowledgeBreaches', value: 1 },
      { name: 'resolveBreaches', value: 1 },
    ]);
    expect(first.data?.runEngagementJob.run).toEqual({ job: 'COMPLAINT_SLA', asOf: isoDate(new Date()), affected: 2, actorId: staff.admin.userId });
    const again = await svc.jobs.run('complaint-sla', isoDate(new Date()));
    expect(again).toEqual({ acknowledgeBreaches: 0, resolveBreaches: 0 });
    const tomorrow = isoDate(new Date(Date.now() + 86_400_000));
    const future = await svc.graphql<Run>(RUN, { input: { job: 'COMPLAINT_SLA', asOf: tomorrow } }, staff.admin);
    expect(future.data?.runEngagementJob).toEqual({ run: null, counts: [], userErrors: [{ field: 'asOf', code: 'DATE_IN_FUTURE' }] });
    const RUNS = `{ engagementJobRuns(job: COMPLAINT_SLA, first: 2) { edges { node { job affected actorId } } } }`;
    const runs = await svc.graphql<{ engagementJobRuns: { edges: { node: { job: string; affected: number; actorId: string } }[] } }>(
      RUNS,
      {},
      {
        userId: 'bm-runs',
        roles: ['branch_manager'],
        branchId: 'BR-001',
      },
    );
    expect(runs.data?.engagementJobRuns.edges.map((e) => e.node)).toEqual([
      { job: 'COMPLAINT_SLA', affected: 0, actorId: 'system:scheduler' },
      { job: 'COMPLAINT_SLA', affected: 2, actorId: staff.admin.userId },
    ]);
    const Q = `query($filter: ComplaintFilter) { complaints(filter: $filter) { edges { node { id escalated } } } }`;
    const escalated = await svc.graphql<{ complaints: { edges: { node: { id: string } }[] } }>(
      Q,
      { filter: { customerId: c, escalated: true } },
      staff.officer,
    );
    expect(escalated.data?.complaints.edges.map((e) => e.node.id)).toEqual([late]);
    expect(fresh).not.toBe('');
    const events = await svc.db
      .selectFrom('event_outbox')
      .select('event')
      .where('type', '=', 'crm.engagement.ComplaintEscalated.v1')
      .where('key', '=', c)
      .execute();
    expect(events.map((e) => (e.event as { data: { breach: string } }).data.breach).sort()).toEqual(['ACKNOWLEDGE', 'RESOLVE']);
    const escalationTasks = (await g.tasksOf(c)).filter((t) => t.type === 'SERVICE_RECOVERY');
    expect(escalationTasks.map((t) => [t.dedupe_key, t.priority, t.assignee_id]).sort()).toEqual([
      [`COMPLAINT_ESCALATION:${late}:ACKNOWLEDGE`, 'URGENT', 'rm-1'],
      [`COMPLAINT_ESCALATION:${late}:RESOLVE`, 'URGENT', 'rm-1'],
    ]);
  });
});
