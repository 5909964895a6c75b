import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

type Errors = { field: string; code: string }[];

describe('consent, relationship managers, tasks and the worklist', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { field code } } }`;
  const log = (input: Record<string, unknown>) =>
    svc.graphql<{ logInteraction: { interaction: { id: string } | null; userErrors: Errors } }>(LOG, { input }, staff.officer);

  it('refuses marketing and care contact without consent, and allows it once granted (older changes never win)', async () => {
    const c = await g.customer('c-consent');
    const count = async () => (await svc.db.selectFrom('interaction').select('id').where('customer_id', '=', c).execute()).length;
    for (const purpose of ['MARKETING', 'CARE']) {
      const res = await log({ customerId: c, channel: 'SMS', direction: 'OUTBOUND', purpose, summary: 'New savings offer' });
      expect(res.data?.logInteraction).toEqual({ interaction: null, userErrors: [{ field: 'purpose', code: 'CONSENT_REQUIRED' }] });
    }
    expect(await count()).toBe(0);
    await g.consent(c, true, '2026-11-10T10:00:00.000Z');
    await g.consent(c, false, '2026-11-09T10:00:00.000Z'); // arrives late, older: ignored
    const ok = await log({ customerId: c, channel: 'SMS', direction: 'OUTBOUND', purpose: 'MARKETING', summary: 'New savings offer' });
    expect(ok.data?.logInteraction.userErrors).toEqual([]);
    await g.consent(c, false, '2026-11-11T10:00:00.000Z');
    const refused = await log({ customerId: c, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'CARE', summary: 'Birthday call' });
    expect(refused.data?.logInteraction.userErrors).toEqual([{ field: 'purpose', code: 'CONSENT_REQUIRED' }]);
    const service = await log({ customerId: c, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'Statement question' });
    expect(service.data?.logInteraction.userErrors).toEqual([]);
    expect(await count()).toBe(2);
  });

  it('filters interactions per customer and per staff member, one page at a time', async () => {
    const c = await g.customer('c-filter');
    for (const [summary, occurredAt, as] of [
      ['visit 1', '2026-11-01T10:00:00Z', staff.officer],
      ['visit 2', '2026-11-02T10:00:00Z', staff.admin],
      ['visit 3', '2026-11-03T10:00:00Z', staff.officer],
    ] as const) {
      await svc.graphql(LOG, { input: { customerId: c, channel: 'VISIT', direction: 'OUTBOUND', purpose: 'POST_LOAN_FOLLOW_UP', summary, occurredAt } }, as);
    }
    const Q = `query($filter: InteractionFilter, $after: String) { interactions(filter: $filter, first: 1, after: $after) { edges { node { summary staffId } } pageInfo { hasNextPage endCursor } } }`;
    type R = { interactions: { edges: { node: { summary: string; staffId: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const filter = { customerId: c, staffId: staff.officer.userId };
    const p1 = await svc.graphql<R>(Q, { filter });
    expect(p1.data?.interactions.edges.map((e) => e.node)).toEqual([{ summary: 'visit 3', staffId: 'officer-1' }]);
    const p2 = await svc.graphql<R>(Q, { filter, after: p1.data?.interactions.pageInfo.endCursor });
    expect(p2.data?.interactions.edges.map((e) => e.node.summary)).toEqual(['visit 1']);
    expect(p2.data?.interactions.pageInfo.hasNextPage).toBe(false);
    const byAdmin = await svc.graphql<R>(Q, { filter: { staffId: staff.admin.userId, from: '2026-11-02T00:00:00Z', to: '2026-11-03T00:00:00Z' } });
    expect(byAdmin.data?.interactions.edges.map((e) => e.node.summary)).toEqual(['visit 2']);
  });

  it('creates exactly one collection reminder per loan and bucket, even for redeliveries and several overdue instalments', async () => {
    const c = await g.customer('c-collect');
    const first = await g.overdue(c, 'loan-1', 3, '2026-11-20', 1);
    await first.redeliver();
    await g.overdue(c, 'loan-1', 4, '2026-11-21', 1);
    await g.overdue(c, 'loan-1', 3, '2026-11-21', 2);
    await g.deliver('DelinquencyBucketChanged', c, {
      loanId: 'loan-1',
      customerId: c,
      previousBucket: 'CURRENT',
      bucket: 'DPD_1_30',
      daysPastDue: 4,
      asOf: '2026-11-21',
    });
    let collection = (await g.tasksOf(c)).filter((t) => t.type === 'COLLECTION_REMINDER');
    expect(collection.map((t) => ({ key: t.dedupe_key, priority: t.priority, assignee: t.assignee_id, source: t.source_event_id, due: t.due_at }))).toEqual([
      { key: 'COLLECTION:loan-1:DPD_1_30', priority: 'NORMAL', assignee: 'rm-1', source: first.event.id, due: new Date('2026-11-21T00:00:00.000Z') },
    ]);
    await g.deliver('DelinquencyBucketChanged', c, {
      loanId: 'loan-1',
      customerId: c,
      previousBucket: 'DPD_1_30',
      bucket: 'DPD_31_60',
      daysPastDue: 31,
      asOf: '2026-12-18',
    });
    collection = (await g.tasksOf(c)).filter((t) => t.type === 'COLLECTION_REMINDER');
    expect(collection.map((t) => [t.dedupe_key, t.priority])).toEqual([
      ['COLLECTION:loan-1:DPD_1_30', 'NORMAL'],
      ['COLLECTION:loan-1:DPD_31_60', 'HIGH'],
    ]);
    expect((await g.outboxTypes(c)).filter((t) => t === 'TaskCreated')).toHaveLength(3); // welcome + two reminders
  });

  it('plans the post-loan visit within the configured days, risk-warning and retention tasks, each once', async () => {
    const c = await g.customer('c-events');
    const SET = `mutation($input: UpdateEngagementSettingsInput!) { updateEngagementSettings(input: $input) { settings { postLoanVisitDays } userErrors { field code } } }`;
    const bad = await svc.graphql<{ updateEngagementSettings: { userErrors: Errors } }>(SET, { input: { postLoanVisitDays: 0 } }, staff.admin);
    expect(bad.data?.updateEngagementSettings.userErrors).toEqual([{ field: 'postLoanVisitDays', code: 'TOO_SMALL' }]);
    await svc.graphql(SET, { input: { postLoanVisitDays: 10 } }, staff.admin);
    const disbursed = await g.deliver('LoanDisbursed', c, {
      loanId: 'loan-9',
      customerId: c,
      productCode: 'MICRO',
      principal: '1000.00',
      currency: 'XOF',
      disbursedOn: '2026-11-05',
      firstDueDate: '2026-12-05',
      instalmentCount: 12,
      officerId: 'officer-7',
      loanCycle: 1,
    });
    await disbursed.redeliver();
    const warning = { warningId: 'w-1', loanId: 'loan-9', customerId: c, ruleCode: 'DPD_OVER_30', officerId: 'officer-7' };
    await g.deliver('RiskWarningRaised', c, { ...warning, severity: 'HIGH', indicators: { dpd: 31 }, responseDueAt: '2026-11-25T12:00:00.000Z' });
    await g.deliver('RiskWarningEscalated', c, { ...warning, severity: 'HIGH', escalatedAt: '2026-11-26T12:00:00.000Z' });
    await g.deliver(
      'CustomerGradeAtRisk',
      c,
      { customerId: c, grade: 'VIP', projectedGrade: 'PREMIUM', score: '61.5', floor: '70', windowEndsOn: '2026-11-28' },
      { time: new Date('2026-11-20T09:00:00Z') },
    );
    const tier = { accountId: 'acc-1', customerId: c, tier: 'GOLD', projectedTier: 'SILVER', effectiveOn: '2027-01-31' };
    await g.deliver('TierDowngradeWarning', c, tier, { time: new Date('2026-11-20T09:00:00Z') });
    await g.deliver('TierDowngradeWarning', c, tier, { time: new Date('2026-11-21T09:00:00Z') }); // same warning again, new event id
    const closed = { loanId: 'loan-8', customerId: c, closedOn: '2026-11-18', principal: '400.00', currency: 'XOF', repaidOnTimeInFull: true };
    await g.deliver('LoanClosed', c, closed);
    await g.deliver('LoanClosed', c, { ...closed, loanId: 'loan-7', repaidOnTimeInFull: false });
    const tasks = (await g.tasksOf(c)).map((t) => ({ type: t.type, priority: t.priority, assignee: t.assignee_id, due: t.due_at.toISOString() }));
    expect(tasks).toEqual([
      { type: 'WELCOME', priority: 'NORMAL', assignee: 'rm-1', due: '2026-11-04T08:00:00.000Z' },
      { type: 'POST_LOAN_VISIT', priority: 'NORMAL', assignee: 'officer-7', due: '2026-11-16T00:00:00.000Z' },
      { type: 'CREDIT_REVIEW', priority: 'URGENT', assignee: 'officer-7', due: '2026-11-25T12:00:00.000Z' },
      { type: 'RETENTION', priority: 'HIGH', assignee: 'rm-1', due: '2026-11-25T09:00:00.000Z' },
      { type: 'RETENTION', priority: 'NORMAL', assignee: 'rm-1', due: '2026-11-25T09:00:00.000Z' },
      { type: 'FOLLOW_UP', priority: 'NORMAL', assignee: 'rm-1', due: '2026-11-26T00:00:00.000Z' },
    ]);
    // the escalation raised the open review's priority, and said so (the task state topic follows it)
    const changed = await svc.db
      .selectFrom('event_outbox')
      .select('event')
      .where('type', '=', 'crm.engagement.TaskPriorityChanged.v1')
      .where('key', '=', c)
      .execute();
    expect(changed.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data)).toEqual([
      expect.objectContaining({
        customerId: c,
        type: 'CREDIT_REVIEW',
        previousPriority: 'HIGH',
        priority: 'URGENT',
        reason: 'RISK_WARNING_ESCALATED',
        changedAt: '2026-11-26T12:00:00.000Z',
      }),
    ]);
  });

  it('moves tasks through legal transitions only, links the completing interaction and emits TaskCompleted', async () => {
    const c = await g.customer('c-life');
    const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id assigneeId status priority } userErrors { field code } } }`;
    type Created = { createTask: { task: { id: string; assigneeId: string; status: string } | null; userErrors: Errors } };
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const input = { customerId: c, type: 'FOLLOW_UP', title: 'Call about the business plan', dueAt: due, idempotencyKey: 'k-life-1' };
    const created = await svc.graphql<Created>(CREATE, { input }, staff.officer);
    expect(created.data?.createTask.task).toMatchObject({ assigneeId: 'rm-1', status: 'OPEN' });
    const again = await svc.graphql<Created>(CREATE, { input }, staff.officer);
    expect(again.data?.createTask.task?.id).toBe(created.data?.createTask.task?.id);
    const id = created.data?.createTask.task?.id ?? '';

    const bad = await svc.graphql<Created>(
      CREATE,
      { input: { customerId: 'nobody', type: 'FOLLOW_UP', title: ' ', dueAt: '2020-01-01T00:00:00Z' } },
      staff.officer,
    );
    expect(bad.data?.createTask.userErrors).toEqual(
      expect.arrayContaining([
        { field: 'title', code: 'TOO_SMALL' },
        { field: 'dueAt', code: 'DATE_IN_PAST' },
      ]),
    );
    const unknown = await svc.graphql<Created>(CREATE, { input: { ...input, customerId: 'nobody', idempotencyKey: null } }, staff.officer);
    expect(unknown.data?.createTask.userErrors).toEqual([{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND' }]);

    const M = (name: string, inputType: string, extra = '') =>
      `mutation($input: ${inputType}!) { ${name}(input: $input) { task { id status ${extra} } userErrors { field code } } }`;
    type P = Record<string, { task: { status: string; completedInteraction?: { id: string } | null } | null; userErrors: Errors }>;
    const started = await svc.graphql<P>(M('startTask', 'StartTaskInput'), { input: { taskId: id } }, staff.officer);
    expect(started.data?.startTask?.task?.status).toBe('IN_PROGRESS');
    const logged = await log({ customerId: c, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'Discussed the plan' });
    const interactionId = logged.data?.logInteraction.interaction?.id;
    const otherCustomer = await g.customer('c-life-2');
    const foreign = await log({ customerId: otherCustomer, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'x' });
    const wrong = await svc.graphql<P>(
      M('completeTask', 'CompleteTaskInput'),
      { input: { taskId: id, interactionId: foreign.data?.logInteraction.interaction?.id } },
      staff.officer,
    );
    expect(wrong.data?.completeTask?.userErrors).toEqual([{ field: 'interactionId', code: 'INTERACTION_NOT_FOUND' }]);
    const done = await svc.graphql<P>(
      M('completeTask', 'CompleteTaskInput', 'completedInteraction { id }'),
      { input: { taskId: id, interactionId } },
      staff.officer,
    );
    expect(done.data?.completeTask?.task).toEqual({ id, status: 'DONE', completedInteraction: { id: interactionId } });
    const cancelDone = await svc.graphql<P>(M('cancelTask', 'CancelTaskInput'), { input: { taskId: id, reason: 'duplicate' } }, staff.officer);
    expect(cancelDone.data?.cancelTask?.userErrors).toEqual([{ field: 'taskId', code: 'INVALID_TASK_TRANSITION' }]);

    const second = await svc.graphql<Created>(CREATE, { input: { ...input, idempotencyKey: 'k-life-2' } }, staff.officer);
    const secondId = second.data?.createTask.task?.id ?? '';
    const cancelled = await svc.graphql<P>(M('cancelTask', 'CancelTaskInput'), { input: { taskId: secondId, reason: 'customer moved away' } }, staff.officer);
    expect(cancelled.data?.cancelTask?.task?.status).toBe('CANCELLED');
    const completeCancelled = await svc.graphql<P>(M('completeTask', 'CompleteTaskInput'), { input: { taskId: secondId } }, staff.officer);
    expect(completeCancelled.data?.completeTask).toEqual({ task: null, userErrors: [{ field: 'taskId', code: 'INVALID_TASK_TRANSITION' }] });
    const row = await svc.db.selectFrom('task').select(['status', 'completed_at']).where('id', '=', secondId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'CANCELLED', completed_at: null });
    expect((await g.outboxTypes(c)).filter((t) => t === 'TaskCompleted')).toHaveLength(1);
  });

  it('hands open tasks to the new relationship manager and orders the worklist by urgency with keyset pages', async () => {
    const c = await g.customer('c-work', { relationshipManagerId: 'rm-old' });
    const now = Date.now();
    const at = (hours: number) => new Date(now + hours * 3_600_000);
    const rows = [
      { title: 'later normal', priority: 'NORMAL', due: at(48) },
      { title: 'overdue low', priority: 'LOW', due: at(-5) },
      { title: 'soon urgent', priority: 'URGENT', due: at(30) },
      { title: 'overdue high', priority: 'HIGH', due: at(-1) },
      { title: 'soon normal', priority: 'NORMAL', due: at(24) },
    ] as const;
    let n = 0;
    for (const r of rows) {
      await g.openTask({ id: `0199-work-${n++}`, customerId: c, type: 'FOLLOW_UP', title: r.title, assigneeId: 'rm-old', priority: r.priority, dueAt: r.due });
    }
    await g.openTask({
      id: '0199-work-x',
      customerId: c,
      type: 'CREDIT_REVIEW',
      title: 'risk officer keeps it',
      assigneeId: 'risk-1',
      priority: 'HIGH',
      dueAt: at(1),
    });
    await g.deliver('RelationshipManagerAssigned', c, {
      customerId: c,
      relationshipManagerId: 'rm-new',
      previousRelationshipManagerId: 'rm-old',
      branchId: 'BR-002',
      assignedAt: new Date().toISOString(),
    });
    // the customer is now in BR-002: its new relationship manager (a loan officer there) reads the worklist
    const newManager = { userId: 'rm-new', roles: ['loan_officer' as const], branchId: 'BR-002' };
    const Q = `query($after: String) { worklist(assigneeId: "rm-new", first: 2, after: $after) { edges { node { title overdue customer { id } } } pageInfo { hasNextPage endCursor } } }`;
    type R = {
      worklist: {
        edges: { node: { title: string; overdue: boolean; customer: { id: string } } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const titles: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: { data?: R } = await svc.graphql<R>(Q, { after }, newManager);
      titles.push(...(res.data?.worklist.edges.map((e) => e.node.title) ?? []));
      expect(res.data?.worklist.edges.every((e) => e.node.customer.id === c)).toBe(true);
      after = res.data?.worklist.pageInfo.endCursor ?? null;
      if (!res.data?.worklist.pageInfo.hasNextPage) break;
    }
    // the welcome task (due 2026-11-04, overdue, NORMAL) moved to the new manager too
    expect(titles).toEqual(['overdue high', 'Welcome call to Amina Diallo', 'overdue low', 'soon urgent', 'soon normal', 'later normal']);
    const kept = await svc.db.selectFrom('task').select('assignee_id').where('id', '=', '0199-work-x').executeTakeFirstOrThrow();
    expect(kept.assignee_id).toBe('risk-1');
    // each moved task is published (a mirrored task list follows); the one kept by the risk officer is not
    expect((await g.outboxTypes(c)).filter((t) => t === 'TaskReassigned')).toHaveLength(6);
    const TASKS = `{ tasks(filter: { assigneeId: "rm-new", overdue: true }) { edges { node { title } } } }`;
    const overdue = await svc.graphql<{ tasks: { edges: { node: { title: string } }[] } }>(TASKS, {}, newManager);
    expect(overdue.data?.tasks.edges.map((e) => e.node.title).sort()).toEqual(['Welcome call to Amina Diallo', 'overdue high', 'overdue low']);
  });
});
