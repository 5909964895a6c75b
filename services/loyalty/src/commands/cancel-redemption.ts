import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { LoyaltyContext } from '../context.ts';
import { lockAccountById } from '../db/account.store.ts';
import { appendEntry } from '../db/ledger.store.ts';
import { assertRedemptionInScope, changeStock, lockRedemption, markRedemptionCancelled } from '../db/reward.store.ts';

export interface CancelRedemptionCommand {
  redemptionId: string;
  reason: string;
}

/**
 * Cancels a redemption: refunds its points (a REVERSE entry naming it) and puts the reward back in
 * stock. A redemption of a member outside the caller's branch is FORBIDDEN and nothing changes.
 */
export async function cancelRedemption(ctx: LoyaltyContext, cmd: CancelRedemptionCommand): Promise<{ userErrors: UserError[] }> {
  const { redemptionId, reason } = cmd;
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertRedemptionInScope(ctx.db, ctx.scope, redemptionId);
  const now = ctx.now();
  return runCommand(ctx, { action: 'cancelRedemption', entityType: 'LoyaltyRedemption', entityId: redemptionId }, async (tx, audit) => {
    const redemption = await lockRedemption(tx, redemptionId);
    if (!redemption) return { userErrors: [{ field: 'redemptionId', code: 'REDEMPTION_NOT_FOUND', message: `No redemption ${redemptionId}` }] };
    const account = await lockAccountById(tx, ctx.scope, redemption.account_id);
    if (redemption.status === 'CANCELLED')
      return { userErrors: [{ field: 'redemptionId', code: 'ALREADY_CANCELLED', message: 'This redemption was already cancelled' }] };
    await markRedemptionCancelled(tx, redemption.id, now, reason, actorId);
    const entryId = uuidv7();
    await appendEntry(tx, {
      id: entryId,
      account_id: redemption.account_id,
      kind: 'REVERSE',
      points: redemption.points,
      reason: `Redemption cancelled: ${reason}`,
      source_id: redemption.id,
      actor_id: actorId,
      created_at: now,
      expires_at: null,
    });
    await changeStock(tx, redemption.reward_id, 1);
    audit.changes({ status: redemption.status }, { status: 'CANCELLED' });
    audit.detail({ accountId: redemption.account_id, pointsRefunded: redemption.points });
    if (account) {
      await emit(tx, 'RedemptionCancelled', {
        subject: account.customer_id,
        time: now,
        data: {
          accountId: account.id,
          customerId: account.customer_id,
          redemptionId: redemption.id,
          rewardId: redemption.reward_id,
          entryId,
          pointsRefunded: redemption.points,
          balance: account.balance + redemption.points,
          cancelledAt: now.toISOString(),
        },
      });
    }
    return { userErrors: [] };
  });
}
