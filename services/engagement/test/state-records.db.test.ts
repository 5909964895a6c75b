import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * The task and complaint state topics: every mutation, handler and job that changes a task or a
 * complaint writes, in its transaction, a TaskState / ComplaintState record equal to the record as
 * read afterwards, with sequences 1, 2, 3... per aggregate. Fails when a change produces no state
 * record or a stale one.
 */
const TASK_STATE = 'crm.engagement.TaskState.v1';
const COMPLAINT_STATE = 'crm.engagement.ComplaintState.v1';
const TASK = `query($id: ID!) { task(id: $id) { status priority assigneeId startedAt completedAt cancelledAt } }`;
const COMPLAINT = `query($id: ID!) { complaint(id: $id) { status assigneeId acknowledgedAt resolvedAt closedAt reopenedCount compensation currency } }`;
const CREATE_TASK = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } userErrors { field code } } }`;
const START = `mutation($input: StartTaskInput!) { startTask(input: $input) { userErrors { field code } } }`;
const COMPLETE = `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { userErrors { field code } } }`;
const CANCEL = `mutation($input: CancelTaskInput!) { cancelTask(input: $input) { userErrors { field code } } }`;
const RECEIVE = `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { complaint { id } userErrors { field code } } }`;
const CHANGE = `mutation($input: ChangeComplaintStatusInput!) { changeComplaintStatus(input: $input) { userErrors { field code } } }`;
const RESOLVE = `mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { userErrors { field code } } }`;
const RUN_JOB = `mutation($input: RunEngagementJobInput!) { runEngagementJob(input: $input) { userErrors { field code } } }`;

type State = Record<string, unknown> & { sequence?: string | number };

describe('task and complaint state records (DB-backed)', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_state' });
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  /** The state records of one aggregate written since outbox row `after`, oldest first. */
  const records = async (type: string, idField: string, id: string, after: string) =>
    (
      await sql<{ event: { sequence: string | number; data: Record<string, unknown> } }>`
        select event from event_outbox where type = ${type} and seq > ${after} and event->'data'->>${idField} = ${id} order by seq`.execute(svc.db)
    ).rows.map((r) => r.event);
  const lastSeq = async () => String((await sql<{ s: string | null }>`select max(seq) as s from event_outbox`.execute(svc.db)).rows[0]?.s ?? '0');
  const ok = (res: { errors?: unknown; data?: Record<string, { userErrors: unknown[] } | null> | null }) => {
    expect(res.errors).toBeUndefined();
    for (const payload of Object.values(res.data ?? {})) expect(payload?.userErrors).toEqual([]);
  };
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)).toISOString());

  /** Runs a change; expects at least one new TaskState of the task, the last equal to the task now. */
  async function expectTaskStateAfter(taskId: () => string, change: () => Promise<unknown>) {
    const before = await lastSeq();
    await change();
    const written = await records(TASK_STATE, 'taskId', taskId(), before);
    expect(written.length, 'the change wrote a TaskState').toBeGreaterThan(0);
    const latest = written.at(-1)?.data ?? {};
    const now = (await svc.graphql<{ task: Record<string, unknown> }>(TASK, { id: taskId() }, staff.admin)).data?.task ?? {};
    expect({
      status: latest.status,
      priority: latest.priority,
      assigneeId: latest.assigneeId,
      startedAt: iso(latest.startedAt),
      completedAt: iso(latest.completedAt),
      cancelledAt: iso(latest.cancelledAt),
    }).toEqual({
      status: now.status,
      priority: now.priority,
      assigneeId: now.assigneeId,
      startedAt: iso(now.startedAt),
      completedAt: iso(now.completedAt),
      cancelledAt: iso(now.cancelledAt),
    });
  }

  /** Runs a change; expects at least one new ComplaintState of the complaint, the last equal to the complaint now. */
  async function expectComplaintStateAfter(complaintId: () => string, change: () => Promise<unknown>) {
    const before = await lastSeq();
    await change();
    const written = await records(COMPLAINT_STATE, 'complaintId', complaintId(), before);
    expect(written.length, 'the change wrote a ComplaintState').toBeGreaterThan(0);
    const latest = written.at(-1)?.data ?? {};
    const now = (await svc.graphql<{ complaint: Record<string, unknown> }>(COMPLAINT, { id: complaintId() }, staff.admin)).data?.complaint ?? {};
    expect({
      status: latest.status,
      assigneeId: latest.assigneeId,
      acknowledgedAt: iso(latest.acknowledgedAt),
      resolvedAt: iso(latest.resolvedAt),
      closedAt: iso(latest.closedAt),
      reopenedCount: latest.reopenedCount,
      compensation: latest.compensation ?? null,
      currency: latest.currency ?? null,
    }).toEqual({
      status: now.status,
      assigneeId: now.assigneeId,
      acknowledgedAt: iso(now.acknowledgedAt),
      resolvedAt: iso(now.resolvedAt),
      closedAt: iso(now.closedAt),
      reopenedCount: now.reopenedCount,
      compensation: now.compensation ?? null,
      currency: now.currency ?? null,
    });
  }

  const sequencesOf = async (type: string, idField: string, id: string) => (await records(type, idField, id, '0')).map((e: State) => Number(e.sequence));

  it('for every change of a task: planned by an event, created, started, completed, cancelled, reassigned', async () => {
    const g = given(svc);
    // the welcome call planned on registration
    const welcome = { id: '' };
    const before = await lastSeq();
    await g.customer('st-task-1');
    welcome.id = (await g.tasksOf('st-task-1'))[0]?.id ?? '';
    expect((await records(TASK_STATE, 'taskId', welcome.id, before)).at(-1)?.data.status).toBe('OPEN');
    // the relationship manager changes: the open welcome call follows (TaskReassigned)
    await expectTaskStateAfter(
      () => welcome.id,
      () =>
        g.deliver('RelationshipManagerAssigned', 'st-task-1', {
          customerId: 'st-task-1',
          previousRelationshipManagerId: 'rm-1',
          relationshipManagerId: 'rm-2',
          branchId: 'BR-001',
          assignedAt: new Date().toISOString(),
        }),
    );

    const task = { id: '' };
    await expectTaskStateAfter(
      () => task.id,
      async () => {
        const res = await svc.graphql<{ createTask: { task: { id: string }; userErrors: unknown[] } }>(
          CREATE_TASK,
          { input: { customerId: 'st-task-1', type: 'FOLLOW_UP', title: 'Call back', dueAt: '2027-01-15T09:00:00.000Z', assigneeId: 'officer-1' } },
          staff.officer,
        );
        ok(res);
        task.id = res.data?.createTask.task.id ?? '';
      },
    );
    await expectTaskStateAfter(
      () => task.id,
      async () => ok(await svc.graphql(START, { input: { taskId: task.id } }, staff.officer)),
    );
    await expectTaskStateAfter(
      () => task.id,
      async () => ok(await svc.graphql(COMPLETE, { input: { taskId: task.id } }, staff.officer)),
    );
    expect(await sequencesOf(TASK_STATE, 'taskId', task.id)).toEqual([1, 2, 3]);

    const other = { id: '' };
    await expectTaskStateAfter(
      () => other.id,
      async () => {
        const res = await svc.graphql<{ createTask: { task: { id: string } } }>(
          CREATE_TASK,
          { input: { customerId: 'st-task-1', type: 'CARE', title: 'Card', dueAt: '2027-01-20T09:00:00.000Z' } },
          staff.officer,
        );
        ok(res as never);
        other.id = res.data?.createTask.task.id ?? '';
      },
    );
    await expectTaskStateAfter(
      () => other.id,
      async () => ok(await svc.graphql(CANCEL, { input: { taskId: other.id, reason: 'Not needed' } }, staff.officer)),
    );
    expect(await sequencesOf(TASK_STATE, 'taskId', other.id)).toEqual([1, 2]);
  }, 120_000);

  it('for every change of a complaint: received, acknowledged, in progress, resolved, reopened, closed, escalated', async () => {
    const g = given(svc);
    await g.customer('st-complaint-1');
    const complaint = { id: '' };
    await expectComplaintStateAfter(
      () => complaint.id,
      async () => {
        const res = await svc.graphql<{ receiveComplaint: { complaint: { id: string } } }>(
          RECEIVE,
          {
            input: { customerId: 'st-complaint-1', kind: 'COMPLAINT', category: 'FEES', severity: 'HIGH', channel: 'PHONE', description: 'Fee charged twice' },
          },
          staff.officer,
        );
        ok(res as never);
        complaint.id = res.data?.receiveComplaint.complaint.id ?? '';
      },
    );
    const change = (status: string) => async () => ok(await svc.graphql(CHANGE, { input: { complaintId: complaint.id, status } }, staff.officer));
    const resolve = async () =>
      ok(await svc.graphql(RESOLVE, { input: { complaintId: complaint.id, resolution: 'Refunded', compensation: '12.505', currency: 'USD' } }, staff.officer));
    await expectComplaintStateAfter(() => complaint.id, change('ACKNOWLEDGED'));
    await expectComplaintStateAfter(() => complaint.id, change('IN_PROGRESS'));
    await expectComplaintStateAfter(() => complaint.id, resolve);
    await expectComplaintStateAfter(() => complaint.id, change('REOPENED'));
    await expectComplaintStateAfter(() => complaint.id, resolve);
    await expectComplaintStateAfter(() => complaint.id, change('CLOSED'));
    expect(await sequencesOf(COMPLAINT_STATE, 'complaintId', complaint.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    // a complaint received three days ago and never acknowledged: the SLA run escalates it
    const late = { id: '' };
    await expectComplaintStateAfter(
      () => late.id,
      async () => {
        const res = await svc.graphql<{ receiveComplaint: { complaint: { id: string } } }>(
          RECEIVE,
          {
            input: {
              customerId: 'st-complaint-1',
              kind: 'COMPLAINT',
              category: 'PROCESS',
              severity: 'CRITICAL',
              channel: 'BRANCH',
              description: 'Nobody called back',
              receivedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
            },
          },
          staff.officer,
        );
        ok(res as never);
        late.id = res.data?.receiveComplaint.complaint.id ?? '';
      },
    );
    await expectComplaintStateAfter(
      () => late.id,
      async () => ok(await svc.graphql(RUN_JOB, { input: { job: 'COMPLAINT_SLA', asOf: new Date().toISOString().slice(0, 10) } }, staff.admin)),
    );
    // both deadlines (2 hours, 2 days) are missed: one escalation, and one state record, per breach
    expect(await sequencesOf(COMPLAINT_STATE, 'complaintId', late.id)).toEqual([1, 2, 3]);
  }, 120_000);
});
