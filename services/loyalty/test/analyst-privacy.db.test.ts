import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Analysts read loyalty figures and members' accounts, never identity: loyalty keeps no names or
 * contact details, and the free text staff write (adjustment reasons, cancellation reasons) and
 * the birth date it replicates for the birthday bonus stay out of everything an analyst reads,
 * account by account as in the programme's aggregates.
 */
const manager: Identity = { userId: 'bm-priv', roles: ['branch_manager'], branchId: 'BR-001' };
const agent: Identity = { userId: 'sa-priv', roles: ['service_agent'], branchId: 'BR-001' };
const SECRETS = ['goodwill after Zainab complained about her divorce', 'customer in hospital, cancelled by her son', '1979-03-14', 'Member priv-1'];

const ACCOUNT_FIELDS = /* GraphQL */ `
  id pointsBalance tier referralCode openedAt customer { id }
  tierProgress { qualifyingPoints nextTier }
  ledger(first: 50) { edges { node { kind points reason sourceId ruleCode actorId } } }
  redemptions(first: 50) { edges { node { id status points redeemedBy cancelReason cancelledBy } } }
  referrals(first: 50) { edges { node { referredCustomer { id } registeredAt } } }
`;

describe('analysts see no identity in loyalty accounts and figures (DB-backed)', () => {
  let svc: TestService<DB>;
  let accountId = '';

  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_privacy' });
    const g = given(svc);
    accountId = (await g.member('priv-1', { branchId: 'BR-001', birthDate: '1979-03-14' })).id;
    const adjust = await svc.graphql(
      `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { userErrors { code } } }`,
      { input: { customerId: 'priv-1', points: 500, reason: SECRETS[0] } },
      manager,
    );
    expect(adjust.errors).toBeUndefined();
    const reward = await svc.graphql<{ upsertReward: { reward: { id: string } } }>(
      `mutation($input: UpsertRewardInput!) { upsertReward(input: $input) { reward { id } } }`,
      { input: { code: 'PRIV_GIFT', name: 'Gift', kind: 'GIFT', pointsCost: 50, stock: 5 } },
      staff.admin,
    );
    const redeemed = await svc.graphql<{ redeemReward: { redemption: { id: string } } }>(
      `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { redemption { id } } }`,
      { input: { customerId: 'priv-1', rewardId: reward.data?.upsertReward.reward.id } },
      agent,
    );
    const cancelled = await svc.graphql(
      `mutation($input: CancelRedemptionInput!) { cancelRedemption(input: $input) { userErrors { code } } }`,
      { input: { redemptionId: redeemed.data?.redeemReward.redemption.id, reason: SECRETS[1] } },
      agent,
    );
    expect(cancelled.errors).toBeUndefined();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const leaks = (value: unknown) => {
    const text = JSON.stringify(value);
    return SECRETS.filter((s) => text.includes(s));
  };

  it('the sanity check: a branch manager reads the free text', async () => {
    const res = await svc.graphql(`query($id: ID!) { loyaltyAccount(id: $id) { ${ACCOUNT_FIELDS} } }`, { id: accountId }, manager);
    expect(leaks(res.data).sort()).toEqual([SECRETS[0], SECRETS[1]].sort());
  });

  it('an account, directly or through the Customer entity: no free text, no birth date', async () => {
    const direct = await svc.graphql<{ loyaltyAccount: { pointsBalance: number } }>(
      `query($id: ID!) { loyaltyAccount(id: $id) { ${ACCOUNT_FIELDS} } }`,
      { id: accountId },
      staff.analyst,
    );
    expect(direct.data?.loyaltyAccount.pointsBalance).toBeGreaterThan(0);
    expect(leaks(direct)).toEqual([]);
    expect(direct.errors?.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    const viaEntity = await svc.graphql(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id loyalty { ${ACCOUNT_FIELDS} } } } }`,
      { reps: [{ __typename: 'Customer', id: 'priv-1' }] },
      staff.analyst,
    );
    expect(leaks(viaEntity)).toEqual([]);
  });

  it('programme figures are aggregates: no member is named in them', async () => {
    const res = await svc.graphql(
      `query($filter: LoyaltyProgramSummaryFilter!) {
        loyaltyProgramSummary(filter: $filter) {
          figures { pointsIssued pointsRedeemed } outstandingLiability membersPerTier { tier members }
          byBranch { branchId members outstandingLiability } byMonth { month figures { pointsIssued } }
        }
      }`,
      { filter: { from: '2026-01-01', to: '2027-12-31' } },
      staff.analyst,
    );
    expect(res.errors).toBeUndefined();
    expect(leaks(res)).toEqual([]);
    expect(JSON.stringify(res)).not.toContain('priv-1');
  });
});
