import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { adjustPoints as adjustPointsCommand } from '../../commands/adjust-points.ts';
import { findEntryById } from '../../db/ledger.store.ts';
import { validateAdjustment } from '../../domain/admin-input.ts';

/** Credits or debits points by hand, with a reason (branch managers; administrators). */
export const adjustPoints: MutationResolvers['adjustPoints'] = async (_parent, { input }, ctx) => {
  const parsed = validateAdjustment(input);
  if (!parsed.ok) return { entry: null, account: null, userErrors: parsed.errors };
  const outcome = await adjustPointsCommand(ctx, { ...parsed.value, idempotencyKey: input.idempotencyKey?.trim() || null });
  if (outcome.entryId === null) return { entry: null, account: null, userErrors: outcome.userErrors };
  const [entry, account] = await Promise.all([findEntryById(ctx.db, outcome.entryId), ctx.loaders.account.load(outcome.accountId)]);
  return { entry: entry ?? null, account, userErrors: [] };
};
