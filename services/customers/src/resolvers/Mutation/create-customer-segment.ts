import { requireIdentity, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findSegmentByName, insertSegment } from '../../db/segment.store.ts';
import { checkName, nameTaken, validateSegmentRule } from '../../domain/segment-rule.ts';

/** Saves a named segment once its rule is valid (unknown attribute, wrong value type... -> userErrors). */
export const createCustomerSegment: MutationResolvers['createCustomerSegment'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const errors: UserError[] = [];
  const name = checkName(input.name, errors) ?? '';
  const rule = validateSegmentRule(input.rule);
  if (!rule.ok) errors.push(...rule.errors);
  if (errors.length) return { segment: null, userErrors: errors };
  if (await findSegmentByName(ctx.db, name)) return { segment: null, userErrors: [nameTaken] };
  const now = ctx.now();
  const id = uuidv7();
  await insertSegment(ctx.db, {
    id,
    name,
    description: input.description?.trim() || null,
    rule: rule.ok ? rule.rule : null,
    created_by: identity.userId,
    created_at: now,
    updated_at: now,
  });
  return { segment: await ctx.loaders.segment.load(id), userErrors: [] };
};
