import { type Identity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CreateCustomerSegmentInput } from '../__generated__/resolvers-types.ts';
import type { CustomersContext } from '../context.ts';
import { findSegmentByName, insertSegment } from '../db/segment.store.ts';
import { checkName, nameTaken, validateSegmentRule } from '../domain/segment-rule.ts';

export type DefineSegmentResult = { segmentId: string; userErrors: [] } | { segmentId: null; userErrors: UserError[] };

/** Saves a named segment once its rule is valid (unknown attribute, wrong value type... -> userErrors). */
export function defineSegment(ctx: CustomersContext, identity: Identity, input: CreateCustomerSegmentInput): Promise<DefineSegmentResult> {
  return runCommand(ctx, { action: 'createCustomerSegment', entityType: 'CustomerSegment' }, async (tx, audit): Promise<DefineSegmentResult> => {
    const errors: UserError[] = [];
    const name = checkName(input.name, errors) ?? '';
    const rule = validateSegmentRule(input.rule);
    if (!rule.ok) errors.push(...rule.errors);
    if (errors.length || !rule.ok) return { segmentId: null, userErrors: errors };
    if (await findSegmentByName(tx, name)) return { segmentId: null, userErrors: [nameTaken] };
    const now = ctx.now();
    const id = uuidv7();
    const description = input.description?.trim() || null;
    await insertSegment(tx, { id, name, description, rule: rule.value, created_by: identity.userId, created_at: now, updated_at: now });
    audit.entity(id);
    audit.changes(null, { name, description, rule: rule.value });
    return { segmentId: id, userErrors: [] };
  });
}
