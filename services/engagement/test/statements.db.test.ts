import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Constant SQL per page: each list query runs the same small number of statements whatever the
 * page size (5 against 50 rows). A resolver that adds a query per row fails here.
 */
const LISTS = {
  tasks: /* GraphQL */ `query($first: Int!) { tasks(first: $first) { edges { node {
    id customer { id } type title assigneeId priority status dueAt overdue sourceEventId loanId completedInteraction { id } createdAt
  } } pageInfo { hasNextPage endCursor } } }`,
  interactions: /* GraphQL */ `query($first: Int!) { interactions(first: $first) { edges { node {
    id customer { id } channel direction purpose summary outcome staffId occurredAt recordedAt
  } } pageInfo { hasNextPage endCursor } } }`,
  complaints: /* GraphQL */ `query($first: Int!) { complaints(first: $first) { edges { node {
    id customer { id } kind category severity channel description status receivedAt acknowledgeDueAt resolveDueAt reopenedCount escalated
  } } pageInfo { hasNextPage endCursor } } }`,
  surveyResponses: /* GraphQL */ `query($first: Int!) { surveyResponses(first: $first) { totalCount edges { node {
    id survey { id name } customer { id } dispatchId branchId officerId npsScore csatScore answers { code score } respondedAt
  } } pageInfo { hasNextPage endCursor } } }`,
  churnScores: /* GraphQL */ `query($first: Int!) { churnScores(first: $first) { totalCount edges { node {
    customer { id } level score asOf computedAt signals { code weight value }
  } } pageInfo { hasNextPage endCursor } } }`,
} as const;

/** Lists in a `changedSince` pull, with their count. */
const FEEDS = {
  tasks: `query($first: Int!) { tasks(first: $first, changedSince: "*") { totalCount edges { cursor node { id customer { id } } } pageInfo { endCursor } } }`,
  interactions: `query($first: Int!) { interactions(first: $first, changedSince: "*") { totalCount edges { cursor node { id } } pageInfo { endCursor } } }`,
  complaints: `query($first: Int!) { complaints(first: $first, changedSince: "*") { totalCount edges { cursor node { id } } pageInfo { endCursor } } }`,
  surveyResponses: `query($first: Int!) { surveyResponses(first: $first, changedSince: "*") { totalCount edges { cursor node { id } } pageInfo { endCursor } } }`,
  churnScores: `query($first: Int!) { churnScores(first: $first, changedSince: "*") { totalCount edges { cursor node { asOf } } pageInfo { endCursor } } }`,
} as const;

/** Nested connections under 5 or 50 parents, with their counts: one statement per field per request. */
const NESTED = {
  'Complaint.history': [
    `query($first: Int!) { complaints(first: $first) { edges { node { id history(first: 3) { totalCount edges { cursor node { toStatus changedAt } } pageInfo { hasNextPage } } } } } }`,
    3, // complaints, history, its count
  ],
  'CareEvent.invitations': [
    `query($first: Int!) { careEvents(first: $first) { edges { node { id invitedCount attendedCount invitations(first: 3) { totalCount edges { node { customer { id } status } } } } } } }`,
    3, // events, invitations, the counts
  ],
  'Survey.responses': [
    `query($first: Int!) { surveys(first: $first) { edges { node { id responses(first: 3) { totalCount edges { node { id npsScore customer { id } } } } } } } }`,
    3, // surveys, responses, their count
  ],
  'Customer.interactions/tasks/complaints': [
    `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id
      interactions(first: 3) { totalCount edges { node { id } } }
      tasks(first: 3) { totalCount edges { node { id } } }
      complaints(first: 3) { totalCount edges { node { id history(first: 2) { edges { node { toStatus } } } } } }
    } } }`,
    7, // three lists, three counts, the complaints' history
  ],
  'Customer.consultations': [
    `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id
      consultations(first: 3) { totalCount edges { cursor node { id } } pageInfo { hasNextPage } }
    } } }`,
    2, // the pages (windowPages), their count (countsOf)
  ],
} as const;

describe('SQL statements per list query', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    const g = given(svc);
    for (let i = 0; i < 55; i++) {
      const customerId = `cust-st-${String(i).padStart(2, '0')}`;
      await g.customer(customerId);
      const logged = await svc.graphql<{ logInteraction: { userErrors: unknown[] } }>(
        `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { userErrors { code } } }`,
        { input: { customerId, channel: 'VISIT', direction: 'OUTBOUND', purpose: 'POST_LOAN_FOLLOW_UP', summary: `visit ${i}` } },
        staff.officer,
      );
      expect(logged.data?.logInteraction.userErrors).toEqual([]);
      const received = await svc.graphql<{ receiveComplaint: { userErrors: unknown[] } }>(
        `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { userErrors { code } } }`,
        { input: { customerId, kind: 'COMPLAINT', category: 'COLLECTION_CONDUCT', severity: 'HIGH', channel: 'BRANCH', description: `complaint ${i}` } },
        staff.officer,
      );
      expect(received.data?.receiveComplaint.userErrors).toEqual([]);
    }
    // surveys, responses, care events and invitations, churn scores: one per customer, written directly
    const ids = Array.from({ length: 55 }, (_, i) => String(i).padStart(2, '0'));
    const at = new Date('2026-10-01T00:00:00.000Z');
    await svc.db
      .insertInto('survey')
      .values(ids.map((i) => ({ id: `sv-st-${i}`, name: `s${i}`, trigger: null, questions: '[]', created_by: 'x', created_at: at })))
      .execute();
    await svc.db
      .insertInto('survey_dispatch')
      .values(
        ids.map((i) => ({
          id: `d-st-${i}`,
          survey_id: `sv-st-${i}`,
          customer_id: `cust-st-${i}`,
          trigger: null,
          source_key: `st:${i}`,
          branch_id: 'BR-001',
          officer_id: 'rm-1',
          dispatched_by: null,
          dispatched_at: at,
        })),
      )
      .execute();
    await svc.db
      .insertInto('survey_response')
      .values(
        ids.map((i) => ({
          id: `r-st-${i}`,
          dispatch_id: `d-st-${i}`,
          survey_id: `sv-st-${i}`,
          customer_id: `cust-st-${i}`,
          nps_score: 8,
          csat_score: 4,
          answers: '[]',
          branch_id: 'BR-001',
          officer_id: 'rm-1',
          responded_at: at,
        })),
      )
      .execute();
    await svc.db
      .insertInto('care_event')
      .values(
        ids.map((i) => ({
          id: `ev-st-${i}`,
          title: `e${i}`,
          kind: 'OTHER',
          branch_id: 'BR-001',
          location: null,
          starts_at: at,
          capacity: null,
          created_by: 'x',
          created_at: at,
        })),
      )
      .execute();
    await svc.db
      .insertInto('care_event_invitation')
      .values(ids.map((i) => ({ event_id: `ev-st-${i}`, customer_id: `cust-st-${i}`, status: 'INVITED' as const, invited_at: at, attended_at: null })))
      .execute();
    await svc.db
      .insertInto('churn_risk')
      .values(ids.map((i) => ({ customer_id: `cust-st-${i}`, score: '12.50', level: 'LOW' as const, signals: '[]', as_of: '2026-10-01', computed_at: at })))
      .execute();
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function statementsOf(list: keyof typeof LISTS, first: number, query: string = LISTS[list]) {
    const res = await svc.graphql<Record<string, { edges: unknown[] }>>(query, { first }, staff.officer);
    expect(res.errors).toBeUndefined();
    expect(res.data?.[list]?.edges).toHaveLength(first);
    const tally = res.extensions?.sqlStatements;
    if (!tally) throw new Error('no statement count in the response');
    return tally;
  }

  for (const list of Object.keys(FEEDS) as (keyof typeof FEEDS)[]) {
    it(`${list}(first: 5 | 50, changedSince: "*") with totalCount: at most 3 statements, the same for both`, async () => {
      await statementsOf(list, 5, FEEDS[list]);
      const small = await statementsOf(list, 5, FEEDS[list]);
      const large = await statementsOf(list, 50, FEEDS[list]);
      expect(large).toEqual(small);
      expect(large.statements).toBeLessThanOrEqual(3);
    });
  }

  for (const [field, [query, bound]] of Object.entries(NESTED)) {
    it(`${field} under 5 | 50 parents: ${bound} statements whatever the number of parents`, async () => {
      const run = async (first: number) => {
        const reps = Array.from({ length: first }, (_, i) => ({ __typename: 'Customer', id: `cust-st-${String(i).padStart(2, '0')}` }));
        const res = await svc.graphql<Record<string, { edges?: unknown[] } | unknown[]>>(query, { first, reps }, staff.officer);
        expect(res.errors).toBeUndefined();
        const top = Object.values(res.data ?? {})[0];
        expect(Array.isArray(top) ? top : top?.edges).toHaveLength(first);
        const tally = res.extensions?.sqlStatements;
        if (!tally) throw new Error('no statement count in the response');
        return tally;
      };
      await run(5);
      const small = await run(5);
      const large = await run(50);
      expect(large).toEqual(small);
      expect(large.statements).toBeLessThanOrEqual(bound);
    });
  }

  for (const list of Object.keys(LISTS) as (keyof typeof LISTS)[]) {
    it(`${list}(first: 5 | 50): at most ${list === 'surveyResponses' ? 3 : 2} statements, the same for both`, async () => {
      await statementsOf(list, 5); // warms what is cached per process
      const small = await statementsOf(list, 5);
      const large = await statementsOf(list, 50);
      expect(large).toEqual(small);
      // surveyResponses: the page, its count, the surveys (one batched read)
      expect(large.statements).toBeLessThanOrEqual(list === 'surveyResponses' ? 3 : 2);
    });
  }
});
