import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { UpsertRewardInput } from '../__generated__/resolvers-types.ts';
import type { LoyaltyContext } from '../context.ts';
import { recordProgrammeChange } from '../db/audit.store.ts';
import { findRewardByCode, findRewardsByIds, insertReward, updateReward } from '../db/reward.store.ts';
import type { RewardRow } from '../db/schema.ts';
import { findTiers } from '../db/tier.store.ts';
import { validateReward } from '../domain/admin-input.ts';

export type DefineRewardResult = { reward: RewardRow; userErrors: [] } | { reward: null; userErrors: UserError[] };

/** Creates a reward of the catalogue (no id), or changes one (administrators); the programme change is kept. */
export function defineReward(ctx: LoyaltyContext, input: UpsertRewardInput): Promise<DefineRewardResult> {
  const identity = requireIdentity(ctx);
  const id = input.id ?? null;
  return runCommand(ctx, { action: 'upsertReward', entityType: 'LoyaltyReward', entityId: id }, async (tx, audit): Promise<DefineRewardResult> => {
    const parsed = validateReward(input);
    if (!parsed.ok) return { reward: null, userErrors: parsed.errors };
    const r = parsed.value;
    if (r.minTier !== null && !(await findTiers(tx)).some((t) => t.code === r.minTier)) {
      return { reward: null, userErrors: [{ field: 'minTier', code: 'UNKNOWN_TIER', message: `No tier ${r.minTier}` }] };
    }
    const sameCode = await findRewardByCode(tx, r.code);
    if (sameCode && sameCode.id !== id) return { reward: null, userErrors: [{ field: 'code', code: 'DUPLICATE_CODE', message: `Reward ${r.code} exists` }] };
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
    const [before] = id ? await findRewardsByIds(tx, [id]) : [];
    const notFound = { reward: null, userErrors: [{ field: 'id', code: 'REWARD_NOT_FOUND', message: `No reward ${id}` }] };
    if (id && !before) return notFound;
    const after = id ? await updateReward(tx, id, row) : await insertReward(tx, { id: uuidv7(), ...row });
    if (!after) return notFound;
    await recordProgrammeChange(tx, { entity: 'REWARD', key: after.id, actorId: identity.userId, before: before ?? null, after, at: ctx.now() });
    audit.entity(after.id);
    audit.changes(before ?? null, after);
    return { reward: after, userErrors: [] };
  });
}
