import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockAccountById } from '../../db/account.store.ts';
import { appendEntry } from '../../db/ledger.store.ts';
import { changeStock, lockRedemption, markRedemptionCancelled } from '../../db/reward.store.ts';

/** Cancels a redemption: refunds its points (a REVERSE entry naming it) and puts the reward back in stock. */
export const cancelRedemption: MutationResolvers['cancelRedemption'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'service_agent');
  const reason = input.reason.trim();
  if (!reason) return { redemption: null, userErrors: [{ field: 'reason', code: 'REQUIRED', message: 'must not be blank' }] };
  const now = ctx.now();
  const errors = await ctx.db.transaction().execute(async (tx): Promise<UserError[]> => {
    const redemption = await lockRedemption(tx, input.redemptionId);
    if (!redemption) return [{ field: 'redemptionId', code: 'REDEMPTION_NOT_FOUND', message: `No redemption ${input.redemptionId}` }];
    if (redemption.status === 'CANCELLED') return [{ field: 'redemptionId', code: 'ALREADY_CANCELLED', message: 'This redemption was already cancelled' }];
    await lockAccountById(tx, redemption.account_id);
    await markRedemptionCancelled(tx, redemption.id, now, reason, identity.userId);
    await appendEntry(tx, {
      id: uuidv7(),
      account_id: redemption.account_id,
      kind: 'REVERSE',
      points: redemption.points,
      reason: `Redemption cancelled: ${reason}`,
      source_id: redemption.id,
      actor_id: identity.userId,
      created_at: now,
      expires_at: null,
    });
    await changeStock(tx, redemption.reward_id, 1);
    return [];
  });
  if (errors.length) return { redemption: null, userErrors: errors };
  return { redemption: await ctx.loaders.redemption.load(input.redemptionId), userErrors: [] };
};
