import { emit } from '@crm/events';
import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findSettings, lockAccountOfCustomer } from '../../db/account.store.ts';
import { appendEntry, findAdjustment, findEntryById } from '../../db/ledger.store.ts';
import { validateAdjustment } from '../../domain/admin-input.ts';
import { expiryOf } from '../../domain/points.ts';
import { checkAdjustment } from '../../domain/redemption.ts';

/**
 * Credits or debits points by hand with a reason; the ledger keeps who did it. A debit never takes
 * the balance below zero (checked with the account row locked). Credits expire like earned points.
 */
export const adjustPoints: MutationResolvers['adjustPoints'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager');
  const parsed = validateAdjustment(input);
  if (!parsed.ok) return { entry: null, account: null, userErrors: parsed.errors };
  const { customerId, points, reason } = parsed.value;
  const key = input.idempotencyKey?.trim() || null;
  const now = ctx.now();
  const outcome = await ctx.db.transaction().execute(async (tx): Promise<{ entryId: string; accountId: string } | UserError[]> => {
    const account = await lockAccountOfCustomer(tx, customerId);
    if (!account) return [{ field: 'customerId', code: 'ACCOUNT_NOT_FOUND', message: `No loyalty account for customer ${customerId}` }];
    if (key) {
      const existing = await findAdjustment(tx, account.id, key);
      if (existing) return { entryId: existing.id, accountId: account.id };
    }
    const errors = checkAdjustment(points, account.balance);
    if (errors.length) return errors;
    const settings = await findSettings(tx);
    const entryId = uuidv7();
    await appendEntry(tx, {
      id: entryId,
      account_id: account.id,
      kind: 'ADJUST',
      points,
      reason,
      source_id: key ?? entryId,
      actor_id: identity.userId,
      created_at: now,
      expires_at: points > 0 ? expiryOf(now, settings.points_validity_months) : null,
    });
    if (points > 0) {
      await emit(tx, 'PointsEarned', {
        subject: account.customer_id,
        time: now,
        data: { accountId: account.id, customerId, entryId, points, reason: 'ADJUSTMENT', sourceEventId: entryId, balance: account.balance + points },
      });
    }
    return { entryId, accountId: account.id };
  });
  if (Array.isArray(outcome)) return { entry: null, account: null, userErrors: outcome };
  const [entry, account] = await Promise.all([findEntryById(ctx.db, outcome.entryId), ctx.loaders.account.load(outcome.accountId)]);
  return { entry: entry ?? null, account, userErrors: [] };
};
