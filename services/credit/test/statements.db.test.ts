import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Constant SQL per page: the loans list runs the same small number of statements whatever the
 * page size (5 against 50 loans). A resolver that adds a query per row fails here.
 */
const LOANS = /* GraphQL */ `
  query($first: Int!) {
    loans(first: $first) {
      edges { node {
        id customer { id } productCode status principal { amount currency } annualRate termMonths disbursedOn closedOn
        outstandingPrincipal { amount currency } daysPastDue delinquencyBucket riskClass computedRiskClass delinquencyAsOf
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

describe('SQL statements per list query', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(creditService);
    const g = given(svc);
    for (let i = 0; i < 55; i++) {
      const n = String(i).padStart(2, '0');
      await g.storedLoan({ id: `loan-st-${n}`, customerId: `cust-st-${n}`, productCode: 'MICRO-ST', principal: '1000.00' });
    }
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function statementsOf(first: number) {
    const res = await svc.graphql<{ loans: { edges: unknown[] } }>(LOANS, { first }, staff.admin);
    expect(res.errors).toBeUndefined();
    expect(res.data?.loans.edges).toHaveLength(first);
    const tally = res.extensions?.sqlStatements;
    if (!tally) throw new Error('no statement count in the response');
    return tally;
  }

  it('loans(first: 5 | 50): at most 2 statements, the same for both', async () => {
    await statementsOf(5); // warms what is cached per process
    const small = await statementsOf(5);
    const large = await statementsOf(50);
    expect(large).toEqual(small);
    expect(large.statements).toBeLessThanOrEqual(2);
  });
});
