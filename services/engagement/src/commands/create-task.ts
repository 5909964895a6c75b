import { findIdempotentReplay, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { CreateTaskInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findCustomerReplica } from '../db/customer-replica.store.ts';
import type { TaskRow } from '../db/schema.ts';
import { findTaskIdByIdempotencyKey, findTaskPriority } from '../db/task.store.ts';
import { validateNewTask } from '../domain/tasks.ts';
import { createPlannedTask } from './create-planned-task.ts';
import { replayed } from './replayed.ts';

export type CreateTaskResult = { task: TaskRow | null; userErrors: UserError[] };

/** Creates a task by hand about a customer in the caller's scope (assigned to the relationship manager by default). Emits TaskCreated. */
export async function createTask(ctx: EngagementContext, input: CreateTaskInput): Promise<CreateTaskResult> {
  const identity = requireIdentity(ctx);
  const result = validateNewTask(input, ctx.now());
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const customer = result.ok ? await findCustomerReplica(ctx.db, ctx.scope, result.value.customerId) : undefined;
  const created = await runCommand(
    ctx,
    { action: 'createTask', entityType: 'Task' },
    async (tx, audit): Promise<{ id: string | null; userErrors: UserError[] }> => {
      // the replay check in the writing transaction: a second identical request waits, then replays
      const replay = await findIdempotentReplay(tx, 'task', input.idempotencyKey, (key) => findTaskIdByIdempotencyKey(tx, key));
      if (replay) return replayed(audit, replay);
      if (!result.ok) return { id: null, userErrors: result.errors };
      const t = result.value;
      if (!customer) return { id: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${t.customerId}` }] };
      const assigneeId = t.assigneeId ?? customer.relationship_manager_id;
      const id = await createPlannedTask(
        tx,
        { ...t, assigneeId },
        // by hand: the due time stays as given; the service level's priority floor applies
        { sourceEventId: null, createdBy: identity.userId, idempotencyKey: input.idempotencyKey ?? null, at: ctx.now(), shaping: 'manual' },
      );
      if (id) {
        audit.entity(id);
        audit.changes(null, { customerId: t.customerId, type: t.type, assigneeId, priority: await findTaskPriority(tx, id), dueAt: t.dueAt, status: 'OPEN' });
      }
      return { id, userErrors: [] };
    },
  );
  if (created.userErrors.length) return { task: null, userErrors: created.userErrors };
  return { task: created.id ? await ctx.loaders.task.load(created.id) : null, userErrors: [] };
}
