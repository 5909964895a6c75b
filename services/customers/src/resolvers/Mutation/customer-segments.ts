import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { deleteSegment, findSegmentByName, findSegmentsByIds, insertSegment, updateSegment } from '../../db/segment.store.ts';
import { validateSegmentRule } from '../../domain/segment-rule.ts';

function checkName(name: string | null | undefined, errors: UserError[]): string | undefined {
  if (name === undefined || name === null) return undefined;
  const trimmed = name.trim();
  if (!trimmed) errors.push({ field: 'name', message: 'must not be blank', code: 'REQUIRED' });
  else if (trimmed.length > 100) errors.push({ field: 'name', message: 'must be at most 100 characters', code: 'TOO_BIG' });
  return trimmed;
}

const nameTaken: UserError = { field: 'name', message: 'Another segment has this name', code: 'NAME_TAKEN' };
const segmentNotFound: UserError = { field: 'id', message: 'No segment has this id', code: 'SEGMENT_NOT_FOUND' };

export const createCustomerSegment: MutationResolvers['createCustomerSegment'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'analyst');
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

export const updateCustomerSegment: MutationResolvers['updateCustomerSegment'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'analyst');
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

export const deleteCustomerSegment: MutationResolvers['deleteCustomerSegment'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'analyst');
  const deleted = await deleteSegment(ctx.db, input.id);
  return deleted ? { deletedId: input.id, userErrors: [] } : { deletedId: null, userErrors: [segmentNotFound] };
};
