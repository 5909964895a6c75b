import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * The loyalty account state topic: every mutation and handler that changes an account writes,
 * in its transaction, a LoyaltyAccountState record equal to the account as read afterwards
 * (balance and tier). Fails when a change produces no state record or a stale one.
 */
const TYPE = 'crm.loyalty.LoyaltyAccountState.v1';
const ACCOUNT = `query($id: ID!) { _entities(representations: [{ __typename: "Customer", id: $id }]) { ... on Customer { loyalty { pointsBalance tier } } } }`;
const ADJUST = `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { userErrors { field code } } }`;
const UPSERT_REWARD = `mutation($input: UpsertRewardInput!) { upsertReward(input: $input) { reward { id } userErrors { field code } } }`;
const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { redemption { id } userErrors { field code } } }`;
const CANCEL = `mutation($input: CancelRedemptionInput!) { cancelRedemption(input: $input) { userErrors { field code } } }`;
const manager = { userId: 'bm-1', roles: ['branch_manager' as const], branchId: 'BR-001' };

describe('loyalty account state records (DB-backed)', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_state' });
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  /** The state records of the customer's account written since outbox row `after`, oldest first. */
  const records = async (customerId: string, after: string) =>
    (
      await sql<{ seq: string; event: { sequence: string; data: { customerId: string; balance: number; tier: string } } }>`
        select seq, event from event_outbox where type = ${TYPE} and seq > ${after} and event->'data'->>'customerId' = ${customerId} order by seq`.execute(
        svc.db,
      )
    ).rows;
  const lastSeq = async () => String((await sql<{ s: string | null }>`select max(seq) as s from event_outbox`.execute(svc.db)).rows[0]?.s ?? '0');
  const account = async (id: string) =>
    (await svc.graphql<{ _entities: { loyalty: { pointsBalance: number; tier: string } }[] }>(ACCOUNT, { id })).data?._entities[0]?.loyalty;

  /** Runs a change and expects at least one new state record, the last one equal to the account now. */
  async function expectStateAfter(customerId: string, change: () => Promise<unknown>) {
    const before = await lastSeq();
    await change();
    const written = await records(customerId, before);
    expect(written.length, 'the change wrote a state record').toBeGreaterThan(0);
    const latest = written.at(-1)?.event;
    const now = await account(customerId);
    expect({ balance: latest?.data.balance, tier: latest?.data.tier }).toEqual({ balance: now?.pointsBalance, tier: now?.tier });
    return latest;
  }

  it('after opening, adjusting (both ways), redeeming and cancelling a redemption, with sequences 1, 2, 3...', async () => {
    const g = given(svc);
    const opened = await expectStateAfter('st-1', () => g.member('st-1'));
    expect(opened?.data.balance).toBe(100);
    const ok = (res: { data?: Record<string, { userErrors: unknown[] }> }, field: string) => expect(res.data?.[field]?.userErrors).toEqual([]);
    await expectStateAfter('st-1', async () =>
      ok(await svc.graphql(ADJUST, { input: { customerId: 'st-1', points: 40, reason: 'Goodwill' } }, manager), 'adjustPoints'),
    );
    await expectStateAfter('st-1', async () =>
      ok(await svc.graphql(ADJUST, { input: { customerId: 'st-1', points: -15, reason: 'Correction' } }, manager), 'adjustPoints'),
    );
    const reward = await svc.graphql<{ upsertReward: { reward: { id: string } } }>(
      UPSERT_REWARD,
      { input: { code: 'ST_MUG', name: 'Mug', kind: 'GIFT', pointsCost: 50, stock: 5 } },
      staff.admin,
    );
    let redemptionId = '';
    await expectStateAfter('st-1', async () => {
      const res = await svc.graphql<{ redeemReward: { redemption: { id: string } } }>(
        REDEEM,
        { input: { customerId: 'st-1', rewardId: reward.data?.upsertReward.reward.id } },
        staff.officer,
      );
      redemptionId = res.data?.redeemReward.redemption.id ?? '';
    });
    const cancelled = await expectStateAfter('st-1', async () =>
      ok(await svc.graphql(CANCEL, { input: { redemptionId, reason: 'Changed mind' } }, manager), 'cancelRedemption'),
    );
    expect(cancelled?.data.balance).toBe(125);
    const all = await records('st-1', '0');
    expect(all.map((r) => Number(r.event.sequence))).toEqual(all.map((_, i) => i + 1));
  }, 120_000);
});
