import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { LoyaltyContext } from '../context.ts';
import { assertCustomerInScope, findSettings, lockAccountOfCustomer } from '../db/account.store.ts';
import { appendEntry, findAdjustment } from '../db/ledger.store.ts';
import { expiryOf } from '../domain/points.ts';
import { checkAdjustment } from '../domain/redemption.ts';

export interface AdjustPointsCommand {
  customerId: string;
  points: number;
  reason: string;
  idempotencyKey: string | null;
}

export type AdjustPointsResult = { entryId: string; accountId: string; userErrors: [] } | { entryId: null; accountId: null; userErrors: UserError[] };

/**
 * Credits or debits points by hand with a reason; the ledger keeps who did it. A debit never takes
 * the balance below zero (checked with the account row locked). Credits expire like earned points.
 * A member outside the caller's branch is FORBIDDEN and nothing is written.
 */
export async function adjustPoints(ctx: LoyaltyContext, cmd: AdjustPointsCommand): Promise<AdjustPointsResult> {
  const { customerId, points, reason, idempotencyKey: key } = cmd;
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertCustomerInScope(ctx.db, ctx.scope, customerId);
  const now = ctx.now();
  return runCommand(ctx, { action: 'adjustPoints', entityType: 'LoyaltyAccount' }, async (tx, audit): Promise<AdjustPointsResult> => {
    const account = await lockAccountOfCustomer(tx, ctx.scope, customerId);
    audit.detail({ customerId, points });
    if (!account) return rejected([{ field: 'customerId', code: 'ACCOUNT_NOT_FOUND', message: `No loyalty account for customer ${customerId}` }]);
    audit.entity(account.id);
    if (key) {
      const existing = await findAdjustment(tx, account.id, key);
      if (existing) {
        audit.detail({ entryId: existing.id, replayed: true });
        return { entryId: existing.id, accountId: account.id, userErrors: [] };
      }
    }
    const errors = checkAdjustment(points, account.balance);
    if (errors.length) return rejected(errors);
    const settings = await findSettings(tx);
    const entryId = uuidv7();
    await appendEntry(tx, {
      id: entryId,
      account_id: account.id,
      kind: 'ADJUST',
      points,
      reason,
      source_id: key ?? entryId,
      actor_id: actorId,
      created_at: now,
      expires_at: points > 0 ? expiryOf(now, settings.points_validity_months) : null,
    });
    audit.changes({ pointsBalance: account.balance }, { pointsBalance: account.balance + points });
    audit.detail({ entryId });
    if (points > 0) {
      await emit(tx, 'PointsEarned', {
        subject: account.customer_id,
        time: now,
        data: { accountId: account.id, customerId, entryId, points, reason: 'ADJUSTMENT', sourceEventId: entryId, balance: account.balance + points },
      });
    } else {
      await emit(tx, 'PointsDeducted', {
        subject: account.customer_id,
        time: now,
        data: { accountId: account.id, customerId, entryId, points: -points, reason: 'ADJUSTMENT', sourceEventId: null, balance: account.balance + points },
      });
    }
    return { entryId, accountId: account.id, userErrors: [] };
  });
}

function rejected(userErrors: UserError[]): AdjustPointsResult {
  return { entryId: null, accountId: null, userErrors };
}
