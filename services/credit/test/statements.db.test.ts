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
      await g.storedLoan({
        id: `loan-st-${n}`,
        customerId: `cust-st-${n}`,
        productCode: 'MICRO-ST',
        principal: '1000.00',
        instalments: [
          { dueDate: '2026-02-01', principal: '1000.00', interest: '10.00', payments: [{ paidOn: '2026-02-01', principal: '100.00', interest: '10.00' }] },
        ],
      });
      await svc.db
        .insertInto('loan_delinquency')
        .values({
          loan_id: `loan-st-${n}`,
          as_of: '2026-02-02',
          dpd: 1,
          bucket: 'DPD_1_30',
          risk_class: 'NORMAL',
          outstanding_principal: '900.00',
          overdue_amount: '0',
          penalty: '0',
        })
        .execute();
      await svc.db
        .insertInto('collateral')
        .values({ id: `col-st-${n}`, loan_id: `loan-st-${n}`, type: 'VEHICLE', description: 'van', idempotency_key: null })
        .execute();
      await svc.db
        .insertInto('collateral_valuation')
        .values({ id: `val-st-${n}`, collateral_id: `col-st-${n}`, value: '500.00', valued_on: '2026-01-01', recorded_by: 't', recorded_at: new Date() })
        .execute();
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

  /** Every nested connection with its count: one statement per page and one per count, whatever the number of loans. */
  const NESTED = /* GraphQL */ `
    query($first: Int!) {
      loans(first: $first, filter: { productCode: "MICRO-ST" }) {
        totalCount
        edges { node {
          id
          repayments(first: 2) { totalCount edges { cursor node { id paidOn } } pageInfo { hasNextPage endCursor } }
          riskClassHistory(first: 2) { totalCount edges { node { asOf } } }
          delinquencyHistory(first: 2) { totalCount edges { node { asOf bucket } } }
          riskWarnings(first: 2, openOnly: false) { totalCount edges { node { id } } }
          collateral(first: 2) { totalCount edges { node { id currentValue { amount } } } }
          guarantors(first: 2) { totalCount edges { node { id } } }
          reviews(first: 2) { totalCount edges { node { id } } }
          restructurings(first: 2) { totalCount edges { node { id } } }
        } }
      }
    }
  `;
  /** Top-level lists (keyset and changedSince) with their counts. */
  const LISTS = /* GraphQL */ `
    query($first: Int!) {
      instalments(first: $first, filter: { productCode: "MICRO-ST" }) { totalCount edges { node { loanId number loan { id } } } }
      repayments(first: $first, changedSince: "*") { edges { node { id loanId } } pageInfo { endCursor } }
      riskWarnings(first: $first) { totalCount edges { node { id loan { id } } } }
    }
  `;

  async function statementsOfQuery(query: string, first: number) {
    const res = await svc.graphql(query, { first }, staff.admin);
    expect(res.errors).toBeUndefined();
    const tally = res.extensions?.sqlStatements;
    if (!tally) throw new Error('no statement count in the response');
    return tally;
  }

  it('nested connections of 5 | 50 loans: one statement per field and per count, the same for both', async () => {
    await statementsOfQuery(NESTED, 5);
    const small = await statementsOfQuery(NESTED, 5);
    const large = await statementsOfQuery(NESTED, 50);
    expect(large).toEqual(small);
    // the page and its count, then per field a page and a count (collateral: and its valuations)
    expect(large.statements).toBeLessThanOrEqual(2 + 2 * 8 + 1);
  });

  it('top-level lists (instalments, a repayments feed, warnings) of 5 | 50 rows: the same statements for both', async () => {
    await statementsOfQuery(LISTS, 5);
    const small = await statementsOfQuery(LISTS, 5);
    const large = await statementsOfQuery(LISTS, 50);
    expect(large).toEqual(small);
    expect(large.statements).toBeLessThanOrEqual(8);
  });

  it('loans(first: 5 | 50): at most 2 statements, the same for both', async () => {
    await statementsOf(5); // warms what is cached per process
    const small = await statementsOf(5);
    const large = await statementsOf(50);
    expect(large).toEqual(small);
    expect(large.statements).toBeLessThanOrEqual(2);
  });
});
