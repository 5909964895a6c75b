import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { deliver, given } from './given.ts';

/**
 * Constant SQL per page: a list query runs the same small number of statements whatever the page
 * size. A resolver that adds a query per row fails here (50 rows against 5).
 */
const LIST = /* GraphQL */ `
  query($first: Int!) {
    customers(first: $first) {
      edges { node { id displayName stale grade valueScore { total qualifiesFor } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const SENSITIVE = /* GraphQL */ `
  query($first: Int!) { customers(first: $first) { edges { node { id individual { nationalId } financialProfile { monthlyIncome } } } } }
`;
const WITH_TOTAL = /* GraphQL */ `
  query($first: Int!) { customers(first: $first) { totalCount edges { node { id grade valueScore { total } } } } }
`;

const NESTED = /* GraphQL */ `
  query($first: Int!) {
    customers(first: $first) {
      edges { node { id
        financialSnapshots(first: 3) { totalCount edges { cursor node { id monthlyIncome } } pageInfo { hasNextPage } }
        consentHistory(first: 3) { totalCount edges { node { purpose granted } } }
        documents(first: 3) { totalCount edges { node { id } } }
        basic: documents(category: BASIC, first: 3) { edges { node { id } } }
        valueScoreHistory(first: 3) { totalCount edges { node { asOf total } } }
        history(first: 3) { totalCount edges { node { field } } }
        managerHistoryConnection(first: 3) { totalCount edges { node { managerId } } }
      } }
    }
  }
`;
/** The same fields without totalCount: no count statement may run. */
const NESTED_UNCOUNTED = NESTED.replaceAll('totalCount ', '');

describe('SQL statements per list query', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(customersService);
    const make = given(svc);
    for (let i = 0; i < 55; i++) {
      const id = await make.customer();
      if (i % 10 === 0) {
        await deliver(svc, 'LoanDisbursed', id, {
          loanId: `L-${i}`,
          customerId: id,
          productCode: 'MICRO',
          principal: '100000.00',
          currency: 'XAF',
          disbursedOn: '2026-01-10',
          firstDueDate: '2026-02-10',
          instalmentCount: 10,
          officerId: 'officer-7',
          loanCycle: 1,
        });
      }
    }
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function statementsOf(query: string, first: number) {
    const res = await svc.graphql<{ customers: { edges: unknown[] } }>(query, { first }, staff.admin);
    expect(res.errors).toBeUndefined();
    expect(res.data?.customers.edges).toHaveLength(first);
    const tally = res.extensions?.sqlStatements;
    if (!tally) throw new Error('no statement count in the response');
    return tally;
  }

  it('customers(first: 5 | 50) with valueScore and grade: at most 2 statements, the same for both', async () => {
    await statementsOf(LIST, 5); // warms the per-process policy and threshold caches
    const small = await statementsOf(LIST, 5);
    const large = await statementsOf(LIST, 50);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(2);
    expect(large.audit).toBe(0);
  });

  it('a sensitive field adds one batched query, and its read audit is one insert per request', async () => {
    const small = await statementsOf(SENSITIVE, 5);
    const large = await statementsOf(SENSITIVE, 50);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(2); // the page, the snapshots of the page (financialProfile)
    expect(small.audit).toBe(1);
    expect(large.audit).toBe(1);
  });

  it('totalCount adds its one count query, only when asked for', async () => {
    const small = await statementsOf(WITH_TOTAL, 5);
    const large = await statementsOf(WITH_TOTAL, 50);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(3);
  });

  it('nested connections with totalCount: one page query and one count per field per request, the same at 5 and 50 customers', async () => {
    const small = await statementsOf(NESTED, 5);
    const large = await statementsOf(NESTED, 50);
    expect(large.statements).toBe(small.statements);
    // customers page, then per field a page and a count: snapshots 2, consents 2, documents 2 (+1 for BASIC), scores 2, history 2, managers 2
    expect(large.statements).toBeLessThanOrEqual(14);
  });

  it('totalCount of a nested connection is counted only when selected: one statement less per counted field without it', async () => {
    const counted = await statementsOf(NESTED, 5);
    const uncounted = await statementsOf(NESTED_UNCOUNTED, 5);
    expect(NESTED_UNCOUNTED).not.toContain('totalCount');
    expect(counted.statements - uncounted.statements).toBe(6);
  });
});
