import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCustomerReplica } from '../../db/customer-replica.store.ts';
import { findTaskIdByIdempotencyKey } from '../../db/task.store.ts';
import { validateNewTask } from '../../domain/tasks.ts';
import { createPlannedTask } from '../../events/create-task.ts';

export const createTask: MutationResolvers['createTask'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent', 'risk_officer');
  if (input.idempotencyKey) {
    const existing = await findTaskIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { task: await ctx.loaders.task.load(existing), userErrors: [] };
  }
  const result = validateNewTask(input, ctx.now());
  if (!result.ok) return { task: null, userErrors: result.errors };
  const t = result.value;
  const customer = await findCustomerReplica(ctx.db, t.customerId);
  if (!customer) return { task: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${t.customerId}` }] };
  const id = await ctx.db
    .transaction()
    .execute((tx) =>
      createPlannedTask(
        tx,
        { ...t, assigneeId: t.assigneeId ?? customer.relationship_manager_id },
        { sourceEventId: null, createdBy: identity.userId, idempotencyKey: input.idempotencyKey ?? null },
      ),
    );
  return { task: id ? await ctx.loaders.task.load(id) : null, userErrors: [] };
};
