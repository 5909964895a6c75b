import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Issue 12 (BI reads) for engagement: the nested connections paged without gaps or repeats (ties on
 * the sort key included, several parents in one request), the top-level lists with their filters,
 * and the `changedSince` feeds (with concurrent writers through GraphQL on PostgreSQL).
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

type Page<T> = { totalCount?: number; edges: { cursor: string; node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
const PAGE = 'totalCount edges { cursor node { %s } } pageInfo { hasNextPage endCursor }';
const page = (node: string) => PAGE.replace('%s', node);

const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { code } } }`;
const RECEIVE = `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { complaint { id } userErrors { code } } }`;
const CHANGE = `mutation($input: ChangeComplaintStatusInput!) { changeComplaintStatus(input: $input) { userErrors { code } } }`;
const CREATE_TASK = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } userErrors { code } } }`;
const START_TASK = `mutation($input: StartTaskInput!) { startTask(input: $input) { userErrors { code } } }`;
const CREATE_EVENT = `mutation($input: CreateCareEventInput!) { createCareEvent(input: $input) { event { id } userErrors { code } } }`;
const INVITE = `mutation($input: InviteToCareEventInput!) { inviteToCareEvent(input: $input) { userErrors { code } } }`;

describe('engagement for BI tools', () => {
  let svc: TestService<DB>;
  const manager = (branchId: string): Identity => ({ userId: `bm-${branchId}`, roles: ['branch_manager'], branchId });
  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_reporting' });
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function ok<T>(query: string, variables: Record<string, unknown>, as: Identity = staff.admin): Promise<T> {
    const res = await svc.graphql<T>(query, variables, as);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  }
  async function mutate(query: string, input: Record<string, unknown>, as: Identity): Promise<string | undefined> {
    const res = await svc.graphql<Record<string, { userErrors: unknown[] } & Record<string, { id: string } | unknown>>>(query, { input }, as);
    expect(res.errors).toBeUndefined();
    const payload = Object.values(res.data ?? {})[0];
    expect(payload?.userErrors).toEqual([]);
    const entity = Object.values(payload ?? {}).find((v) => v && typeof v === 'object' && !Array.isArray(v) && 'id' in v) as { id: string } | undefined;
    return entity?.id;
  }

  /**
   * Pages one parent's connection two rows at a time (`pick` finds it in the response); every
   * page asks all parents at once with the same cursor. Returns the node keys in order.
   */
  async function crawl<T>(
    query: string,
    variables: Record<string, unknown>,
    pick: (data: never) => Page<T> | undefined,
    key: (n: T, cursor: string) => string,
    as: Identity = staff.admin,
  ) {
    const seen: string[] = [];
    let total: number | undefined;
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const data = await ok<never>(query, { ...variables, first: 2, after }, as);
      const p = pick(data);
      if (!p) throw new Error('parent missing');
      total = p.totalCount;
      seen.push(...p.edges.map((e) => key(e.node, e.cursor)));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(new Set(seen).size, 'no repeats').toBe(seen.length);
    expect(seen.length, 'totalCount').toBe(total);
    return seen;
  }

  it('pages every nested connection of several parents at once, without gaps or repeats, ties on the sort key included', async () => {
    const g = given(svc);
    const as = manager('BR-NEST');
    const customers = ['nest-1', 'nest-2', 'nest-3', 'nest-4', 'nest-5'];
    for (const id of customers) {
      await g.customer(id, { branchId: 'BR-NEST', relationshipManagerId: 'rm-nest' });
      await g.consent(id, true);
    }
    const tie = '2026-10-01T10:00:00.000Z';
    const later = new Date(Date.now() + 86_400_000);
    for (const id of customers.slice(0, 2)) {
      for (const occurredAt of [tie, '2026-10-02T10:00:00.000Z', tie, tie, '2026-09-30T10:00:00.000Z'])
        await mutate(LOG, { customerId: id, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'CARE', summary: 'call', occurredAt }, as);
      for (let i = 0; i < 3; i++) {
        await mutate(CREATE_TASK, { customerId: id, type: 'FOLLOW_UP', title: `t${i}`, dueAt: '2026-12-31T00:00:00.000Z' }, as);
        const complaintId = await mutate(
          RECEIVE,
          { customerId: id, kind: 'COMPLAINT', category: 'FEES', severity: 'LOW', channel: 'PHONE', description: 'x' },
          as,
        );
        // four more status changes at one instant, after the receipt: ties on changed_at
        await svc.db
          .insertInto('complaint_history')
          .values(
            ['a', 'b', 'c', 'd'].map((s) => ({
              id: `${complaintId}-h-${s}`,
              complaint_id: complaintId ?? '',
              from_status: 'RECEIVED' as const,
              to_status: 'ACKNOWLEDGED' as const,
              note: null,
              changed_by: 'x',
              changed_at: later,
            })),
          )
          .execute();
      }
    }
    // two events, five guests invited in one call each (one instant: ties broken by customer id)
    const start = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const events: string[] = [];
    for (const title of ['Talk', 'Day']) {
      const id = (await mutate(CREATE_EVENT, { title, kind: 'EDUCATION_TALK', branchId: 'BR-NEST', startsAt: start }, as)) ?? '';
      await mutate(INVITE, { eventId: id, customerIds: [...customers].reverse() }, as);
      events.push(id);
    }
    // two surveys with five responses each, three at one instant
    for (const s of ['sv-nest-1', 'sv-nest-2']) {
      await svc.db
        .insertInto('survey')
        .values({ id: s, name: s, trigger: null, questions: '[]', created_by: 'x', created_at: new Date(tie) })
        .execute();
      for (const [i, customer] of customers.entries()) {
        const at = new Date(i < 3 ? tie : `2026-10-0${i + 2}T00:00:00.000Z`);
        await svc.db
          .insertInto('survey_dispatch')
          .values({
            id: `${s}-d${i}`,
            survey_id: s,
            customer_id: customer,
            trigger: null,
            source_key: `${s}:${i}`,
            branch_id: 'BR-NEST',
            officer_id: 'rm-nest',
            dispatched_by: null,
            dispatched_at: at,
          })
          .execute();
        await svc.db
          .insertInto('survey_response')
          .values({
            id: `${s}-r${i}`,
            dispatch_id: `${s}-d${i}`,
            survey_id: s,
            customer_id: customer,
            nps_score: 9,
            csat_score: null,
            answers: '[]',
            branch_id: 'BR-NEST',
            officer_id: 'rm-nest',
            responded_at: at,
          })
          .execute();
      }
    }

    const CUSTOMERS = (field: string, node: string) => /* GraphQL */ `
      query($first: Int!, $after: String) {
        _entities(representations: [{ __typename: "Customer", id: "nest-1" }, { __typename: "Customer", id: "nest-2" }]) {
          ... on Customer { id ${field}(first: $first, after: $after) { ${page(node)} } }
        }
      }`;
    type Entities<F extends string, T> = { _entities: ({ id: string } & Record<F, Page<T>>)[] };
    for (const id of ['nest-1', 'nest-2']) {
      const interactions = await crawl(
        CUSTOMERS('interactions', 'id occurredAt'),
        {},
        (d: Entities<'interactions', { id: string; occurredAt: string }>) => d._entities.find((e) => e.id === id)?.interactions,
        (n) => `${n.occurredAt}|${n.id}`,
        as,
      );
      expect(interactions).toHaveLength(5);
      // most recent first; the three at one instant by id, descending
      expect(interactions).toEqual([...interactions].sort().reverse());
      const tasks = await crawl(
        CUSTOMERS('tasks', 'id'),
        {},
        (d: Entities<'tasks', { id: string }>) => d._entities.find((e) => e.id === id)?.tasks,
        (n) => n.id,
        as,
      );
      expect(tasks).toHaveLength(4); // three by hand and the welcome call
      const complaints = await crawl(
        CUSTOMERS('complaints', 'id'),
        {},
        (d: Entities<'complaints', { id: string }>) => d._entities.find((e) => e.id === id)?.complaints,
        (n) => n.id,
        as,
      );
      expect(complaints).toHaveLength(3);
    }

    const HISTORY = /* GraphQL */ `
      query($first: Int!, $after: String) {
        complaints(filter: { branchId: "BR-NEST" }, first: 10) { edges { node { id history(first: $first, after: $after) { ${page('toStatus changedAt')} } } } }
      }`;
    type Complaints = { complaints: { edges: { node: { id: string; history: Page<{ toStatus: string; changedAt: string }> } }[] } };
    const complaintIds = (await ok<Complaints>(HISTORY, { first: 1, after: null }, as)).complaints.edges.map((e) => e.node.id);
    expect(complaintIds).toHaveLength(6);
    for (const id of complaintIds) {
      const history = await crawl(
        HISTORY,
        {},
        (d: Complaints) => d.complaints.edges.find((e) => e.node.id === id)?.node.history,
        (n, cursor) => `${n.changedAt}|${n.toStatus}|${cursor}`,
        as,
      );
      expect(history.map((h) => h.split('|')[1])).toEqual(['RECEIVED', 'ACKNOWLEDGED', 'ACKNOWLEDGED', 'ACKNOWLEDGED', 'ACKNOWLEDGED']);
    }
    // the keys of history rows at one instant are distinct only by id: check via cursors
    const full = await ok<Complaints>(HISTORY, { first: 50, after: null }, as);
    for (const e of full.complaints.edges) expect(new Set(e.node.history.edges.map((h) => h.cursor)).size).toBe(5);

    const INVITATIONS = /* GraphQL */ `
      query($first: Int!, $after: String) {
        careEvents(first: 50) { edges { node { id invitedCount invitations(first: $first, after: $after) { ${page('customer { id } status invitedAt')} } } } }
      }`;
    type Events = { careEvents: { edges: { node: { id: string; invitedCount: number; invitations: Page<{ customer: { id: string } }> } }[] } };
    for (const id of events) {
      const guests = await crawl(
        INVITATIONS,
        {},
        (d: Events) => d.careEvents.edges.find((e) => e.node.id === id)?.node.invitations,
        (n) => n.customer.id,
        as,
      );
      expect(guests).toEqual(customers);
    }

    const RESPONSES = /* GraphQL */ `
      query($first: Int!, $after: String) {
        _entities(representations: [{ __typename: "Survey", id: "sv-nest-1" }, { __typename: "Survey", id: "sv-nest-2" }]) {
          ... on Survey { id responses(first: $first, after: $after) { ${page('id respondedAt customer { id }')} } }
        }
      }`;
    type Surveys = { _entities: { id: string; responses: Page<{ id: string; respondedAt: string }> }[] };
    for (const s of ['sv-nest-1', 'sv-nest-2']) {
      const responses = await crawl(
        RESPONSES,
        {},
        (d: Surveys) => d._entities.find((e) => e.id === s)?.responses,
        (n) => n.id,
        as,
      );
      expect(responses).toEqual([`${s}-r4`, `${s}-r3`, `${s}-r2`, `${s}-r1`, `${s}-r0`]);
    }
  }, 240_000);

  it('lists survey responses, churn scores, interactions, tasks and complaints with filters, keyset paging and ties', async () => {
    const g = given(svc);
    const as = manager('BR-LIST');
    for (const id of ['list-1', 'list-2', 'list-3']) await g.customer(id, { branchId: 'BR-LIST', relationshipManagerId: id === 'list-3' ? 'rm-y' : 'rm-x' });
    await g.customer('list-other', { branchId: 'BR-ELSEWHERE' });
    // churn scores: three on one date, one later, one of another branch
    await svc.db
      .insertInto('churn_risk')
      .values(
        (
          [
            ['list-1', '2026-11-01', 'HIGH'],
            ['list-2', '2026-11-01', 'LOW'],
            ['list-3', '2026-11-01', 'HIGH'],
            ['list-other', '2026-11-02', 'HIGH'],
          ] as const
        ).map(([customer_id, as_of, level]) => ({ customer_id, as_of, level, score: '10.00', signals: '[]', computed_at: new Date() })),
      )
      .execute();
    const CHURN = /* GraphQL */ `
      query($filter: ChurnScoreFilter, $first: Int!, $after: String) { churnScores(filter: $filter, first: $first, after: $after) { ${page('customer { id } level asOf computedAt')} } }`;
    type Churn = { churnScores: Page<{ customer: { id: string }; level: string }> };
    expect(
      await crawl(
        CHURN,
        { filter: { branchId: 'BR-LIST' } },
        (d: Churn) => d.churnScores,
        (n) => n.customer.id,
        staff.analyst,
      ),
    ).toEqual(['list-3', 'list-2', 'list-1']);
    expect(
      await crawl(
        CHURN,
        { filter: { relationshipManagerId: 'rm-x', level: ['HIGH'] } },
        (d: Churn) => d.churnScores,
        (n) => n.customer.id,
      ),
    ).toEqual(['list-1']);
    // a branch manager sees their branch only, whatever the filter
    expect(
      await crawl(
        CHURN,
        { filter: { level: ['HIGH'] } },
        (d: Churn) => d.churnScores,
        (n) => n.customer.id,
        as,
      ),
    ).toEqual(['list-3', 'list-1']);
    expect(
      await crawl(
        CHURN,
        { filter: { asOfFrom: '2026-11-02' } },
        (d: Churn) => d.churnScores,
        (n) => n.customer.id,
      ),
    ).toContain('list-other');

    const tie = '2026-11-03T08:00:00.000Z';
    for (const [customerId, occurredAt, channel] of [
      ['list-1', tie, 'PHONE'],
      ['list-2', tie, 'PHONE'],
      ['list-3', tie, 'SMS'],
      ['list-1', '2026-11-04T08:00:00.000Z', 'PHONE'],
    ] as const)
      await mutate(LOG, { customerId, channel, direction: 'OUTBOUND', purpose: 'SERVICE', summary: 's', occurredAt }, as);
    const INTERACTIONS = /* GraphQL */ `
      query($filter: InteractionFilter, $first: Int!, $after: String) { interactions(filter: $filter, first: $first, after: $after) { ${page('id customer { id } occurredAt')} } }`;
    type Interactions = { interactions: Page<{ id: string; customer: { id: string }; occurredAt: string }> };
    const all = await crawl(
      INTERACTIONS,
      { filter: { branchId: 'BR-LIST' } },
      (d: Interactions) => d.interactions,
      (n) => `${n.occurredAt}|${n.id}`,
    );
    expect(all).toHaveLength(4);
    expect(all).toEqual([...all].sort().reverse());
    expect(
      await crawl(
        INTERACTIONS,
        { filter: { branchId: 'BR-LIST', channel: ['PHONE'], to: '2026-11-04T00:00:00.000Z' } },
        (d: Interactions) => d.interactions,
        (n) => n.customer.id,
      ),
    ).toEqual(expect.arrayContaining(['list-1', 'list-2']));

    for (const [customerId, dueAt] of [
      ['list-1', '2026-12-10T00:00:00.000Z'],
      ['list-2', '2026-12-20T00:00:00.000Z'],
      ['list-3', '2027-01-10T00:00:00.000Z'],
    ] as const)
      await mutate(CREATE_TASK, { customerId, type: 'RETENTION', title: 'call', dueAt, assigneeId: 'rm-x' }, as);
    const TASKS = /* GraphQL */ `
      query($filter: TaskFilter, $first: Int!, $after: String) { tasks(filter: $filter, first: $first, after: $after) { ${page('customer { id } dueAt')} } }`;
    type Tasks = { tasks: Page<{ customer: { id: string } }> };
    const december = { branchId: 'BR-LIST', type: ['RETENTION'], assigneeId: 'rm-x', dueFrom: '2026-12-01T00:00:00.000Z', dueTo: '2027-01-01T00:00:00.000Z' };
    expect(
      await crawl(
        TASKS,
        { filter: december },
        (d: Tasks) => d.tasks,
        (n) => n.customer.id,
      ),
    ).toEqual(['list-2', 'list-1']);

    for (const customerId of ['list-1', 'list-2', 'list-3'])
      await mutate(
        RECEIVE,
        { customerId, kind: 'COMPLAINT', category: 'PROCESS', severity: 'HIGH', channel: 'EMAIL', description: 'x', assigneeId: 'ag-list' },
        as,
      );
    const COMPLAINTS = /* GraphQL */ `
      query($filter: ComplaintFilter, $first: Int!, $after: String) { complaints(filter: $filter, first: $first, after: $after) { ${page('customer { id }')} } }`;
    type Complaints = { complaints: Page<{ customer: { id: string } }> };
    const filter = { branchId: 'BR-LIST', assigneeId: 'ag-list', channel: ['EMAIL'], kind: ['COMPLAINT'], receivedFrom: '2020-01-01T00:00:00.000Z' };
    expect(
      await crawl(
        COMPLAINTS,
        { filter },
        (d: Complaints) => d.complaints,
        (n) => n.customer.id,
      ),
    ).toEqual(['list-3', 'list-2', 'list-1']);

    const RESPONSES = /* GraphQL */ `
      query($filter: SurveyResponseFilter, $first: Int!, $after: String) { surveyResponses(filter: $filter, first: $first, after: $after) { ${page('id survey { id } branchId officerId')} } }`;
    type Responses = { surveyResponses: Page<{ id: string }> };
    // the responses of the nested test: five per survey, three at one instant
    const responses = await crawl(
      RESPONSES,
      { filter: { branchId: 'BR-NEST', from: '2026-10-01', to: '2026-10-31' } },
      (d: Responses) => d.surveyResponses,
      (n) => n.id,
    );
    expect(responses).toHaveLength(10);
    expect(
      await crawl(
        RESPONSES,
        { filter: { surveyId: 'sv-nest-2', officerId: 'rm-nest', to: '2026-10-01' } },
        (d: Responses) => d.surveyResponses,
        (n) => n.id,
      ),
    ).toEqual(['sv-nest-2-r2', 'sv-nest-2-r1', 'sv-nest-2-r0']);
  }, 240_000);

  /** Pulls a feed until it is dry; returns the node ids seen and the cursor to pull from next. */
  async function pullAll(field: string, filterType: string, filter: Record<string, unknown>, since: string, as: Identity = staff.admin) {
    const FEED = `query($filter: ${filterType}, $since: String!) { ${field}(filter: $filter, first: 3, changedSince: $since) { totalCount edges { cursor node { ${
      field === 'churnScores' ? 'customer { id }' : 'id'
    } } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let cursor = since;
    for (let guard = 0; guard < 200; guard++) {
      const data = await ok<Record<string, Page<{ id?: string; customer?: { id: string } }>>>(FEED, { filter, since: cursor }, as);
      const p = data[field];
      if (!p) throw new Error('no page');
      seen.push(...p.edges.map((e) => e.node.id ?? e.node.customer?.id ?? ''));
      cursor = p.pageInfo.endCursor ?? cursor;
      if (!p.pageInfo.hasNextPage) return { seen, next: cursor };
    }
    throw new Error('feed did not end');
  }

  /**
   * Pulls until `count` rows came (or 30 s passed): a row shows in the feed once every transaction
   * that started before it finished, and on a shared PostgreSQL other sessions' transactions hold
   * that horizon back for a moment. Returns everything seen, repeats included.
   */
  async function pullUntil(field: string, filterType: string, filter: Record<string, unknown>, since: string, count: number, as: Identity = staff.admin) {
    const seen: string[] = [];
    let next = since;
    const deadline = Date.now() + 30_000;
    do {
      const p = await pullAll(field, filterType, filter, next, as);
      seen.push(...p.seen);
      next = p.next;
      if (seen.length >= count) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    return { seen, next };
  }

  it('reads every list incrementally with changedSince: everything once, then only what changed, in order', async () => {
    const g = given(svc);
    const as = manager('BR-FEED');
    const ids = ['feed-1', 'feed-2', 'feed-3'];
    for (const id of ids) await g.customer(id, { branchId: 'BR-FEED' });
    const interactions: string[] = [];
    const complaints: string[] = [];
    for (const customerId of ids) {
      interactions.push((await mutate(LOG, { customerId, channel: 'SMS', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 's' }, as)) ?? '');
      complaints.push(
        (await mutate(RECEIVE, { customerId, kind: 'COMPLAINT', category: 'OTHER', severity: 'LOW', channel: 'SMS', description: 'x' }, as)) ?? '',
      );
    }
    const tasks = (await g.tasksOf('feed-1')).concat(await g.tasksOf('feed-2'), await g.tasksOf('feed-3')).map((t) => t.id); // the welcome calls
    await svc.db
      .insertInto('churn_risk')
      .values(ids.map((customer_id) => ({ customer_id, as_of: '2026-11-05', level: 'LOW' as const, score: '5.00', signals: '[]', computed_at: new Date() })))
      .execute();
    const branch = { branchId: 'BR-FEED' };
    const lists = [
      ['interactions', 'InteractionFilter', interactions],
      ['complaints', 'ComplaintFilter', complaints],
      ['tasks', 'TaskFilter', tasks],
      ['churnScores', 'ChurnScoreFilter', ids],
    ] as const;
    const cursors: Record<string, string> = {};
    for (const [field, type, expected] of lists) {
      const first = await pullUntil(field, type, branch, '*', expected.length, as);
      expect(first.seen.sort(), field).toEqual([...expected].sort());
      // nothing new: the same cursor comes back
      expect(await pullAll(field, type, branch, first.next, as), field).toEqual({ seen: [], next: first.next });
      cursors[field] = first.next;
    }
    // one change each: the row comes again, once
    await svc.db
      .updateTable('interaction')
      .set({ outcome: 'reached' })
      .where('id', '=', interactions[1] ?? '')
      .execute();
    await mutate(CHANGE, { complaintId: complaints[2], status: 'ACKNOWLEDGED' }, as);
    await mutate(START_TASK, { taskId: tasks[0] }, as);
    await svc.db.updateTable('churn_risk').set({ level: 'HIGH', score: '70.00' }).where('customer_id', '=', 'feed-2').execute();
    const changed = { interactions: [interactions[1]], complaints: [complaints[2]], tasks: [tasks[0]], churnScores: ['feed-2'] };
    for (const [field, type] of lists) {
      const second = await pullUntil(field, type, branch, cursors[field] ?? '*', 1, as);
      expect(second.seen, field).toEqual(changed[field]);
    }
    // survey responses: the feed of the nested test's rows, then one answer changed
    const rs = await pullUntil('surveyResponses', 'SurveyResponseFilter', { surveyId: 'sv-nest-1' }, '*', 5);
    expect(rs.seen.sort()).toEqual(['sv-nest-1-r0', 'sv-nest-1-r1', 'sv-nest-1-r2', 'sv-nest-1-r3', 'sv-nest-1-r4']);
    await svc.db.updateTable('survey_response').set({ csat_score: 4 }).where('id', '=', 'sv-nest-1-r3').execute();
    expect((await pullUntil('surveyResponses', 'SurveyResponseFilter', { surveyId: 'sv-nest-1' }, rs.next, 1)).seen).toEqual(['sv-nest-1-r3']);

    // totalCount in a pull counts what changed after the cursor
    const COUNT = `query($since: String!) { tasks(filter: { branchId: "BR-FEED" }, changedSince: $since, first: 1) { totalCount } }`;
    expect((await ok<{ tasks: { totalCount: number } }>(COUNT, { since: cursors.tasks }, as)).tasks.totalCount).toBe(1);
    // bad input: a malformed cursor, and after with changedSince
    const bad = await svc.graphql(`query { complaints(changedSince: "not-a-cursor") { edges { cursor } } }`, {}, as);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'changedSince' });
    const both = await svc.graphql(`query { interactions(changedSince: "*", after: "x") { edges { cursor } } }`, {}, as);
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  }, 240_000);

  it.runIf(onPostgres)(
    'misses no complaint or interaction while writers add and change them during the crawl (GraphQL, PostgreSQL)',
    async () => {
      const g = given(svc);
      const as = manager('BR-SYNC');
      const customers = ['sync-1', 'sync-2', 'sync-3', 'sync-4'];
      for (const id of customers) await g.customer(id, { branchId: 'BR-SYNC' });
      const existing: string[] = [];
      for (let i = 0; i < 8; i++)
        existing.push(
          (await mutate(
            RECEIVE,
            { customerId: customers[i % 4], kind: 'COMPLAINT', category: 'OTHER', severity: 'LOW', channel: 'SMS', description: 'x' },
            as,
          )) ?? '',
        );
      const filter = { branchId: 'BR-SYNC' };
      const complaintsAt = (await pullAll('complaints', 'ComplaintFilter', filter, '*', as)).next;
      const interactionsAt = (await pullAll('interactions', 'InteractionFilter', filter, '*', as)).next;
      const created: string[] = [];
      const logged: string[] = [];
      let done = false;
      const writers = Promise.all([
        ...customers.map(async (customerId) => {
          for (let i = 0; i < 6; i++) {
            created.push(
              (await mutate(RECEIVE, { customerId, kind: 'COMPLAINT', category: 'OTHER', severity: 'LOW', channel: 'SMS', description: 'x' }, as)) ?? '',
            );
            logged.push((await mutate(LOG, { customerId, channel: 'SMS', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 's' }, as)) ?? '');
          }
        }),
        (async () => {
          for (const complaintId of existing) await mutate(CHANGE, { complaintId, status: 'ACKNOWLEDGED' }, as);
        })(),
      ]).then(() => {
        done = true;
      });
      const seen = { complaints: [] as string[], interactions: [] as string[] };
      const cursor = { complaints: complaintsAt, interactions: interactionsAt };
      const pull = async () => {
        const c = await pullAll('complaints', 'ComplaintFilter', filter, cursor.complaints, as);
        seen.complaints.push(...c.seen);
        cursor.complaints = c.next;
        const i = await pullAll('interactions', 'InteractionFilter', filter, cursor.interactions, as);
        seen.interactions.push(...i.seen);
        cursor.interactions = i.next;
      };
      let pullsDuringWrites = 0;
      while (!done) {
        await pull();
        pullsDuringWrites++;
      }
      await writers;
      const deadline = Date.now() + 30_000;
      do await pull();
      while ((seen.complaints.length < 32 || seen.interactions.length < 24) && Date.now() < deadline);
      expect(pullsDuringWrites, 'the crawl ran while the writers wrote').toBeGreaterThan(1);
      expect(created).toHaveLength(24);
      // every new complaint once, every changed one once more: 24 + 8, no repeats
      expect(seen.complaints).toHaveLength(32);
      expect(new Set(seen.complaints)).toEqual(new Set([...created, ...existing]));
      expect(seen.interactions).toHaveLength(24);
      expect(new Set(seen.interactions)).toEqual(new Set(logged));
    },
    300_000,
  );
});
