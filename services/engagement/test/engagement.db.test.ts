import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/** A loan officer of the branch the customers of this file belong to (branch scope). */
const accraOfficer: Identity = { ...staff.officer, branchId: 'BR-ACC' };

describe('engagement subgraph', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  /** The customers of this file: Accra branch, relationship manager rm-5. */
  const register = (customerId: string) =>
    g.registration(customerId, {
      displayName: 'Kofi Mensah',
      branchId: 'BR-ACC',
      relationshipManagerId: 'rm-5',
      birthDate: '1979-06-02',
      registeredAt: '2026-11-20T08:00:00.000Z',
    });

  it('creates one welcome task per registration, even when the event comes twice', async () => {
    const { event, redeliver } = await register('cust-1');
    await redeliver();
    const tasks = await svc.db
      .selectFrom('task')
      .select(['type', 'assignee_id', 'due_at', 'source_event_id', 'status'])
      .where('customer_id', '=', 'cust-1')
      .execute();
    expect(tasks).toEqual([{ type: 'WELCOME', assignee_id: 'rm-5', due_at: new Date('2026-11-23T08:00:00.000Z'), source_event_id: event.id, status: 'OPEN' }]);
    const emitted = await svc.db.selectFrom('event_outbox').select('type').where('key', '=', 'cust-1').execute();
    expect(emitted).toEqual([{ type: 'crm.engagement.TaskCreated.v1' }]);
  });

  it('logs interactions and lists them newest first through Customer.interactions (_entities)', async () => {
    await register('cust-2');
    const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id occurredAt } userErrors { field code } } }`;
    for (const [summary, occurredAt] of [
      ['first visit', '2026-11-01T10:00:00Z'],
      ['follow-up call', '2026-11-10T10:00:00Z'],
      ['repayment reminder', '2026-11-05T10:00:00Z'],
    ]) {
      const res = await svc.graphql<{ logInteraction: { userErrors: unknown[] } }>(
        LOG,
        { input: { customerId: 'cust-2', channel: 'VISIT', direction: 'OUTBOUND', purpose: 'POST_LOAN_FOLLOW_UP', summary, occurredAt } },
        accraOfficer,
      );
      expect(res.data?.logInteraction.userErrors).toEqual([]);
    }
    const Q = `query($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on Customer { interactions(first: 2, after: $after) { edges { node { summary } } pageInfo { hasNextPage endCursor } } tasks { edges { node { type overdue } } } } } }`;
    type R = {
      _entities: {
        interactions: { edges: { node: { summary: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
        tasks: { edges: { node: { type: string } }[] };
      }[];
    };
    const page1 = await svc.graphql<R>(Q, {
      reps: [
        { __typename: 'Customer', id: 'cust-2' },
        { __typename: 'Customer', id: 'cust-1' },
      ],
    });
    expect(page1.data?._entities[0]?.interactions.edges.map((e) => e.node.summary)).toEqual(['follow-up call', 'repayment reminder']);
    expect(page1.data?._entities[1]?.interactions.edges).toEqual([]);
    expect(page1.data?._entities[1]?.tasks.edges.map((e) => e.node.type)).toEqual(['WELCOME']);
    const page2 = await svc.graphql<R>(Q, {
      reps: [{ __typename: 'Customer', id: 'cust-2' }],
      after: page1.data?._entities[0]?.interactions.pageInfo.endCursor,
    });
    expect(page2.data?._entities[0]?.interactions.edges.map((e) => e.node.summary)).toEqual(['first visit']);
    expect(page2.data?._entities[0]?.interactions.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a contact in the future, a blank summary and an unknown customer, writing nothing', async () => {
    const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { field code } } }`;
    const before = await svc.db
      .selectFrom('interaction')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const future = await svc.graphql<{ logInteraction: { userErrors: { field: string; code: string }[] } }>(
      LOG,
      // (a future instant within the DateTime scalar's range, 1900-2199: service-kit now refuses year 2999 before the resolver)
      { input: { customerId: 'cust-1', channel: 'PHONE', direction: 'INBOUND', purpose: 'SERVICE', summary: ' ', occurredAt: '2100-01-01T00:00:00Z' } },
      staff.officer,
    );
    expect(future.data?.logInteraction.userErrors).toEqual(
      expect.arrayContaining([
        { field: 'summary', code: 'TOO_SMALL' },
        { field: 'occurredAt', code: 'DATE_IN_FUTURE' },
      ]),
    );
    const unknown = await svc.graphql<{ logInteraction: { userErrors: { field: string; code: string }[] } }>(
      LOG,
      { input: { customerId: 'nobody', channel: 'PHONE', direction: 'INBOUND', purpose: 'SERVICE', summary: 'hello' } },
      staff.officer,
    );
    expect(unknown.data?.logInteraction.userErrors).toEqual([{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND' }]);
    const after = await svc.db
      .selectFrom('interaction')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
