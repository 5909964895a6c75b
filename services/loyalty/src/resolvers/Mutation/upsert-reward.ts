import { requireIdentity, runCommand } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordProgrammeChange } from '../../db/audit.store.ts';
import { findRewardByCode, findRewardsByIds, insertReward, updateReward } from '../../db/reward.store.ts';
import { findTiers } from '../../db/tier.store.ts';
import { validateReward } from '../../domain/admin-input.ts';

/** Creates a reward of the catalogue, or changes one (administrators). */
export const upsertReward: MutationResolvers['upsertReward'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const parsed = validateReward(input);
  if (!parsed.ok) return { reward: null, userErrors: parsed.errors };
  const r = parsed.value;
  if (r.minTier !== null && !(await findTiers(ctx.db)).some((t) => t.code === r.minTier)) {
    return { reward: null, userErrors: [{ field: 'minTier', code: 'UNKNOWN_TIER', message: `No tier ${r.minTier}` }] };
  }
  const sameCode = await findRewardByCode(ctx.db, r.code);
  if (sameCode && sameCode.id !== input.id)
    return { reward: null, userErrors: [{ field: 'code', code: 'DUPLICATE_CODE', message: `Reward ${r.code} exists` }] };
  const row = {
    code: r.code,
    name: r.name,
    kind: r.kind,
    points_cost: r.pointsCost,
    stock: r.stock,
    min_tier: r.minTier,
    rate_discount_bps: r.rateDiscountBps,
    face_value: r.faceValue?.toFixed(2) ?? null,
    currency: r.currency,
    active: r.active,
  };
  const id = input.id ?? null;
  const saved = await runCommand(ctx, { action: 'upsertReward', entityType: 'LoyaltyReward' }, async (tx, audit) => {
    const [before] = id ? await findRewardsByIds(tx, [id]) : [];
    if (id && !before) return null;
    const after = id ? await updateReward(tx, id, row) : await insertReward(tx, { id: uuidv7(), ...row });
    if (!after) return null;
    await recordProgrammeChange(tx, { entity: 'REWARD', key: after.id, actorId: identity.userId, before: before ?? null, after, at: ctx.now() });
    audit.entity(after.id);
    audit.changes(before ?? null, after);
    return after;
  });
  if (!saved) return { reward: null, userErrors: [{ field: 'id', code: 'REWARD_NOT_FOUND', message: `No reward ${id}` }] };
  return { reward: saved, userErrors: [] };
};
