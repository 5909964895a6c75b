import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { LoyaltyContext } from '../context.ts';
import { assertCustomerInScope, lockAccountOfCustomer } from '../db/account.store.ts';
import { appendEntry } from '../db/ledger.store.ts';
import { changeStock, findRedemptionByIdempotencyKey, insertRedemption, lockReward } from '../db/reward.store.ts';
import { findTiers } from '../db/tier.store.ts';
import { checkRedemption } from '../domain/redemption.ts';

export interface RedeemRewardCommand {
  customerId: string;
  rewardId: string;
  idempotencyKey: string | null;
}

export type RedeemRewardResult = { redemptionId: string; userErrors: [] } | { redemptionId: null; userErrors: UserError[] };

/**
 * Spends points on a reward. The account row is locked (`select ... for update`) before the
 * balance is read, so two redemptions racing for the last points run one after the other and the
 * second sees the first's debit. Rule failures write nothing; so does a member outside the
 * caller's branch (FORBIDDEN).
 */
export async function redeemReward(ctx: LoyaltyContext, cmd: RedeemRewardCommand): Promise<RedeemRewardResult> {
  const { customerId, rewardId, idempotencyKey: key } = cmd;
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertCustomerInScope(ctx.db, ctx.scope, customerId);
  const now = ctx.now();
  return runCommand(ctx, { action: 'redeemReward', entityType: 'LoyaltyRedemption' }, async (tx, audit): Promise<RedeemRewardResult> => {
    audit.detail({ customerId, rewardId });
    const account = await lockAccountOfCustomer(tx, ctx.scope, customerId);
    if (!account) return rejected([{ field: 'customerId', code: 'ACCOUNT_NOT_FOUND', message: `No loyalty account for customer ${customerId}` }]);
    audit.detail({ accountId: account.id });
    if (key) {
      // Checked with the account locked: the same request sent twice in parallel redeems once.
      const again = await findRedemptionByIdempotencyKey(tx, key);
      if (again && (again.account_id !== account.id || again.reward_id !== rewardId)) {
        return rejected([{ field: 'idempotencyKey', code: 'IDEMPOTENCY_KEY_REUSED', message: 'This key was used for another redemption' }]);
      }
      if (again) {
        audit.entity(again.id);
        audit.detail({ replayed: true });
        return { redemptionId: again.id, userErrors: [] };
      }
    }
    const reward = await lockReward(tx, rewardId);
    const tiers = await findTiers(tx);
    const memberRank = tiers.find((t) => t.code === account.tier)?.rank ?? 0;
    const errors = checkRedemption(
      reward ? { active: reward.active, pointsCost: reward.points_cost, stock: reward.stock, minTierRank: reward.min_tier_rank } : null,
      account.balance,
      memberRank,
    );
    if (!reward || errors.length) return rejected(errors);

    const redemptionId = uuidv7();
    const entryId = uuidv7();
    await insertRedemption(tx, {
      id: redemptionId,
      account_id: account.id,
      reward_id: reward.id,
      points: reward.points_cost,
      status: 'ACTIVE',
      idempotency_key: key,
      redeemed_by: actorId,
      redeemed_at: now,
      cancelled_at: null,
      cancel_reason: null,
    });
    await appendEntry(tx, {
      id: entryId,
      account_id: account.id,
      kind: 'REDEEM',
      points: -reward.points_cost,
      reason: `Redeemed: ${reward.name}`,
      source_id: redemptionId,
      actor_id: actorId,
      created_at: now,
      expires_at: null,
    });
    await changeStock(tx, reward.id, -1);
    audit.entity(redemptionId);
    audit.changes(null, { status: 'ACTIVE', points: reward.points_cost, rewardCode: reward.code, pointsBalance: account.balance - reward.points_cost });
    const ref = { accountId: account.id, customerId: account.customer_id };
    await emit(tx, 'PointsRedeemed', {
      subject: account.customer_id,
      time: now,
      data: { ...ref, entryId, redemptionId, points: reward.points_cost, balance: account.balance - reward.points_cost },
    });
    await emit(tx, 'RewardRedeemed', {
      subject: account.customer_id,
      time: now,
      data: { ...ref, redemptionId, rewardId: reward.id, rewardKind: reward.kind, points: reward.points_cost },
    });
    return { redemptionId, userErrors: [] };
  });
}

function rejected(userErrors: UserError[]): RedeemRewardResult {
  return { redemptionId: null, userErrors };
}
