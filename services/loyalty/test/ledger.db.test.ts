import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { redemption { id points status reward { code stock } } userErrors { field code message } } }`;
const UPSERT_REWARD = `mutation($input: UpsertRewardInput!) { upsertReward(input: $input) { reward { id code stock } userErrors { field code } } }`;
const ADJUST = `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { entry { kind points reason actorId } account { pointsBalance } userErrors { field code } } }`;
const CANCEL = `mutation($input: CancelRedemptionInput!) { cancelRedemption(input: $input) { redemption { id status cancelReason reward { stock } } userErrors { field code } } }`;

type RedeemResult = {
  redeemReward: {
    redemption: { id: string; points: number; status: string; reward: { code: string; stock: number | null } } | null;
    userErrors: { field: string; code: string }[];
  };
};

describe('points ledger and redemptions (DB-backed)', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const rewards: Record<string, string> = {};

  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_ledger' });
    g = given(svc);
    const make = async (input: Record<string, unknown>) => {
      const res = await svc.graphql<{ upsertReward: { reward: { id: string } | null; userErrors: unknown[] } }>(UPSERT_REWARD, { input });
      const id = res.data?.upsertReward.reward?.id;
      if (!id) throw new Error(`reward not created: ${JSON.stringify(res)}`);
      rewards[String(input.code)] = id;
    };
    await make({ code: 'MUG', name: 'Branded mug', kind: 'GIFT', pointsCost: 100, stock: 50 });
    await make({ code: 'LAST_UMBRELLA', name: 'Umbrella', kind: 'GIFT', pointsCost: 10, stock: 0 });
    await make({
      code: 'FEE_WAIVER',
      name: 'Late fee waiver',
      kind: 'FEE_WAIVER',
      pointsCost: 50,
      stock: null,
      minTier: 'GOLD',
      faceValue: '250.00',
      currency: 'KES',
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('lets only one of two redemptions racing for the last points succeed', async () => {
    await g.member('race-1'); // 100 welcome points: exactly one mug
    const input = { customerId: 'race-1', rewardId: rewards.MUG };
    const [a, b] = await Promise.all([
      svc.graphql<RedeemResult>(REDEEM, { input }, staff.officer),
      svc.graphql<RedeemResult>(REDEEM, { input }, staff.officer),
    ]);
    const results = [a.data?.redeemReward, b.data?.redeemReward];
    expect(results.filter((r) => r?.redemption).length).toBe(1);
    expect(results.flatMap((r) => r?.userErrors ?? [])).toEqual([expect.objectContaining({ field: 'rewardId', code: 'INSUFFICIENT_POINTS' })]);
    expect(await g.balance('race-1')).toBe(0);
    expect((await g.entries('race-1')).filter((e) => e.kind === 'REDEEM')).toHaveLength(1);
    expect(await g.emitted('race-1')).toEqual(['LoyaltyAccountOpened', 'PointsEarned', 'PointsRedeemed', 'RewardRedeemed']);
  });

  it('lets exactly as many of five concurrent redemptions through as the points pay for', async () => {
    await g.member('race-2');
    await svc.graphql(ADJUST, { input: { customerId: 'race-2', points: 200, reason: 'Goodwill' } }); // 300 points: three mugs
    const before = await svc.db.selectFrom('reward').select('stock').where('code', '=', 'MUG').executeTakeFirstOrThrow();
    const all = await Promise.all(
      Array.from({ length: 5 }, () => svc.graphql<RedeemResult>(REDEEM, { input: { customerId: 'race-2', rewardId: rewards.MUG } }, staff.officer)),
    );
    expect(all.filter((r) => r.data?.redeemReward.redemption).length).toBe(3);
    expect(await g.balance('race-2')).toBe(0);
    const after = await svc.db.selectFrom('reward').select('stock').where('code', '=', 'MUG').executeTakeFirstOrThrow();
    expect(before.stock === null ? null : before.stock - 3).toBe(after.stock);
  });

  it('redeems once per idempotency key', async () => {
    await g.member('idem-1');
    const input = { customerId: 'idem-1', rewardId: rewards.MUG, idempotencyKey: 'idem-1-mug' };
    // The same request sent twice at once: one redemption.
    const [first, twin] = await Promise.all([
      svc.graphql<RedeemResult>(REDEEM, { input }, staff.officer),
      svc.graphql<RedeemResult>(REDEEM, { input }, staff.officer),
    ]);
    expect(twin.data?.redeemReward.redemption?.id).toBe(first.data?.redeemReward.redemption?.id);
    const [second, parallel] = await Promise.all([
      svc.graphql<RedeemResult>(REDEEM, { input }, staff.officer),
      svc.graphql<RedeemResult>(REDEEM, { input }, staff.officer),
    ]);
    expect(parallel.data?.redeemReward.redemption?.id).toBe(first.data?.redeemReward.redemption?.id);
    await g.member('idem-2');
    const reused = await svc.graphql<RedeemResult>(REDEEM, { input: { ...input, customerId: 'idem-2' } }, staff.officer);
    expect(reused.data?.redeemReward).toEqual({
      redemption: null,
      userErrors: [expect.objectContaining({ field: 'idempotencyKey', code: 'IDEMPOTENCY_KEY_REUSED' })],
    });
    expect(first.data?.redeemReward.redemption?.id).toBeTruthy();
    expect(second.data?.redeemReward.redemption?.id).toBe(first.data?.redeemReward.redemption?.id);
    expect(second.data?.redeemReward.userErrors).toEqual([]);
    expect(await g.balance('idem-1')).toBe(0);
  });

  it('refuses bad redemptions with field and code, writing nothing', async () => {
    await g.member('bad-1'); // 100 points, BRONZE
    const count = async () => ({
      entries: (await g.entries('bad-1')).length,
      events: (await g.emitted('bad-1')).length,
      redemptions: Number(
        (
          await svc.db
            .selectFrom('redemption')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    });
    const before = await count();
    const attempt = async (rewardId: string) =>
      (await svc.graphql<RedeemResult>(REDEEM, { input: { customerId: 'bad-1', rewardId } }, staff.officer)).data?.redeemReward;
    expect(await attempt(rewards.LAST_UMBRELLA ?? '')).toEqual({
      redemption: null,
      userErrors: [expect.objectContaining({ field: 'rewardId', code: 'OUT_OF_STOCK' })],
    });
    expect((await attempt(rewards.FEE_WAIVER ?? ''))?.userErrors).toEqual([expect.objectContaining({ field: 'rewardId', code: 'TIER_NOT_ELIGIBLE' })]);
    expect((await attempt('no-such-reward'))?.userErrors).toEqual([expect.objectContaining({ field: 'rewardId', code: 'REWARD_NOT_FOUND' })]);
    await svc.graphql(ADJUST, { input: { customerId: 'bad-1', points: -1, reason: 'Correction' } }); // 99 left
    // a debit is published too, so a mirrored balance does not drift
    expect(await g.payloads('bad-1', 'PointsDeducted')).toEqual([
      expect.objectContaining({ customerId: 'bad-1', points: 1, reason: 'ADJUSTMENT', sourceEventId: null, balance: 99 }),
    ]);
    const before2 = await count();
    expect((await attempt(rewards.MUG ?? ''))?.userErrors).toEqual([expect.objectContaining({ field: 'rewardId', code: 'INSUFFICIENT_POINTS' })]);
    expect(await count()).toEqual(before2);
    expect(before2.redemptions).toBe(before.redemptions);
  });

  it('cancels a redemption: points and stock come back, once', async () => {
    await g.member('cancel-1');
    const redeemed = await svc.graphql<RedeemResult>(REDEEM, { input: { customerId: 'cancel-1', rewardId: rewards.MUG } }, staff.officer);
    const id = redeemed.data?.redeemReward.redemption?.id;
    const stockAfterRedeem = redeemed.data?.redeemReward.redemption?.reward.stock ?? 0;
    expect(await g.balance('cancel-1')).toBe(0);
    const input = { redemptionId: id, reason: 'Customer changed their mind' };
    const res = await svc.graphql<{ cancelRedemption: { redemption: { status: string; cancelReason: string; reward: { stock: number } } } }>(CANCEL, { input });
    expect(res.data?.cancelRedemption.redemption).toEqual({
      id,
      status: 'CANCELLED',
      cancelReason: 'Customer changed their mind',
      reward: { stock: stockAfterRedeem + 1 },
    });
    expect(await g.balance('cancel-1')).toBe(100);
    expect(await g.payloads('cancel-1', 'RedemptionCancelled')).toEqual([
      expect.objectContaining({ customerId: 'cancel-1', redemptionId: id, rewardId: rewards.MUG, pointsRefunded: 100, balance: 100 }),
    ]);
    const again = await svc.graphql<{ cancelRedemption: { userErrors: unknown[] } }>(CANCEL, { input });
    expect(again.data?.cancelRedemption.userErrors).toEqual([{ field: 'redemptionId', code: 'ALREADY_CANCELLED' }]);
    expect(await g.balance('cancel-1')).toBe(100);
    expect(await g.payloads('cancel-1', 'RedemptionCancelled')).toHaveLength(1);
    const list = await svc.graphql<{
      _entities: { loyalty: { redemptions: { edges: { node: { status: string; points: number; reward: { code: string } } }[] } } }[];
    }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { loyalty { redemptions(first: 5) { edges { node { status points reward { code } } } } } } } }`,
      { reps: ['cancel-1', 'idem-1'].map((id) => ({ __typename: 'Customer', id })) },
    );
    expect(list.data?._entities.map((e) => e.loyalty.redemptions.edges.map((x) => x.node))).toEqual([
      [{ status: 'CANCELLED', points: 100, reward: { code: 'MUG' } }],
      [{ status: 'ACTIVE', points: 100, reward: { code: 'MUG' } }],
    ]);
    const unknown = await svc.graphql<{ cancelRedemption: { userErrors: unknown[] } }>(CANCEL, { input: { redemptionId: 'nope', reason: 'x' } });
    expect(unknown.data?.cancelRedemption.userErrors).toEqual([{ field: 'redemptionId', code: 'REDEMPTION_NOT_FOUND' }]);
  });

  it('adjusts with reason and actor; a debit beyond the balance is refused and writes nothing', async () => {
    await g.member('adj-1');
    const credit = await svc.graphql<{ adjustPoints: unknown }>(ADJUST, {
      input: { customerId: 'adj-1', points: 40, reason: 'Service recovery', idempotencyKey: 'adj-1-a' },
    });
    expect(credit.data?.adjustPoints).toEqual({
      entry: { kind: 'ADJUST', points: 40, reason: 'Service recovery', actorId: 'admin-1' },
      account: { pointsBalance: 140 },
      userErrors: [],
    });
    await svc.graphql(ADJUST, { input: { customerId: 'adj-1', points: 40, reason: 'Service recovery', idempotencyKey: 'adj-1-a' } });
    expect(await g.balance('adj-1')).toBe(140);
    const entriesBefore = await g.entries('adj-1');
    const debit = await svc.graphql<{ adjustPoints: unknown }>(ADJUST, { input: { customerId: 'adj-1', points: -141, reason: 'Correction' } });
    expect(debit.data?.adjustPoints).toEqual({ entry: null, account: null, userErrors: [{ field: 'points', code: 'INSUFFICIENT_POINTS' }] });
    expect(await g.entries('adj-1')).toEqual(entriesBefore);
    const zero = await svc.graphql<{ adjustPoints: unknown }>(ADJUST, { input: { customerId: 'adj-1', points: 0, reason: ' ' } });
    expect(zero.data?.adjustPoints).toMatchObject({
      userErrors: [
        { field: 'points', code: 'ZERO_POINTS' },
        { field: 'reason', code: 'TOO_SMALL' },
      ],
    });
    const officer = await svc.graphql(ADJUST, { input: { customerId: 'adj-1', points: 10, reason: 'x' } }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
