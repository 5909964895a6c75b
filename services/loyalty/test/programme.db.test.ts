import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

const SUMMARY = `query($filter: LoyaltyProgramSummaryFilter!) { loyaltyProgramSummary(filter: $filter) {
  figures { pointsIssued pointsRedeemed pointsExpired pointsReversed redemptionRate }
  outstandingLiability
  membersPerTier { tier members }
  byBranch { branchId members outstandingLiability figures { pointsIssued pointsRedeemed pointsExpired redemptionRate } }
  byMonth { month figures { pointsIssued pointsRedeemed pointsExpired } }
} }`;

describe('programme figures and the catalogue (DB-backed)', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_programme' });
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('sums points issued, redeemed, expired and the liability by branch and month, in SQL', async () => {
    await g.member('p-1', { branchId: 'BR-N', at: '2026-10-05T08:00:00.000Z' }); // +100 (Oct)
    await g.member('p-2', { branchId: 'BR-N', at: '2026-11-02T08:00:00.000Z' }); // +100 (Nov)
    await g.member('p-3', { branchId: 'BR-S', at: '2026-11-03T08:00:00.000Z' }); // +100 (Nov)
    await g.instalmentPaid('p-1', { loanId: 'LP', n: 1, amount: '5000.00', onTime: true, at: '2026-11-10T09:00:00.000Z' }); // +50 (Nov)
    // Redeemed and expired entries at fixed dates, as the mutation and the job would write them.
    const acc = await svc.db.selectFrom('loyalty_account').select(['id', 'customer_id']).execute();
    const id = (c: string) => acc.find((a) => a.customer_id === c)?.id ?? '';
    await svc.db
      .insertInto('points_entry')
      .values([
        {
          id: '0190a000-0000-7000-8000-000000000001',
          account_id: id('p-1'),
          kind: 'REDEEM',
          points: -60,
          reason: 'Mug',
          source_id: 'r-1',
          created_at: new Date('2026-11-15T10:00:00Z'),
          expires_at: null,
        },
        {
          id: '0190a000-0000-7000-8000-000000000002',
          account_id: id('p-3'),
          kind: 'EXPIRE',
          points: -30,
          reason: 'Points expired',
          source_id: 'expiry:x',
          created_at: new Date('2026-11-20T23:59:59Z'),
          expires_at: null,
        },
        {
          id: '0190a000-0000-7000-8000-000000000003',
          account_id: id('p-2'),
          kind: 'REDEEM',
          points: -20,
          reason: 'Later',
          source_id: 'r-2',
          created_at: new Date('2026-12-02T10:00:00Z'),
          expires_at: null,
        },
      ])
      .execute();

    const res = await svc.graphql<{ loyaltyProgramSummary: unknown }>(SUMMARY, { filter: { from: '2026-11-01', to: '2026-11-30' } }, staff.analyst);
    // Issued in November: 100 (p-2) + 100 (p-3) + 50 (p-1) = 250; redeemed 60; expired 30; rate 60 / 250 = 0.24.
    // Liability at 30 November: p-1 100 + 50 - 60 = 90, p-2 100, p-3 100 - 30 = 70: 260 (the December redemption is later).
    expect(res.data?.loyaltyProgramSummary).toEqual({
      figures: { pointsIssued: 250, pointsRedeemed: 60, pointsExpired: 30, pointsReversed: 0, redemptionRate: '0.2400' },
      outstandingLiability: 260,
      membersPerTier: [
        { tier: 'BRONZE', members: 3 },
        { tier: 'SILVER', members: 0 },
        { tier: 'GOLD', members: 0 },
        { tier: 'PLATINUM', members: 0 },
      ],
      byBranch: [
        {
          branchId: 'BR-N',
          members: 2,
          outstandingLiability: 190,
          figures: { pointsIssued: 150, pointsRedeemed: 60, pointsExpired: 0, redemptionRate: '0.4000' },
        },
        {
          branchId: 'BR-S',
          members: 1,
          outstandingLiability: 70,
          figures: { pointsIssued: 100, pointsRedeemed: 0, pointsExpired: 30, redemptionRate: '0.0000' },
        },
      ],
      byMonth: [{ month: '2026-11', figures: { pointsIssued: 250, pointsRedeemed: 60, pointsExpired: 30 } }],
    });

    const south = await svc.graphql<{ loyaltyProgramSummary: { outstandingLiability: number; byBranch: { branchId: string }[] } }>(
      SUMMARY,
      { filter: { from: '2026-10-01', to: '2026-12-31', branchId: 'BR-S' } },
      staff.analyst,
    );
    expect(south.data?.loyaltyProgramSummary.outstandingLiability).toBe(70);
    expect(south.data?.loyaltyProgramSummary.byBranch.map((b) => b.branchId)).toEqual(['BR-S']);

    // A member moving branch moves with their points (loyalty's replica follows CustomerProfileUpdated).
    await g.deliver('CustomerProfileUpdated', 'p-3', {
      customerId: 'p-3',
      changes: [{ field: 'branchId', oldValue: 'BR-S', newValue: 'BR-N' }],
      updatedBy: 'officer-1',
      updatedAt: '2026-12-01T10:00:00.000Z',
    });
    const moved = await svc.graphql<{ loyaltyProgramSummary: { byBranch: { branchId: string; members: number }[] } }>(
      SUMMARY,
      { filter: { from: '2026-11-01', to: '2026-11-30' } },
      staff.analyst,
    );
    expect(moved.data?.loyaltyProgramSummary.byBranch.map((b) => [b.branchId, b.members])).toEqual([['BR-N', 3]]);

    const officer = await svc.graphql(SUMMARY, { filter: { from: '2026-11-01', to: '2026-11-30' } }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists the rewards a tier may redeem, and manages rules and tiers as data', async () => {
    const upsert = `mutation($input: UpsertRewardInput!) { upsertReward(input: $input) { reward { code } userErrors { field code } } }`;
    await svc.graphql(upsert, {
      input: { code: 'VOUCHER_25', name: '0.25% off', kind: 'RATE_DISCOUNT_VOUCHER', pointsCost: 900, rateDiscountBps: 25, minTier: 'GOLD' },
    });
    await svc.graphql(upsert, { input: { code: 'BAG', name: 'Bag', kind: 'GIFT', pointsCost: 300, stock: 5 } });
    const bad = await svc.graphql<{ upsertReward: unknown }>(upsert, {
      input: { code: 'V2', name: 'x', kind: 'RATE_DISCOUNT_VOUCHER', pointsCost: 0, minTier: 'DIAMOND' },
    });
    expect(bad.data?.upsertReward).toEqual({
      reward: null,
      userErrors: [
        { field: 'pointsCost', code: 'TOO_SMALL' },
        { field: 'rateDiscountBps', code: 'REQUIRED' },
      ],
    });
    const list = async (tier: string) =>
      (
        await svc.graphql<{ rewards: { edges: { node: { code: string } }[] } }>(
          `query($tier: String) { rewards(filter: { eligibleForTier: $tier }) { edges { node { code } } } }`,
          { tier },
          staff.officer,
        )
      ).data?.rewards.edges.map((e) => e.node.code);
    expect(await list('SILVER')).toEqual(['BAG']);
    expect(await list('PLATINUM')).toEqual(['BAG', 'VOUCHER_25']);

    const rule = await svc.graphql<{ upsertEarningRule: unknown }>(
      `mutation($input: UpsertEarningRuleInput!) { upsertEarningRule(input: $input) { rule { code calculation rate points } userErrors { field code } } }`,
      { input: { code: 'ON_TIME_INSTALMENT', description: 'Instalment paid on time', calculation: 'PROPORTIONAL', rate: '0.02' } },
    );
    expect(rule.data?.upsertEarningRule).toEqual({
      rule: { code: 'ON_TIME_INSTALMENT', calculation: 'PROPORTIONAL', rate: '0.02', points: 0 },
      userErrors: [],
    });
    await g.member('p-9');
    await g.instalmentPaid('p-9', { loanId: 'L9', n: 1, amount: '1000.00', onTime: true }); // 1 000 × 0.02 = 20
    expect(await g.balance('p-9')).toBe(120);

    const tier = `mutation($input: UpsertLoyaltyTierInput!) { upsertLoyaltyTier(input: $input) { tier { code threshold multiplier } userErrors { field code } } }`;
    const base = {
      name: 'Silver',
      rank: 2,
      multiplier: '1.25',
      rateDiscountBps: 10,
      feeWaiversPerYear: 1,
      priorityService: false,
      dedicatedManager: false,
      birthdayGift: true,
    };
    const outOfOrder = await svc.graphql<{ upsertLoyaltyTier: unknown }>(tier, { input: { ...base, code: 'SILVER', threshold: 6000 } });
    expect(outOfOrder.data?.upsertLoyaltyTier).toEqual({ tier: null, userErrors: [{ field: 'threshold', code: 'THRESHOLD_OUT_OF_ORDER' }] });
    const ok = await svc.graphql<{ upsertLoyaltyTier: unknown }>(tier, { input: { ...base, code: 'SILVER', threshold: 800 } });
    expect(ok.data?.upsertLoyaltyTier).toEqual({ tier: { code: 'SILVER', threshold: 800, multiplier: '1.250' }, userErrors: [] });

    // Every change to the programme is audited: who, and the values before and after.
    const audit = await svc.graphql<{
      loyaltyProgrammeChanges: { edges: { node: { entity: string; key: string; actorId: string; before: string | null; after: string } }[] };
    }>(`{ loyaltyProgrammeChanges(first: 10) { edges { node { entity key actorId before after } } } }`);
    const changes = audit.data?.loyaltyProgrammeChanges.edges.map((e) => e.node) ?? [];
    expect(changes.map((c) => [c.entity, c.actorId])).toEqual([
      ['TIER', 'admin-1'],
      ['EARNING_RULE', 'admin-1'],
      ['REWARD', 'admin-1'],
      ['REWARD', 'admin-1'],
    ]);
    expect(JSON.parse(changes[0]?.before ?? '{}')).toMatchObject({ code: 'SILVER', threshold: 1000 });
    expect(JSON.parse(changes[0]?.after ?? '{}')).toMatchObject({ code: 'SILVER', threshold: 800 });
    expect(changes[3]?.before).toBeNull();
    const officer = await svc.graphql(`{ loyaltyProgrammeChanges { edges { node { id } } } }`, {}, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
