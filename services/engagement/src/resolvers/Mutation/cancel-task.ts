import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateTaskIfStatus } from '../../db/task.store.ts';
import { loadTaskFor, staleTask } from './task-transition.ts';

export const cancelTask: MutationResolvers['cancelTask'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent', 'risk_officer');
  const reason = input.reason.trim();
  if (!reason) return { task: null, userErrors: [{ field: 'reason', code: 'TOO_SMALL', message: 'must not be blank' }] };
  const loaded = await loadTaskFor(ctx, input.taskId, 'CANCELLED');
  if (!loaded.task) return { task: null, userErrors: [loaded.error] };
  const task = await updateTaskIfStatus(ctx.db, loaded.task.id, loaded.task.status, {
    status: 'CANCELLED',
    cancelled_at: ctx.now(),
    cancel_reason: reason.slice(0, 1000),
  });
  return task ? { task, userErrors: [] } : { task: null, userErrors: [staleTask] };
};
