import { emit } from '@crm/events';
import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockAccountOfCustomer } from '../../db/account.store.ts';
import { appendEntry } from '../../db/ledger.store.ts';
import { changeStock, findRedemptionByIdempotencyKey, insertRedemption, lockReward } from '../../db/reward.store.ts';
import { findTiers } from '../../db/tier.store.ts';
import { checkRedemption } from '../../domain/redemption.ts';

/**
 * Spends points on a reward. The account row is locked (`select ... for update`) before the
 * balance is read, so two redemptions racing for the last points run one after the other and the
 * second sees the first's debit. Rule failures write nothing.
 */
export const redeemReward: MutationResolvers['redeemReward'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent');
  const key = input.idempotencyKey?.trim() || null;
  const now = ctx.now();
  const outcome = await ctx.db.transaction().execute(async (tx): Promise<{ redemptionId: string } | { errors: UserError[] }> => {
    const account = await lockAccountOfCustomer(tx, input.customerId);
    if (!account) return { errors: [{ field: 'customerId', code: 'ACCOUNT_NOT_FOUND', message: `No loyalty account for customer ${input.customerId}` }] };
    if (key) {
      // Checked with the account locked: the same request sent twice in parallel redeems once.
      const again = await findRedemptionByIdempotencyKey(tx, key);
      if (again && (again.account_id !== account.id || again.reward_id !== input.rewardId)) {
        return { errors: [{ field: 'idempotencyKey', code: 'IDEMPOTENCY_KEY_REUSED', message: 'This key was used for another redemption' }] };
      }
      if (again) return { redemptionId: again.id };
    }
    const reward = await lockReward(tx, input.rewardId);
    const tiers = await findTiers(tx);
    const memberRank = tiers.find((t) => t.code === account.tier)?.rank ?? 0;
    const errors = checkRedemption(
      reward ? { active: reward.active, pointsCost: reward.points_cost, stock: reward.stock, minTierRank: reward.min_tier_rank } : null,
      account.balance,
      memberRank,
    );
    if (!reward || errors.length) return { errors };

    const redemptionId = uuidv7();
    const entryId = uuidv7();
    await insertRedemption(tx, {
      id: redemptionId,
      account_id: account.id,
      reward_id: reward.id,
      points: reward.points_cost,
      status: 'ACTIVE',
      idempotency_key: key,
      redeemed_by: identity.userId,
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
      actor_id: identity.userId,
      created_at: now,
      expires_at: null,
    });
    await changeStock(tx, reward.id, -1);
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
    return { redemptionId };
  });
  if ('errors' in outcome) return { redemption: null, userErrors: outcome.errors };
  return { redemption: await ctx.loaders.redemption.load(outcome.redemptionId), userErrors: [] };
};
