import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findInteractionOfCustomer } from '../../db/interaction.store.ts';
import type { TaskRow } from '../../db/schema.ts';
import { updateTaskIfStatus } from '../../db/task.store.ts';
import { loadTaskFor, staleTask } from './task-transition.ts';

export const completeTask: MutationResolvers['completeTask'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent', 'risk_officer');
  const loaded = await loadTaskFor(ctx, input.taskId, 'DONE');
  if (!loaded.task) return { task: null, userErrors: [loaded.error] };
  const open = loaded.task;
  if (input.interactionId && !(await findInteractionOfCustomer(ctx.db, input.interactionId, open.customer_id))) {
    return {
      task: null,
      userErrors: [{ field: 'interactionId', code: 'INTERACTION_NOT_FOUND', message: 'No interaction with this id for the task’s customer' }],
    };
  }
  const now = ctx.now();
  const done = await ctx.db.transaction().execute(async (tx): Promise<TaskRow | undefined> => {
    const task = await updateTaskIfStatus(tx, open.id, open.status, {
      status: 'DONE',
      completed_at: now,
      completed_by: identity.userId,
      completed_interaction_id: input.interactionId ?? null,
    });
    if (!task) return undefined;
    await emit(tx, 'TaskCompleted', {
      subject: task.customer_id,
      time: now,
      data: {
        taskId: task.id,
        customerId: task.customer_id,
        type: task.type,
        completedBy: identity.userId,
        interactionId: input.interactionId ?? null,
        completedAt: now.toISOString(),
      },
    });
    return task;
  });
  return done ? { task: done, userErrors: [] } : { task: null, userErrors: [staleTask] };
};
