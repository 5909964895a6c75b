import { addDays, DAY_MS, endOfDate, HOUR_MS, type Identity, isoDate } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findContactPreferences } from '../src/db/customer-service-profile.store.ts';
import type { DB } from '../src/db/schema.ts';
import { findServiceLevelsOf, serviceLevelSql } from '../src/db/service-level.store.ts';
import { findWorklist } from '../src/db/worklist.store.ts';
import { worklistRank } from '../src/domain/worklist.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

const manager: Identity = { userId: 'bm-sl-1', roles: ['branch_manager'], branchId: 'BR-SL1' };
const officer: Identity = { userId: 'officer-sl', roles: ['loan_officer'], branchId: 'BR-SL1' };
const admin = staff.admin;

type Errors = { field: string | null; code: string }[];
type GqlError = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };

describe('service levels by grade and need, the worklist rank and the contact rules', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function gql<T>(query: string, variables: Record<string, unknown>, as: Identity | null = admin): Promise<T> {
    const res = await svc.graphql<T>(query, variables, as);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data as T;
  }
  const grade = (customerId: string, value: 'VIP' | 'PREMIUM' | 'STANDARD' | 'BASIC') =>
    g.deliver('CustomerGradeChanged', customerId, { customerId, previousGrade: null, grade: value, score: '50.00', effectiveOn: isoDate(new Date()) });
  const care = (customerId: string, flags: ('ELDERLY' | 'DISABLED' | 'LOW_LITERACY' | 'FINANCIAL_HARDSHIP')[], changedAt = new Date()) =>
    g.deliver('SpecialCareChanged', customerId, {
      customerId,
      previousFlags: [],
      flags,
      noteChanged: false,
      changedBy: 'officer-1',
      changedAt: changedAt.toISOString(),
    });

  const SET_LEVEL = `mutation($input: SetServiceLevelInput!) { setServiceLevel(input: $input) {
    serviceLevel { kind code branchId taskPriorityFloor taskDuePercent complaintSlaPercent worklistPoints callbackEveryDays homeVisit updatedBy }
    userErrors { field code } } }`;
  type SetLevel = { setServiceLevel: { serviceLevel: Record<string, unknown> | null; userErrors: Errors } };

  it('keeps one service-level table: institution defaults, a branch’s own rows by its manager, refusals that change nothing', async () => {
    const LEVELS = `query($b: ID) { serviceLevels(branchId: $b) { kind code branchId taskPriorityFloor taskDuePercent complaintSlaPercent worklistPoints callbackEveryDays homeVisit } }`;
    type Levels = { serviceLevels: Record<string, unknown>[] };
    const defaults = (await gql<Levels>(LEVELS, {}, officer)).serviceLevels;
    expect(defaults).toHaveLength(11);
    expect(defaults.find((l) => l.code === 'VIP')).toEqual({
      kind: 'GRADE',
      code: 'VIP',
      branchId: null,
      taskPriorityFloor: 'HIGH',
      taskDuePercent: 50,
      complaintSlaPercent: 50,
      worklistPoints: 25,
      callbackEveryDays: null,
      homeVisit: false,
    });
    expect(defaults.find((l) => l.code === 'ELDERLY')).toMatchObject({ kind: 'CARE', callbackEveryDays: 30, homeVisit: true, worklistPoints: 20 });

    const set = (input: Record<string, unknown>, as: Identity) => svc.graphql<SetLevel>(SET_LEVEL, { input }, as);
    const ok = await set({ branchId: 'BR-SL1', kind: 'GRADE', code: 'VIP', taskDuePercent: 40 }, manager);
    expect(ok.data?.setServiceLevel).toEqual({
      serviceLevel: {
        kind: 'GRADE',
        code: 'VIP',
        branchId: 'BR-SL1',
        taskPriorityFloor: 'HIGH',
        taskDuePercent: 40,
        complaintSlaPercent: 50,
        worklistPoints: 25,
        callbackEveryDays: null,
        homeVisit: false,
        updatedBy: 'bm-sl-1',
      },
      userErrors: [],
    });
    const refusals: [Record<string, unknown>, Errors][] = [
      [{ branchId: 'BR-SL2', kind: 'GRADE', code: 'VIP', taskDuePercent: 30 }, [{ field: 'branchId', code: 'OUT_OF_SCOPE' }]],
      [{ kind: 'GRADE', code: 'VIP', taskDuePercent: 30 }, [{ field: 'branchId', code: 'ADMINISTRATOR_REQUIRED' }]],
      [{ branchId: 'BR-SL1', kind: 'GRADE', code: 'GOLD' }, [{ field: 'code', code: 'INVALID_VALUE' }]],
      [
        { branchId: 'BR-SL1', kind: 'CARE', code: 'ELDERLY', taskDuePercent: 5, worklistPoints: 21 },
        [
          { field: 'taskDuePercent', code: 'OUT_OF_RANGE' },
          { field: 'worklistPoints', code: 'OUT_OF_RANGE' },
        ],
      ],
      [{ branchId: 'BR-SL1', kind: 'GRADE', code: 'PREMIUM', homeVisit: true }, [{ field: 'homeVisit', code: 'NOT_ALLOWED' }]],
    ];
    for (const [input, errors] of refusals) {
      const res = await set(input, manager);
      expect(res.data?.setServiceLevel, JSON.stringify(input)).toEqual({ serviceLevel: null, userErrors: errors });
    }
    const officerTry = await set({ branchId: 'BR-SL1', kind: 'GRADE', code: 'VIP', taskDuePercent: 30 }, officer);
    expect((officerTry.errors as GqlError[] | undefined)?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // an administrator sets any branch's rows, and the default
    const byAdmin = await set({ kind: 'CARE', code: 'FINANCIAL_HARDSHIP', callbackEveryDays: 21 }, admin);
    expect(byAdmin.data?.setServiceLevel.serviceLevel).toMatchObject({ branchId: null, callbackEveryDays: 21, worklistPoints: 15 });

    const rows = await svc.db.selectFrom('service_level').select(['branch_id', 'code', 'task_due_percent', 'callback_every_days']).orderBy('code').execute();
    expect(rows.filter((r) => r.branch_id === 'BR-SL1')).toEqual([{ branch_id: 'BR-SL1', code: 'VIP', task_due_percent: 40, callback_every_days: null }]);
    expect(rows).toHaveLength(12);
    const inBranch = (await gql<Levels>(LEVELS, { b: 'BR-SL1' }, officer)).serviceLevels;
    expect(inBranch.filter((l) => l.code === 'VIP').map((l) => [l.branchId, l.taskDuePercent])).toEqual([
      [null, 50],
      ['BR-SL1', 40],
    ]);
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['actor_id', 'outcome', 'entity_id', 'changes', 'detail'])
      .where('action', '=', 'setServiceLevel')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => [a.actor_id, a.outcome, a.entity_id])).toEqual([
      ['bm-sl-1', 'SUCCEEDED', 'BR-SL1:GRADE:VIP'],
      ['bm-sl-1', 'REJECTED', 'BR-SL2:GRADE:VIP'],
      ['bm-sl-1', 'REJECTED', 'default:GRADE:VIP'],
      ['bm-sl-1', 'REJECTED', 'BR-SL1:GRADE:GOLD'],
      ['bm-sl-1', 'REJECTED', 'BR-SL1:CARE:ELDERLY'],
      ['bm-sl-1', 'REJECTED', 'BR-SL1:GRADE:PREMIUM'],
      ['officer-sl', 'FORBIDDEN', null],
      ['admin-1', 'SUCCEEDED', 'default:CARE:FINANCIAL_HARDSHIP'],
    ]);
    expect(audit[0]?.changes).toEqual(expect.arrayContaining([{ field: 'taskDuePercent', before: null, after: 40 }]));
    expect(audit[0]?.detail).toEqual({ branchId: 'BR-SL1', kind: 'GRADE', code: 'VIP', inheritedFrom: 'default' });
    expect(audit.at(-1)?.changes).toEqual([{ field: 'callbackEveryDays', before: 14, after: 21 }]);
  });

  it('learns grades and needs from customers’ events: planned tasks get the priority floor and a shorter lead, complaints a shorter SLA', async () => {
    const vip = await g.customer('sl-vip', { branchId: 'BR-SL2', relationshipManagerId: 'rm-sl' });
    const plain = await g.customer('sl-plain', { branchId: 'BR-SL2', relationshipManagerId: 'rm-sl' });
    await (await grade(vip, 'VIP')).redeliver();
    const disbursedOn = isoDate(new Date());
    const disburse = (customerId: string, loanId: string) =>
      g.deliver('LoanDisbursed', customerId, {
        loanId,
        customerId,
        productCode: 'MICRO',
        principal: '1000.00',
        currency: 'XOF',
        disbursedOn,
        firstDueDate: addDays(disbursedOn, 30),
        instalmentCount: 12,
        officerId: 'rm-sl',
        loanCycle: 1,
      });
    const before = Date.now();
    await disburse(vip, 'sl-loan-vip');
    const after = Date.now();
    await disburse(plain, 'sl-loan-plain');
    const base = endOfDate(addDays(disbursedOn, 7));
    const visitOf = async (loanId: string) =>
      svc.db.selectFrom('task').selectAll().where('dedupe_key', '=', `POST_LOAN_VISIT:${loanId}`).executeTakeFirstOrThrow();
    const vipVisit = await visitOf('sl-loan-vip');
    expect(vipVisit.priority).toBe('HIGH');
    // half the lead time from when it was planned, in whole minutes
    const half = (from: number) => from + Math.floor((base.getTime() - from) / 2 / 60_000) * 60_000;
    expect(vipVisit.due_at.getTime()).toBeGreaterThanOrEqual(half(before) - 60_000);
    expect(vipVisit.due_at.getTime()).toBeLessThanOrEqual(half(after));
    expect(vipVisit.planning).toEqual({
      basePriority: 'NORMAL',
      baseDueAt: base.toISOString(),
      grade: 'VIP',
      careNeeds: [],
      duePercent: 50,
      homeVisit: false,
      contactRules: [],
    });
    const plainVisit = await visitOf('sl-loan-plain');
    expect([plainVisit.priority, plainVisit.due_at, plainVisit.planning]).toEqual(['NORMAL', base, null]);
    // the same through the API, with the customer's service level as engagement sees it
    const TASK = `query($id: ID!) { task(id: $id) { priority planning { basePriority grade duePercent homeVisit contactRules { code } } customer { id } } }`;
    expect((await gql<{ task: unknown }>(TASK, { id: vipVisit.id })).task).toEqual({
      priority: 'HIGH',
      planning: { basePriority: 'NORMAL', grade: 'VIP', duePercent: 50, homeVisit: false, contactRules: [] },
      customer: { id: vip },
    });
    const LEVEL = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id serviceLevel { grade careNeeds taskPriorityFloor taskDuePercent complaintSlaPercent valuePoints carePoints callbackEveryDays homeVisit } } } }`;
    const levels = await gql<{ _entities: unknown[] }>(LEVEL, {
      r: [
        { __typename: 'Customer', id: vip },
        { __typename: 'Customer', id: plain },
      ],
    });
    expect(levels._entities).toEqual([
      {
        id: vip,
        serviceLevel: {
          grade: 'VIP',
          careNeeds: [],
          taskPriorityFloor: 'HIGH',
          taskDuePercent: 50,
          complaintSlaPercent: 50,
          valuePoints: 25,
          carePoints: 0,
          callbackEveryDays: null,
          homeVisit: false,
        },
      },
      { id: plain, serviceLevel: expect.objectContaining({ grade: null, taskPriorityFloor: 'LOW', taskDuePercent: 100, complaintSlaPercent: 100 }) },
    ]);
    // a loan officer of another branch sees no service level of these customers
    const outside = await gql<{ _entities: unknown[] }>(LEVEL, { r: [{ __typename: 'Customer', id: vip }] }, officer);
    expect(outside._entities).toEqual([{ id: vip, serviceLevel: null }]);

    // complaints: MEDIUM is acknowledged within 24 h and resolved within 10 days; a VIP gets half of both
    const RECEIVE = `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { complaint { id acknowledgeDueAt resolveDueAt } userErrors { code } } }`;
    const receivedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - HOUR_MS);
    type Received = { receiveComplaint: { complaint: { id: string; acknowledgeDueAt: string; resolveDueAt: string } } };
    const complain = (customerId: string) =>
      gql<Received>(RECEIVE, {
        input: {
          customerId,
          kind: 'COMPLAINT',
          category: 'FEES',
          severity: 'MEDIUM',
          channel: 'PHONE',
          description: 'Charged twice',
          receivedAt: receivedAt.toISOString(),
        },
      });
    const vipComplaint = (await complain(vip)).receiveComplaint.complaint;
    expect([vipComplaint.acknowledgeDueAt, vipComplaint.resolveDueAt]).toEqual([
      new Date(receivedAt.getTime() + 12 * HOUR_MS).toISOString(),
      new Date(receivedAt.getTime() + 5 * DAY_MS).toISOString(),
    ]);
    const plainComplaint = (await complain(plain)).receiveComplaint.complaint;
    expect([plainComplaint.acknowledgeDueAt, plainComplaint.resolveDueAt]).toEqual([
      new Date(receivedAt.getTime() + 24 * HOUR_MS).toISOString(),
      new Date(receivedAt.getTime() + 10 * DAY_MS).toISOString(),
    ]);
    // reopened: a fresh resolution clock, still half as long
    const CHANGE = `mutation($input: ChangeComplaintStatusInput!) { changeComplaintStatus(input: $input) { complaint { status resolveDueAt } userErrors { code } } }`;
    await gql(CHANGE, { input: { complaintId: vipComplaint.id, status: 'ACKNOWLEDGED' } });
    await gql(`mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { userErrors { code } } }`, {
      input: { complaintId: vipComplaint.id, resolution: 'Refunded' },
    });
    const reopenedFrom = Date.now();
    const reopened = await gql<{ changeComplaintStatus: { complaint: { status: string; resolveDueAt: string } } }>(CHANGE, {
      input: { complaintId: vipComplaint.id, status: 'REOPENED' },
    });
    const due = new Date(reopened.changeComplaintStatus.complaint.resolveDueAt).getTime();
    expect(due).toBeGreaterThanOrEqual(reopenedFrom + 5 * DAY_MS);
    expect(due).toBeLessThan(Date.now() + 5 * DAY_MS + 1);
  });

  it('plans the care touches a need calls for: a home visit every 30 days for the elderly, once per anchor, cancelled when the need ends', async () => {
    const elderly = await g.customer('sl-elderly', { branchId: 'BR-SL2', relationshipManagerId: 'rm-care' });
    const literacy = await g.customer('sl-literacy', { branchId: 'BR-SL2', relationshipManagerId: 'rm-care' });
    const changedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const first = await care(elderly, ['ELDERLY'], changedAt);
    await first.redeliver();
    await care(literacy, ['LOW_LITERACY'], changedAt);
    const touches = async (customerId: string) => (await g.tasksOf(customerId)).filter((t) => t.type === 'CARE');
    const [visit, ...others] = await touches(elderly);
    expect(others).toEqual([]);
    expect(visit).toMatchObject({
      title: 'Home visit (special care: ELDERLY)',
      priority: 'HIGH',
      assignee_id: 'rm-care',
      status: 'OPEN',
      due_at: new Date(changedAt.getTime() + 30 * DAY_MS),
      source_event_id: first.event.id,
      planning: { basePriority: 'NORMAL', grade: null, careNeeds: ['ELDERLY'], duePercent: 100, homeVisit: true, contactRules: [] },
    });
    const [call] = await touches(literacy);
    expect(call).toMatchObject({
      title: 'Care call-back (special care: LOW_LITERACY)',
      priority: 'NORMAL',
      due_at: new Date(changedAt.getTime() + 60 * DAY_MS),
    });

    // done: the next run plans the next touch 30 days after it was done, once however often it runs
    const done = await gql<{ completeTask: { task: { completedAt: string } } }>(
      `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { task { completedAt } userErrors { code } } }`,
      { input: { taskId: visit?.id } },
    );
    const today = isoDate(new Date());
    expect(await svc.jobs.run('care-callbacks', today)).toEqual({ examined: 1, planned: 1 });
    expect(await svc.jobs.run('care-callbacks', today)).toEqual({ examined: 0, planned: 0 });
    const next = (await touches(elderly)).filter((t) => t.status === 'OPEN');
    expect(next.map((t) => t.due_at)).toEqual([new Date(new Date(done.completeTask.task.completedAt).getTime() + 30 * DAY_MS)]);
    // the needs end: the open touch is cancelled (and published), and no run plans another
    await care(elderly, []);
    const after = await touches(elderly);
    expect(after.map((t) => t.status)).toEqual(['DONE', 'CANCELLED']);
    expect((await g.outboxTypes(elderly)).filter((t) => t === 'TaskCancelled')).toHaveLength(1);
    expect(await svc.jobs.run('care-callbacks', today)).toEqual({ examined: 0, planned: 0 });
  });

  it('computes the VALUE and CARE points and the call-back interval in SQL exactly as the domain rule does', async () => {
    const combos: [string, string, 'VIP' | 'PREMIUM' | null, ('ELDERLY' | 'DISABLED' | 'LOW_LITERACY' | 'FINANCIAL_HARDSHIP')[]][] = [
      ['sl-sql-1', 'BR-SL1', 'VIP', []],
      ['sl-sql-2', 'BR-SL1', 'PREMIUM', ['LOW_LITERACY', 'FINANCIAL_HARDSHIP']],
      ['sl-sql-3', 'BR-SL3', null, ['DISABLED', 'LOW_LITERACY']],
      ['sl-sql-4', 'BR-SL3', 'VIP', ['FINANCIAL_HARDSHIP']],
      ['sl-sql-5', 'BR-SL3', null, []],
    ];
    // BR-SL3 has its own LOW_LITERACY row
    await gql(SET_LEVEL, { input: { branchId: 'BR-SL3', kind: 'CARE', code: 'LOW_LITERACY', worklistPoints: 18, callbackEveryDays: 10 } });
    for (const [id, branchId, g2, needs] of combos) {
      await g.customer(id, { branchId, relationshipManagerId: 'rm-sql' });
      if (g2) await grade(id, g2);
      if (needs.length) await care(id, needs);
    }
    const ids = combos.map(([id]) => id);
    const level = serviceLevelSql('p', 'r.branch_id');
    const bySql = await svc.db
      .selectFrom('customer_replica as r')
      .leftJoin('customer_service_profile as p', 'p.customer_id', 'r.id')
      .select(['r.id'])
      .select([level.valuePoints.as('value'), level.carePoints.as('care'), level.callbackEveryDays.as('every')])
      .where('r.id', 'in', ids)
      .orderBy('r.id')
      .execute();
    const byDomain = await findServiceLevelsOf(svc.db, ids);
    expect(bySql.map((r) => [r.id, Number(r.value), Number(r.care), r.every === null ? null : Number(r.every)])).toEqual(
      byDomain.map((l) => [l.customerId, l.valuePoints, l.carePoints, l.callbackEveryDays]),
    );
    expect(byDomain.map((l) => [l.valuePoints, l.carePoints, l.callbackEveryDays])).toEqual([
      [25, 0, null],
      [15, 15, 21],
      [0, 20, 10],
      [25, 15, 21],
      [0, 0, null],
    ]);
  });

  it('orders the worklist by its explained score, pages it with the instant pinned, and explains any open task', async () => {
    const customers = ['w-plain', 'w-vip', 'w-elderly', 'w-arrears', 'w-churn'];
    for (const id of customers) await g.customer(id, { branchId: 'BR-SL4', relationshipManagerId: 'rm-owner' });
    await grade('w-vip', 'VIP');
    await care('w-elderly', ['ELDERLY']);
    await svc.db
      .insertInto('loan_replica')
      .values({
        loan_id: 'w-loan',
        customer_id: 'w-arrears',
        officer_id: null,
        status: 'ACTIVE',
        bucket: 'DPD_31_60',
        days_past_due: 35,
        disbursed_on: null,
        closed_on: null,
        updated_at: new Date(),
      })
      .execute();
    await svc.db
      .insertInto('churn_risk')
      .values({ customer_id: 'w-churn', score: '72.50', level: 'HIGH', signals: '[]', as_of: isoDate(new Date()), computed_at: new Date() })
      .execute();
    const now = Date.now();
    const at = (hours: number) => new Date(now + hours * HOUR_MS);
    const tasks: [string, string, 'LOW' | 'NORMAL' | 'URGENT', Date][] = [
      ['w-plain', 'plain normal', 'NORMAL', at(48)],
      ['w-vip', 'vip normal', 'NORMAL', at(48)],
      ['w-elderly', 'elderly normal', 'NORMAL', at(49)],
      ['w-arrears', 'arrears normal', 'NORMAL', at(50)],
      ['w-churn', 'churn normal', 'NORMAL', at(51)],
      ['w-plain', 'plain urgent', 'URGENT', at(72)],
      ['w-plain', 'plain overdue low', 'LOW', at(-1)],
    ];
    let n = 0;
    for (const [customerId, title, priority, dueAt] of tasks) {
      await g.openTask({ id: `0199-wl-${n++}`, customerId, type: 'FOLLOW_UP', title, assigneeId: 'rm-w', priority, dueAt });
    }
    const Q = `query($after: String) { worklist(assigneeId: "rm-w", first: 3, after: $after) {
      totalCount edges { node { id title worklistRank { score at factors { factor points reason } } } } pageInfo { hasNextPage endCursor } } }`;
    type Node = { id: string; title: string; worklistRank: { score: number; at: string; factors: { factor: string; points: number; reason: string }[] } };
    type W = { worklist: { totalCount: number; edges: { node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const read = async () => {
      const nodes: Node[] = [];
      let after: string | null = null;
      for (let page = 0; page < 5; page++) {
        const res: W = await gql<W>(Q, { after });
        expect(res.worklist.totalCount).toBe(7);
        nodes.push(...res.worklist.edges.map((e) => e.node));
        after = res.worklist.pageInfo.endCursor;
        if (!res.worklist.pageInfo.hasNextPage) break;
      }
      return nodes;
    };
    const nodes = await read();
    expect(nodes.map((x) => [x.title, x.worklistRank.score])).toEqual([
      ['plain overdue low', 1000],
      ['plain urgent', 300],
      ['vip normal', 125],
      ['elderly normal', 120],
      ['arrears normal', 120],
      ['churn normal', 120],
      ['plain normal', 100],
    ]);
    // the instant of the first page holds for every page
    expect(new Set(nodes.map((x) => x.worklistRank.at)).size).toBe(1);
    const factorsOf = (title: string) =>
      Object.fromEntries((nodes.find((x) => x.title === title)?.worklistRank.factors ?? []).map((f) => [f.factor, [f.points, f.reason]]));
    expect(factorsOf('vip normal').VALUE).toEqual([25, 'grade VIP']);
    expect(factorsOf('elderly normal').CARE).toEqual([20, 'special care: ELDERLY']);
    expect(factorsOf('arrears normal').RISK).toEqual([20, 'a loan 35 days past due (DPD_31_60)']);
    expect(factorsOf('churn normal').CHURN).toEqual([20, 'churn risk HIGH (72.50)']);
    expect(factorsOf('plain overdue low').DUE?.[0]).toBe(1000);
    for (const x of nodes) expect(x.worklistRank.factors.reduce((s, f) => s + f.points, 0)).toBe(x.worklistRank.score);

    // the SQL score is the domain's score, row by row
    const rows = await findWorklist(svc.db, { kind: 'all' }, 'rm-w', { limit: 20, after: null }, new Date());
    for (const r of rows) {
      const domain = worklistRank(
        {
          dueAt: r.due_at,
          priority: r.priority,
          worstBucket: r.worst_bucket,
          daysPastDue: r.days_past_due,
          churnLevel: r.churn_level,
          churnScore: r.churn_score,
          grade: r.grade,
          valuePoints: r.value_points,
          careNeeds: r.care_needs,
          carePoints: r.care_points,
        },
        r.rank_at,
      );
      expect([r.title, r.score]).toEqual([r.title, domain.score]);
    }

    // a branch that values its VIPs less: the VIP's task falls behind the others of its priority
    await gql(SET_LEVEL, { input: { branchId: 'BR-SL4', kind: 'GRADE', code: 'VIP', worklistPoints: 10 } });
    expect((await read()).map((x) => x.title).slice(2)).toEqual(['elderly normal', 'arrears normal', 'churn normal', 'vip normal', 'plain normal']);

    // the rank of any open task, read by id; none once done
    const TASK = `query($id: ID!) { task(id: $id) { worklistRank { score } } }`;
    expect((await gql<{ task: { worklistRank: { score: number } } }>(TASK, { id: '0199-wl-0' })).task.worklistRank.score).toBe(100);
    await gql(`mutation($input: CompleteTaskInput!) { completeTask(input: $input) { userErrors { code } } }`, { input: { taskId: '0199-wl-0' } });
    expect((await gql<{ task: { worklistRank: unknown } }>(TASK, { id: '0199-wl-0' })).task.worklistRank).toBeNull();
  });

  const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) {
    interaction { id contactRuleOverride { rules { code rule } reason by } } userErrors { field code message } } }`;
  type Logged = { logInteraction: { interaction: { id: string; contactRuleOverride: unknown } | null; userErrors: (Errors[number] & { message: string })[] } };

  it('refuses outbound contacts over the limits or outside the hours with clear codes, unless a branch manager overrides with a reason', async () => {
    const c = await g.customer('sl-contact', { branchId: 'BR-SL1', relationshipManagerId: officer.userId });
    const log = (input: Record<string, unknown>, as: Identity = officer) =>
      gql<Logged>(
        LOG,
        { input: { customerId: c, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'COLLECTION_REMINDER', summary: 'Reminded', ...input } },
        as,
      );
    // Wednesday 18 November 2026: two collection calls are the day's limit (PHONE/COLLECTION_REMINDER 2 per 1 day)
    expect((await log({ occurredAt: '2026-11-18T09:00:00Z' })).logInteraction.userErrors).toEqual([]);
    expect((await log({ occurredAt: '2026-11-18T10:00:00Z' })).logInteraction.userErrors).toEqual([]);
    const third = await log({ occurredAt: '2026-11-18T11:00:00Z' });
    expect(third.logInteraction).toEqual({
      interaction: null,
      userErrors: [
        {
          field: 'purpose',
          code: 'CONTACT_LIMIT_REACHED',
          message: 'Outbound PHONE collection reminder contacts are limited to 2 per 1 day; the customer had 2 (allowed again from 2026-11-19T09:00:00.000Z)',
        },
      ],
    });
    // other channels, inbound calls and other purposes are not held by that limit
    expect((await log({ channel: 'SMS', occurredAt: '2026-11-18T11:00:00Z' })).logInteraction.userErrors).toEqual([]);
    expect((await log({ direction: 'INBOUND', occurredAt: '2026-11-18T11:05:00Z' })).logInteraction.userErrors).toEqual([]);
    expect((await log({ purpose: 'SERVICE', occurredAt: '2026-11-18T11:10:00Z' })).logInteraction.userErrors).toEqual([]);
    // Sunday: no collection contact (Monday to Saturday, 08:00-20:00 UTC)
    const sunday = await log({ occurredAt: '2026-11-22T12:00:00Z' });
    expect(sunday.logInteraction.userErrors.map((e) => [e.field, e.code])).toEqual([['occurredAt', 'OUTSIDE_CONTACT_HOURS']]);
    // the override: only a branch manager, only with a reason
    expect((await log({ occurredAt: '2026-11-18T11:00:00Z', overrideReason: 'customer asked' })).logInteraction.userErrors).toEqual([
      { field: 'overrideReason', code: 'OVERRIDE_NOT_ALLOWED', message: 'Only a branch manager may override the contact rules' },
    ]);
    expect((await log({ occurredAt: '2026-11-18T11:00:00Z', overrideReason: '  ' }, manager)).logInteraction.userErrors.map((e) => e.code)).toEqual([
      'REQUIRED',
    ]);
    const phone = () =>
      svc.db
        .selectFrom('interaction')
        .select('id')
        .where('customer_id', '=', c)
        .where('channel', '=', 'PHONE')
        .where('direction', '=', 'OUTBOUND')
        .where('purpose', '=', 'COLLECTION_REMINDER')
        .execute();
    expect(await phone()).toHaveLength(2);
    const overridden = await log({ occurredAt: '2026-11-18T11:00:00Z', overrideReason: 'The customer asked to be called back today' }, manager);
    expect(overridden.logInteraction).toEqual({
      interaction: {
        id: expect.any(String),
        contactRuleOverride: {
          rules: [{ code: 'CONTACT_LIMIT_REACHED', rule: 'PHONE/COLLECTION_REMINDER 2 per 1 day' }],
          reason: 'The customer asked to be called back today',
          by: 'bm-sl-1',
        },
      },
      userErrors: [],
    });
    expect(await phone()).toHaveLength(3);
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['actor_id', 'outcome', 'detail'])
      .where('entity_id', '=', overridden.logInteraction.interaction?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({
      actor_id: 'bm-sl-1',
      outcome: 'SUCCEEDED',
      detail: {
        contactOverride: {
          rules: [{ code: 'CONTACT_LIMIT_REACHED', rule: 'PHONE/COLLECTION_REMINDER 2 per 1 day' }],
          reason: 'The customer asked to be called back today',
        },
      },
    });
    // the reason is free text: analysts do not read it
    const READ = `query($id: ID!) { _entities(representations: [{ __typename: "Interaction", id: $id }]) { ... on Interaction { contactRuleOverride { by reason } } } }`;
    const byAnalyst = await svc.graphql<{ _entities: { contactRuleOverride: { by: string; reason: string | null } }[] }>(
      READ,
      { id: overridden.logInteraction.interaction?.id },
      staff.analyst,
    );
    expect(byAnalyst.data?._entities[0]?.contactRuleOverride).toEqual({ by: 'bm-sl-1', reason: null });
    expect((byAnalyst.errors as GqlError[] | undefined)?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // the same check, asked before calling
    const CHECK = `query($c: ID!, $at: DateTime) { contactCheck(customerId: $c, channel: PHONE, purpose: COLLECTION_REMINDER, at: $at) {
      allowed refusals { code rule nextAllowedAt } allowedAgainAt } }`;
    expect((await gql<{ contactCheck: unknown }>(CHECK, { c, at: '2026-11-18T11:30:00Z' }, officer)).contactCheck).toEqual({
      allowed: false,
      refusals: [{ code: 'CONTACT_LIMIT_REACHED', rule: 'PHONE/COLLECTION_REMINDER 2 per 1 day', nextAllowedAt: '2026-11-19T10:00:00.000Z' }],
      allowedAgainAt: '2026-11-19T10:00:00.000Z',
    });
    expect((await gql<{ contactCheck: unknown }>(CHECK, { c, at: '2026-11-19T10:00:00Z' }, officer)).contactCheck).toEqual({
      allowed: true,
      refusals: [],
      allowedAgainAt: null,
    });
    const foreign = await g.customer('sl-contact-foreign', { branchId: 'BR-SL9', relationshipManagerId: 'rm-9' });
    const refused = await svc.graphql(CHECK, { c: foreign, at: null }, officer);
    expect((refused.errors as GqlError[] | undefined)?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets administrators replace the contact rules, and moves planned contact tasks to when the rules allow them', async () => {
    const SET = `mutation($input: SetContactRulesInput!) { setContactRules(input: $input) {
      rules { limits { channel purpose maxContacts periodDays } hours { purpose days from to timeZone } } userErrors { field code } } }`;
    type SetRules = { setContactRules: { rules: unknown; userErrors: Errors } };
    const byManager = await svc.graphql(SET, { input: { limits: [] } }, manager);
    expect((byManager.errors as GqlError[] | undefined)?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await gql<SetRules>(SET, {
      input: {
        limits: [
          { channel: 'PHONE', purpose: 'COLLECTION_REMINDER', maxContacts: 1, periodDays: 3 },
          { channel: 'PHONE', purpose: 'COLLECTION_REMINDER', maxContacts: 2, periodDays: 3 },
        ],
        hours: [{ purpose: 'COLLECTION_REMINDER', days: [1], from: '18:00', to: '09:00', timeZone: 'Nowhere/City' }],
      },
    });
    expect(bad.setContactRules).toEqual({
      rules: null,
      userErrors: [
        { field: 'limits.1', code: 'DUPLICATE_RULE' },
        { field: 'hours.0.to', code: 'INVALID_RANGE' },
        { field: 'hours.0.timeZone', code: 'INVALID_VALUE' },
      ],
    });
    expect(await svc.db.selectFrom('contact_limit').select('max_contacts').execute()).toHaveLength(3);
    const set = await gql<SetRules>(SET, {
      input: {
        limits: [{ channel: 'PHONE', purpose: 'COLLECTION_REMINDER', maxContacts: 1, periodDays: 3 }],
        hours: [{ purpose: 'COLLECTION_REMINDER', days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '23:59' }],
      },
    });
    expect(set.setContactRules).toEqual({
      rules: {
        limits: [{ channel: 'PHONE', purpose: 'COLLECTION_REMINDER', maxContacts: 1, periodDays: 3 }],
        hours: [{ purpose: 'COLLECTION_REMINDER', days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '23:59', timeZone: 'UTC' }],
      },
      userErrors: [],
    });
    const audited = await svc.db.selectFrom('audit_log').select(['actor_id', 'outcome']).where('action', '=', 'setContactRules').orderBy('seq').execute();
    expect(audited).toEqual([
      { actor_id: 'bm-sl-1', outcome: 'FORBIDDEN' },
      { actor_id: 'admin-1', outcome: 'REJECTED' },
      { actor_id: 'admin-1', outcome: 'SUCCEEDED' },
    ]);

    // a collection call an hour ago: the next one is allowed three days later, so the reminder planned now is due then
    const c = await g.customer('sl-defer', { branchId: 'BR-SL1', relationshipManagerId: 'rm-defer' });
    const called = new Date(Math.floor(Date.now() / 1000) * 1000 - HOUR_MS);
    await gql(LOG, {
      input: { customerId: c, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'COLLECTION_REMINDER', summary: 'Reminded', occurredAt: called.toISOString() },
    });
    const today = isoDate(new Date());
    await g.overdue(c, 'sl-defer-loan', 3, today);
    const reminder = (await g.tasksOf(c)).find((t) => t.type === 'COLLECTION_REMINDER');
    expect(reminder).toMatchObject({
      due_at: new Date(called.getTime() + 3 * DAY_MS),
      planning: {
        basePriority: 'NORMAL',
        baseDueAt: endOfDate(today).toISOString(),
        duePercent: 100,
        contactRules: [{ code: 'CONTACT_LIMIT_REACHED', rule: 'PHONE/COLLECTION_REMINDER 1 per 3 days' }],
      },
    });

    // back to Monday-Saturday 08:00-20:00: a reminder due at midnight after a Wednesday is due at 20:00 that Wednesday
    await gql(SET, { input: { hours: [{ purpose: 'COLLECTION_REMINDER', days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '20:00' }] } });
    let wednesday = addDays(today, 2);
    while (new Date(`${wednesday}T00:00:00Z`).getUTCDay() !== 3) wednesday = addDays(wednesday, 1);
    const h = await g.customer('sl-hours', { branchId: 'BR-SL1', relationshipManagerId: 'rm-defer' });
    await g.overdue(h, 'sl-hours-loan', 3, wednesday);
    const fitted = (await g.tasksOf(h)).find((t) => t.type === 'COLLECTION_REMINDER');
    expect(fitted).toMatchObject({
      due_at: new Date(`${wednesday}T20:00:00Z`),
      planning: { baseDueAt: endOfDate(wednesday).toISOString(), contactRules: [{ code: 'OUTSIDE_CONTACT_HOURS', rule: 'COLLECTION_REMINDER hours' }] },
    });
    // the limits were left as they were
    expect(await svc.db.selectFrom('contact_limit').select(['channel', 'max_contacts']).execute()).toEqual([{ channel: 'PHONE', max_contacts: 1 }]);
  });

  it('keeps the customer’s contact time, interests and education level, newest change first', async () => {
    const c = await g.customer('sl-prefs');
    const update = (at: string, changes: { field: string; oldValue: string | null; newValue: string | null }[]) =>
      g.deliver('CustomerProfileUpdated', c, { customerId: c, changes, updatedBy: 'officer-1', updatedAt: at });
    await update('2026-11-20T10:00:00.000Z', [
      { field: 'preferences.contactTime', oldValue: null, newValue: '09:00-12:00' },
      { field: 'preferences.interests', oldValue: null, newValue: 'AGRICULTURE, SAVINGS' },
      { field: 'preferences.educationLevel', oldValue: null, newValue: 'SECONDARY' },
      { field: 'contact.city', oldValue: null, newValue: 'Thiès' },
    ]);
    // an older change arriving late changes nothing
    await update('2026-11-19T10:00:00.000Z', [{ field: 'preferences.contactTime', oldValue: null, newValue: '14:00-16:00' }]);
    expect(await findContactPreferences(svc.db, [c, 'nobody'])).toEqual([
      { customerId: c, contactTime: { from: '09:00', to: '12:00' }, interests: ['AGRICULTURE', 'SAVINGS'], educationLevel: 'SECONDARY' },
      { customerId: 'nobody', contactTime: null, interests: [], educationLevel: null },
    ]);
    await update('2026-11-21T10:00:00.000Z', [
      { field: 'preferences.interests', oldValue: 'AGRICULTURE, SAVINGS', newValue: null },
      { field: 'preferences.contactTime', oldValue: '09:00-12:00', newValue: null },
    ]);
    expect(await findContactPreferences(svc.db, [c])).toEqual([{ customerId: c, contactTime: null, interests: [], educationLevel: 'SECONDARY' }]);
    const row = await svc.db
      .selectFrom('customer_service_profile')
      .select(sql<string>`preferences_at::text`.as('at'))
      .where('customer_id', '=', c)
      .executeTakeFirstOrThrow();
    expect(new Date(row.at).toISOString()).toBe('2026-11-21T10:00:00.000Z');
  });
});
