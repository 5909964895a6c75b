import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { fieldsWithoutRoleRule, type Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

const officer1 = staff.officer; // loan officer of BR-001
const manager1: Identity = { userId: 'bm-1', roles: ['branch_manager'], branchId: 'BR-001' };
const manager2: Identity = { userId: 'bm-2', roles: ['branch_manager'], branchId: 'BR-002' };
const riskOfficer: Identity = { userId: 'risk-1', roles: ['risk_officer'] };
const auditor: Identity = { userId: 'auditor-1', roles: ['auditor'] };

type GqlError = { message: string; path?: string[]; extensions?: Record<string, unknown> };
const codeOf = (res: { errors?: GqlError[] }) => res.errors?.[0]?.extensions?.code;

describe('who may see and change what in engagement', () => {
  it('has a role rule on every Query and Mutation field', () => {
    // built like the runtime does, from the service's own typeDefs and resolvers
    const schema = buildSubgraphSchema({ typeDefs: engagementService.typeDefs, resolvers: engagementService.resolvers as GraphQLResolverMap<unknown> });
    expect(fieldsWithoutRoleRule(schema)).toEqual([]);
  });

  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
    await g.customer('sc-1', { branchId: 'BR-001', relationshipManagerId: 'rm-1', displayName: 'Awa Ndiaye' });
    await g.customer('sc-2', { branchId: 'BR-002', relationshipManagerId: 'rm-2', displayName: 'Moussa Diop' });
    // assigned to officer-1 although in another branch: a loan officer's own customer
    await g.customer('sc-3', { branchId: 'BR-002', relationshipManagerId: officer1.userId, displayName: 'Fatou Sall' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const taskOf = async (customerId: string) =>
    svc.db.selectFrom('task').selectAll().where('customer_id', '=', customerId).orderBy('id').executeTakeFirstOrThrow();

  const TASKS = `query($filter: TaskFilter) { tasks(filter: $filter, first: 50) { edges { node { id customer { id } } } } }`;
  type Tasks = { tasks: { edges: { node: { id: string; customer: { id: string } } }[] } };
  const customersOfTasks = async (as: Identity, filter: Record<string, unknown> = {}) => {
    const res = await svc.graphql<Tasks>(TASKS, { filter }, as);
    expect(res.errors).toBeUndefined();
    return [...new Set(res.data?.tasks.edges.map((e) => e.node.customer.id))].filter((id) => id.startsWith('sc-')).sort();
  };

  it('lists, reads and changes tasks only within the caller’s branch (and a loan officer’s own customers)', async () => {
    expect(await customersOfTasks(officer1)).toEqual(['sc-1', 'sc-3']);
    expect(await customersOfTasks(officer1, { customerId: 'sc-2' })).toEqual([]);
    expect(await customersOfTasks(manager1)).toEqual(['sc-1']);
    expect(await customersOfTasks(manager2)).toEqual(['sc-2', 'sc-3']);
    expect(await customersOfTasks(riskOfficer)).toEqual(['sc-1', 'sc-2', 'sc-3']);
    expect(await customersOfTasks(staff.admin)).toEqual(['sc-1', 'sc-2', 'sc-3']);

    const foreign = await taskOf('sc-2');
    const TASK = `query($id: ID!) { task(id: $id) { id status } }`;
    for (const as of [officer1, manager1]) {
      const res = await svc.graphql(TASK, { id: foreign.id }, as);
      expect(codeOf(res)).toBe('FORBIDDEN');
    }
    expect((await svc.graphql<{ task: { id: string } }>(TASK, { id: foreign.id }, riskOfficer)).data?.task.id).toBe(foreign.id);

    // the reproduction: a loan officer of BR-001 cannot cancel the task of a BR-002 customer
    const CANCEL = `mutation($input: CancelTaskInput!) { cancelTask(input: $input) { task { id status } userErrors { field code } } }`;
    for (const as of [officer1, manager1]) {
      const res = await svc.graphql(CANCEL, { input: { taskId: foreign.id, reason: 'not needed' } }, as);
      expect(codeOf(res)).toBe('FORBIDDEN');
    }
    expect(await taskOf('sc-2')).toEqual(foreign);
    const START = `mutation($input: StartTaskInput!) { startTask(input: $input) { task { status } userErrors { code } } }`;
    expect(codeOf(await svc.graphql(START, { input: { taskId: foreign.id } }, officer1))).toBe('FORBIDDEN');
    expect(await taskOf('sc-2')).toEqual(foreign);
    // ... while the manager of BR-002 can
    const started = await svc.graphql<{ startTask: { task: { status: string } } }>(START, { input: { taskId: foreign.id } }, manager2);
    expect(started.data?.startTask.task.status).toBe('IN_PROGRESS');

    // the worklist of a BR-002 manager shows nothing to a BR-001 officer
    const WORKLIST = `query($a: ID!) { worklist(assigneeId: $a) { edges { node { id } } } }`;
    type W = { worklist: { edges: { node: { id: string } }[] } };
    expect((await svc.graphql<W>(WORKLIST, { a: 'rm-2' }, officer1)).data?.worklist.edges).toEqual([]);
    expect((await svc.graphql<W>(WORKLIST, { a: 'rm-2' }, manager2)).data?.worklist.edges.map((e) => e.node.id)).toEqual([foreign.id]);

    // creating a task for an out-of-scope customer is refused and writes nothing
    const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } userErrors { code } } }`;
    const create = await svc.graphql(CREATE, { input: { customerId: 'sc-2', type: 'FOLLOW_UP', title: 'Call back', dueAt: '2030-01-01T10:00:00Z' } }, officer1);
    expect(codeOf(create)).toBe('FORBIDDEN');
    expect(await svc.db.selectFrom('task').select('id').where('customer_id', '=', 'sc-2').execute()).toHaveLength(1);
  });

  it('scopes interactions, complaints, entity references and fields on Customer', async () => {
    const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { code } } }`;
    const log = (customerId: string, as: Identity) =>
      svc.graphql<{ logInteraction: { interaction: { id: string } | null } }>(
        LOG,
        { input: { customerId, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: `call ${customerId}` } },
        as,
      );
    expect(codeOf(await log('sc-2', officer1))).toBe('FORBIDDEN');
    expect(codeOf(await log('sc-2', manager1))).toBe('FORBIDDEN');
    expect(await svc.db.selectFrom('interaction').select('id').where('customer_id', '=', 'sc-2').execute()).toEqual([]);
    const own = await log('sc-1', officer1);
    const other = await log('sc-2', manager2);
    const foreignInteraction = other.data?.logInteraction.interaction?.id ?? '';
    expect(own.data?.logInteraction.interaction?.id).toBeTruthy();

    const RECEIVE = `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { complaint { id } userErrors { code } } }`;
    const receive = (customerId: string, as: Identity) =>
      svc.graphql<{ receiveComplaint: { complaint: { id: string } | null } }>(
        RECEIVE,
        { input: { customerId, kind: 'COMPLAINT', category: 'FEES', severity: 'LOW', channel: 'BRANCH', description: `fees of ${customerId}` } },
        as,
      );
    expect(codeOf(await receive('sc-2', officer1))).toBe('FORBIDDEN');
    expect(await svc.db.selectFrom('complaint').select('id').where('customer_id', '=', 'sc-2').execute()).toEqual([]);
    const foreignComplaint = (await receive('sc-2', manager2)).data?.receiveComplaint.complaint?.id ?? '';
    await receive('sc-1', manager1);

    const COMPLAINTS = `{ complaints(first: 50) { edges { node { customer { id } } } } }`;
    type C = { complaints: { edges: { node: { customer: { id: string } } }[] } };
    const complaintCustomers = async (as: Identity) => (await svc.graphql<C>(COMPLAINTS, {}, as)).data?.complaints.edges.map((e) => e.node.customer.id).sort();
    expect(await complaintCustomers(officer1)).toEqual(['sc-1']);
    expect(await complaintCustomers(manager1)).toEqual(['sc-1']);
    expect(await complaintCustomers(riskOfficer)).toEqual(['sc-1', 'sc-2']);
    expect(codeOf(await svc.graphql(`query($id: ID!) { complaint(id: $id) { id } }`, { id: foreignComplaint }, officer1))).toBe('FORBIDDEN');
    const CHANGE = `mutation($input: ChangeComplaintStatusInput!) { changeComplaintStatus(input: $input) { complaint { status } userErrors { code } } }`;
    expect(codeOf(await svc.graphql(CHANGE, { input: { complaintId: foreignComplaint, status: 'ACKNOWLEDGED' } }, manager1))).toBe('FORBIDDEN');
    const RESOLVE = `mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { complaint { status } userErrors { code } } }`;
    expect(codeOf(await svc.graphql(RESOLVE, { input: { complaintId: foreignComplaint, resolution: 'refunded' } }, officer1))).toBe('FORBIDDEN');
    expect((await svc.db.selectFrom('complaint').select('status').where('id', '=', foreignComplaint).executeTakeFirstOrThrow()).status).toBe('RECEIVED');

    const INTERACTIONS = `{ interactions(first: 50) { edges { node { customer { id } } } } }`;
    type I = { interactions: { edges: { node: { customer: { id: string } } }[] } };
    expect((await svc.graphql<I>(INTERACTIONS, {}, officer1)).data?.interactions.edges.map((e) => e.node.customer.id)).toEqual(['sc-1']);

    // _entities: out-of-scope records resolve to null, out-of-scope customers have nothing
    const foreignTask = (await taskOf('sc-2')).id;
    const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Task { id } ... on Complaint { id } ... on Interaction { id }
      ... on Customer { id tasks { edges { node { id } } } interactions { edges { node { id } } } complaints { edges { node { id } } } churnRisk { level } } } }`;
    const reps = [
      { __typename: 'Task', id: foreignTask },
      { __typename: 'Complaint', id: foreignComplaint },
      { __typename: 'Interaction', id: foreignInteraction },
      { __typename: 'Customer', id: 'sc-2' },
    ];
    type E = { _entities: ({ id: string; tasks?: { edges: unknown[] }; interactions?: { edges: unknown[] }; complaints?: { edges: unknown[] } } | null)[] };
    const asOfficer = await svc.graphql<E>(ENTITIES, { r: reps }, officer1);
    expect(asOfficer.errors).toBeUndefined();
    expect(asOfficer.data?._entities.slice(0, 3)).toEqual([null, null, null]);
    expect(asOfficer.data?._entities[3]).toMatchObject({ id: 'sc-2', tasks: { edges: [] }, interactions: { edges: [] }, complaints: { edges: [] } });
    const asRisk = await svc.graphql<E>(ENTITIES, { r: reps }, riskOfficer);
    expect(asRisk.data?._entities.slice(0, 3).map((e) => e?.id)).toEqual([foreignTask, foreignComplaint, foreignInteraction]);
    expect(asRisk.data?._entities[3]?.tasks?.edges).toHaveLength(1);
  });

  it('hides free text from analysts on that field only', async () => {
    const Q = `query($id: ID!) { task(id: $id) { id status title description } }`;
    const task = await taskOf('sc-1');
    const res = await svc.graphql<{ task: { id: string; status: string; title: string | null } }>(Q, { id: task.id }, staff.analyst);
    expect(res.data?.task).toMatchObject({ id: task.id, status: task.status, title: null, description: null });
    expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['task.title', 'FORBIDDEN'],
      ['task.description', 'FORBIDDEN'],
    ]);
    const asOfficer = await svc.graphql<{ task: { title: string | null } }>(Q, { id: task.id }, officer1);
    expect(asOfficer.errors).toBeUndefined();
    expect(asOfficer.data?.task.title).toBe(task.title);
    const I = `{ interactions(first: 5) { edges { node { id channel summary } } } }`;
    const interactions = await svc.graphql<{ interactions: { edges: { node: { channel: string; summary: string | null } }[] } }>(I, {}, staff.analyst);
    expect(interactions.data?.interactions.edges.length).toBeGreaterThan(0);
    expect(interactions.data?.interactions.edges.every((e) => e.node.summary === null && e.node.channel === 'PHONE')).toBe(true);
    expect(interactions.errors?.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'summary')).toBe(true);
  });

  it('counts only in-scope responses in NPS and CSAT', async () => {
    const DEFINE = `mutation($input: DefineSurveyInput!) { defineSurvey(input: $input) { survey { id } userErrors { code } } }`;
    const defined = await svc.graphql<{ defineSurvey: { survey: { id: string } } }>(
      DEFINE,
      { input: { name: 'Scope pulse', questions: [{ code: 'nps', kind: 'NPS', text: 'Recommend us?' }] } },
      staff.admin,
    );
    const surveyId = defined.data?.defineSurvey.survey.id ?? '';
    const DISPATCH = `mutation($input: DispatchSurveyInput!) { dispatchSurvey(input: $input) { dispatches { id customer { id } } userErrors { code } } }`;
    // a BR-001 manager may not send it to a BR-002 customer
    expect(codeOf(await svc.graphql(DISPATCH, { input: { surveyId, customerIds: ['sc-1', 'sc-2'] } }, manager1))).toBe('FORBIDDEN');
    expect(await svc.db.selectFrom('survey_dispatch').select('id').where('survey_id', '=', surveyId).execute()).toEqual([]);
    const sent = await svc.graphql<{ dispatchSurvey: { dispatches: { id: string; customer: { id: string } }[] } }>(
      DISPATCH,
      { input: { surveyId, customerIds: ['sc-1', 'sc-2'] } },
      staff.admin,
    );
    const dispatchOf = (c: string) => sent.data?.dispatchSurvey.dispatches.find((d) => d.customer.id === c)?.id ?? '';
    const RESPOND = `mutation($input: RespondToSurveyInput!) { respondToSurvey(input: $input) { response { id } userErrors { code } } }`;
    expect(codeOf(await svc.graphql(RESPOND, { input: { dispatchId: dispatchOf('sc-2'), answers: [{ code: 'nps', score: 10 }] } }, officer1))).toBe(
      'FORBIDDEN',
    );
    expect(await svc.db.selectFrom('survey_response').select('id').where('survey_id', '=', surveyId).execute()).toEqual([]);
    await svc.graphql(RESPOND, { input: { dispatchId: dispatchOf('sc-1'), answers: [{ code: 'nps', score: 9 }] } }, manager1);
    await svc.graphql(RESPOND, { input: { dispatchId: dispatchOf('sc-2'), answers: [{ code: 'nps', score: 10 }] } }, manager2);
    const RESULTS = `query($f: SurveyResultsFilter!) { surveyResults(filter: $f) { key responses promoters } }`;
    type R = { surveyResults: { key: string; responses: number }[] };
    const results = async (as: Identity) => (await svc.graphql<R>(RESULTS, { f: { groupBy: 'BRANCH', surveyId } }, as)).data?.surveyResults;
    expect(await results(manager1)).toEqual([{ key: 'BR-001', responses: 1, promoters: 1 }]);
    expect(await results(manager2)).toEqual([{ key: 'BR-002', responses: 1, promoters: 1 }]);
    expect((await results(staff.analyst))?.map((r) => r.key)).toEqual(['BR-001', 'BR-002']);
    const D = `query($s: ID) { surveyDispatches(filter: { surveyId: $s }) { edges { node { customer { id } } } } }`;
    const seen = await svc.graphql<{ surveyDispatches: { edges: { node: { customer: { id: string } } }[] } }>(D, { s: surveyId }, manager1);
    expect(seen.data?.surveyDispatches.edges.map((e) => e.node.customer.id)).toEqual(['sc-1']);
  });

  it('follows a customer moving branch (CustomerProfileUpdated, idempotent)', async () => {
    const move = await g.deliver('CustomerProfileUpdated', 'sc-1', {
      customerId: 'sc-1',
      changes: [{ field: 'branchId', oldValue: 'BR-001', newValue: 'BR-002' }],
      updatedBy: 'bm-1',
      updatedAt: new Date().toISOString(),
    });
    await move.redeliver();
    expect((await svc.db.selectFrom('customer_replica').select('branch_id').where('id', '=', 'sc-1').executeTakeFirstOrThrow()).branch_id).toBe('BR-002');
    expect(await customersOfTasks(manager1)).toEqual([]);
    expect(await customersOfTasks(manager2)).toEqual(['sc-1', 'sc-2', 'sc-3']);
    // an older change arriving late does not move the customer back
    await g.deliver('CustomerProfileUpdated', 'sc-1', {
      customerId: 'sc-1',
      changes: [{ field: 'branchId', oldValue: 'BR-003', newValue: 'BR-001' }],
      updatedBy: 'bm-1',
      updatedAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    expect((await svc.db.selectFrom('customer_replica').select('branch_id').where('id', '=', 'sc-1').executeTakeFirstOrThrow()).branch_id).toBe('BR-002');
  });

  it('keeps an audit trail of every mutation, readable by administrators and auditors only, append-only', async () => {
    const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { code } } }`;
    const logged = await svc.graphql(
      LOG,
      { input: { customerId: 'sc-3', channel: 'SMS', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'hello' } },
      officer1,
    );
    expect(logged.errors).toBeUndefined();
    const CANCEL = `mutation($input: CancelTaskInput!) { cancelTask(input: $input) { task { id } userErrors { code } } }`;
    const blank = await svc.graphql<{ cancelTask: { userErrors: { code: string }[] } }>(
      CANCEL,
      { input: { taskId: (await taskOf('sc-2')).id, reason: '  ' } },
      manager2,
    );
    expect(blank.data?.cancelTask.userErrors.map((e) => e.code)).toEqual(['TOO_SMALL']);
    const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } userErrors { code } } }`;
    const refused = await svc.graphql(CREATE, { input: { customerId: 'sc-3', type: 'FOLLOW_UP', title: 'x', dueAt: '2030-01-01T10:00:00Z' } }, staff.analyst);
    expect(codeOf(refused)).toBe('FORBIDDEN');

    const TRAIL = `query($f: AuditFilter) { engagementAuditTrail(filter: $f, first: 100) { edges { node { actorId actorRoles actorBranch action outcome service } } } }`;
    type T = { engagementAuditTrail: { edges: { node: { actorId: string; action: string; outcome: string; actorBranch: string | null } }[] } };
    const trail = async (actorId: string, as: Identity = staff.admin) => {
      const res = await svc.graphql<T>(TRAIL, { f: { actorId } }, as);
      expect(res.errors).toBeUndefined();
      return res.data?.engagementAuditTrail.edges.map((e) => [e.node.action, e.node.outcome]) ?? [];
    };
    expect(await trail(officer1.userId)).toContainEqual(['logInteraction', 'SUCCEEDED']);
    // refusals by scope are on the record too
    expect(await trail(officer1.userId)).toContainEqual(['cancelTask', 'FORBIDDEN']);
    expect(await trail(manager2.userId)).toContainEqual(['cancelTask', 'REJECTED']);
    expect(await trail(staff.analyst.userId, auditor)).toContainEqual(['createTask', 'FORBIDDEN']);
    const one = await svc.graphql<T>(TRAIL, { f: { actorId: manager2.userId, action: 'cancelTask' } }, staff.admin);
    expect(one.data?.engagementAuditTrail.edges[0]?.node).toMatchObject({ actorId: 'bm-2', actorBranch: 'BR-002', service: 'engagement' });

    // a command writes its record in its own transaction, with the before/after of what changed
    const task = await taskOf('sc-2');
    const cancelled = await svc.graphql<{ cancelTask: { userErrors: unknown[] } }>(CANCEL, { input: { taskId: task.id, reason: 'duplicate' } }, manager2);
    expect(cancelled.data?.cancelTask.userErrors).toEqual([]);
    const CHANGES = `query($f: AuditFilter) { engagementAuditTrail(filter: $f) { edges { node { action outcome entityType entityId changes { field before after } } } } }`;
    type Ch = {
      engagementAuditTrail: {
        edges: { node: { outcome: string; entityType: string; changes: { field: string; before: string | null; after: string | null }[] } }[];
      };
    };
    const record = await svc.graphql<Ch>(CHANGES, { f: { entityId: task.id, action: 'cancelTask', actorId: 'bm-2' } }, auditor);
    const succeeded = record.data?.engagementAuditTrail.edges.map((e) => e.node).find((n) => n.outcome === 'SUCCEEDED');
    expect(succeeded?.entityType).toBe('Task');
    expect(succeeded?.changes).toContainEqual({ field: 'status', before: '"IN_PROGRESS"', after: '"CANCELLED"' });

    expect(codeOf(await svc.graphql(TRAIL, { f: {} }, staff.analyst))).toBe('FORBIDDEN');
    expect(codeOf(await svc.graphql(TRAIL, { f: {} }, manager1))).toBe('FORBIDDEN');
    await expect(svc.db.updateTable('audit_log').set({ action: 'tampered' }).execute()).rejects.toThrow();
    await expect(svc.db.deleteFrom('audit_log').execute()).rejects.toThrow();
  });
});
