import { runCommand, type UserError } from '@crm/service-kit';
import type { UpdateCustomerSegmentInput } from '../__generated__/resolvers-types.ts';
import type { CustomersContext } from '../context.ts';
import { findSegmentByName, findSegmentsByIds, updateSegment } from '../db/segment.store.ts';
import { checkName, nameTaken, segmentNotFound, validateSegmentRule } from '../domain/segment-rule.ts';

/** Renames, redescribes or changes the rule of a segment (validated like at creation). */
export function changeSegment(ctx: CustomersContext, input: UpdateCustomerSegmentInput): Promise<{ userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'updateCustomerSegment', entityType: 'CustomerSegment', entityId: input.id }, async (tx, audit) => {
    const errors: UserError[] = [];
    const name = checkName(input.name, errors);
    const rule = input.rule === undefined || input.rule === null ? null : validateSegmentRule(input.rule);
    if (rule && !rule.ok) errors.push(...rule.errors);
    if (errors.length) return { userErrors: errors };
    const [existing] = await findSegmentsByIds(tx, [input.id]);
    if (!existing) return { userErrors: [segmentNotFound] };
    if (name && name !== existing.name && (await findSegmentByName(tx, name))) return { userErrors: [nameTaken] };
    const changes = {
      ...(name ? { name } : {}),
      ...(input.description !== undefined ? { description: input.description?.trim() || null } : {}),
      ...(rule?.ok ? { rule: rule.value } : {}),
    };
    await updateSegment(tx, existing.id, { ...changes, updated_at: ctx.now() });
    audit.changes({ name: existing.name, description: existing.description, rule: existing.rule }, changes);
    return { userErrors: [] };
  });
}
