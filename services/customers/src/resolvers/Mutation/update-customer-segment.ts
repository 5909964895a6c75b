import type { UserError } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findSegmentByName, findSegmentsByIds, updateSegment } from '../../db/segment.store.ts';
import { checkName, nameTaken, segmentNotFound, validateSegmentRule } from '../../domain/segment-rule.ts';

/** Renames, redescribes or changes the rule of a segment (validated like at creation). */
export const updateCustomerSegment: MutationResolvers['updateCustomerSegment'] = async (_parent, { input }, ctx) => {
  const errors: UserError[] = [];
  const name = checkName(input.name, errors);
  const rule = input.rule === undefined || input.rule === null ? null : validateSegmentRule(input.rule);
  if (rule && !rule.ok) errors.push(...rule.errors);
  if (errors.length) return { segment: null, userErrors: errors };
  const [existing] = await findSegmentsByIds(ctx.db, [input.id]);
  if (!existing) return { segment: null, userErrors: [segmentNotFound] };
  if (name && name !== existing.name && (await findSegmentByName(ctx.db, name))) return { segment: null, userErrors: [nameTaken] };
  await updateSegment(ctx.db, existing.id, {
    ...(name ? { name } : {}),
    ...(input.description !== undefined ? { description: input.description?.trim() || null } : {}),
    ...(rule?.ok ? { rule: rule.rule } : {}),
    updated_at: ctx.now(),
  });
  ctx.loaders.segment.clear(existing.id);
  return { segment: await ctx.loaders.segment.load(existing.id), userErrors: [] };
};
