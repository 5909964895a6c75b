import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Constant SQL per page: the gateway asks loyalty for a page of customers' accounts in one
 * `_entities` call; the statements it runs must not grow with the page (5 against 50 customers).
 */
const accounts = (progress: boolean) => /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Customer {
        id
        loyalty {
          id pointsBalance tier referralCode openedAt
          ${progress ? 'tierProgress { qualifyingPoints nextTier pointsToNextTier downgradeOn qualifiedTier }' : ''}
          benefits { rateDiscountBps feeWaiversPerYear priorityService dedicatedManager birthdayGift }
          ledger(first: 10) { edges { node { id kind points sourceId ruleCode createdAt expiresAt } } pageInfo { hasNextPage } }
        }
      }
    }
  }
`;

/** Every nested connection of an account with its totalCount (issue 12). */
const NESTED = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Customer {
        id
        loyalty {
          id
          ledger(first: 3) { totalCount edges { cursor node { id kind points createdAt } } pageInfo { hasNextPage endCursor } }
          redemptions(first: 3) { totalCount edges { cursor node { id points status } } pageInfo { hasNextPage } }
          referrals(first: 3) { totalCount edges { node { referredCustomer { id } registeredAt } } pageInfo { hasNextPage } }
        }
      }
    }
  }
`;

describe('SQL statements per federated list query', () => {
  let svc: TestService<DB>;
  const ids: string[] = [];
  beforeAll(async () => {
    svc = await startTestService(loyaltyService);
    const g = given(svc);
    for (let i = 0; i < 50; i++) {
      const id = `cust-st-${String(i).padStart(2, '0')}`;
      await g.member(id);
      if (i % 10 === 0) await g.loanDisbursed(id, { loanId: `L-${i}`, cycle: 1 });
      ids.push(id);
    }
  }, 300_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function statementsOf(count: number, progress: boolean | 'nested' = false) {
    const representations = ids.slice(0, count).map((id) => ({ __typename: 'Customer', id }));
    const query = progress === 'nested' ? NESTED : accounts(progress);
    const res = await svc.graphql<{ _entities: { loyalty: { ledger: { edges: unknown[] } } | null }[] }>(query, { representations }, staff.admin);
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities.filter((e) => e.loyalty?.ledger.edges.length)).toHaveLength(count);
    const tally = res.extensions?.sqlStatements;
    if (!tally) throw new Error('no statement count in the response');
    return tally;
  }

  it('accounts and their ledger for 5 or 50 customers: at most 2 statements, the same for both', async () => {
    await statementsOf(5); // warms what is cached per process
    const small = await statementsOf(5);
    const large = await statementsOf(50);
    expect(large).toEqual(small);
    expect(large.statements).toBeLessThanOrEqual(2); // the accounts with their balance, their ledger pages
  });

  it('tierProgress adds its one batched query (qualifying points over the rolling window)', async () => {
    await statementsOf(5, true); // warms the cached settings (the rolling window)
    const small = await statementsOf(5, true);
    const large = await statementsOf(50, true);
    expect(large).toEqual(small);
    expect(large.statements).toBeLessThanOrEqual(3);
  });

  it('ledger, redemptions and referrals with totalCount: one page query and one count per field, the same at 5 and 50 customers', async () => {
    const small = await statementsOf(5, 'nested');
    const large = await statementsOf(50, 'nested');
    expect(large).toEqual(small);
    // the accounts, then per field a page and a count: ledger 2, redemptions 2, referrals 2
    expect(large.statements).toBeLessThanOrEqual(7);
  });

  it('the top-level lists with totalCount and nested fields: the same statements for 5 and 50 rows', async () => {
    const LISTS = /* GraphQL */ `
      query($first: Int!) {
        loyaltyAccounts(first: $first) { totalCount edges { node { id pointsBalance ledger(first: 2) { totalCount edges { node { id } } } } } }
        pointsEntries(first: $first) { totalCount edges { node { id kind account { id tier } } } }
        loyaltyRedemptions(first: $first) { totalCount edges { node { id account { id } } } }
      }
    `;
    async function listStatements(first: number) {
      const res = await svc.graphql<{ loyaltyAccounts: { edges: unknown[] }; pointsEntries: { edges: unknown[] } }>(LISTS, { first }, staff.admin);
      expect(res.errors).toBeUndefined();
      expect(res.data?.loyaltyAccounts.edges).toHaveLength(first);
      expect(res.data?.pointsEntries.edges).toHaveLength(first);
      const tally = res.extensions?.sqlStatements;
      if (!tally) throw new Error('no statement count in the response');
      return tally;
    }
    const small = await listStatements(5);
    const large = await listStatements(50);
    // accounts page + count, their ledger page + count, entries page + count, their accounts, redemptions page + count.
    // The entries' and the redemptions' accounts share one loader: whether both lists reach it in the same
    // tick depends on I/O timing (on PostgreSQL it can be one batch or two), so the bound is per field,
    // the same at 5 and 50 rows, not an exact count.
    for (const tally of [small, large]) {
      expect(tally.statements).toBeLessThanOrEqual(9);
      expect(tally.audit).toBe(0);
    }
  });
});
