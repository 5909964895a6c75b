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
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function statementsOf(list: keyof typeof LISTS, first: number) {
    const res = await svc.graphql<Record<string, { edges: unknown[] }>>(LISTS[list], { first }, staff.officer);
    expect(res.errors).toBeUndefined();
    expect(res.data?.[list]?.edges).toHaveLength(first);
    const tally = res.extensions?.sqlStatements;
    if (!tally) throw new Error('no statement count in the response');
    return tally;
  }

  for (const list of Object.keys(LISTS) as (keyof typeof LISTS)[]) {
    it(`${list}(first: 5 | 50): at most 2 statements, the same for both`, async () => {
      await statementsOf(list, 5); // warms what is cached per process
      const small = await statementsOf(list, 5);
      const large = await statementsOf(list, 50);
      expect(large).toEqual(small);
      expect(large.statements).toBeLessThanOrEqual(2);
    });
  }
});
