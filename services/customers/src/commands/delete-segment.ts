import { runCommand, type UserError } from '@crm/service-kit';
import type { CustomersContext } from '../context.ts';
import { deleteSegment as deleteSegmentRow, findSegmentsByIds } from '../db/segment.store.ts';
import { segmentNotFound } from '../domain/segment-rule.ts';

/** Deletes a segment (its members are a live rule: nothing else to undo). */
export function deleteSegment(ctx: CustomersContext, input: { id: string }): Promise<{ userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'deleteCustomerSegment', entityType: 'CustomerSegment', entityId: input.id }, async (tx, audit) => {
    const [existing] = await findSegmentsByIds(tx, [input.id]);
    if (!existing || !(await deleteSegmentRow(tx, input.id))) return { userErrors: [segmentNotFound] };
    audit.change({ field: 'deleted', before: { name: existing.name, description: existing.description, rule: existing.rule }, after: null });
    return { userErrors: [] };
  });
}
