import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateTaskIfStatus } from '../../db/task.store.ts';
import { loadTaskFor, staleTask } from './task-transition.ts';

export const startTask: MutationResolvers['startTask'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent', 'risk_officer');
  const loaded = await loadTaskFor(ctx, input.taskId, 'IN_PROGRESS');
  if (!loaded.task) return { task: null, userErrors: [loaded.error] };
  const task = await updateTaskIfStatus(ctx.db, loaded.task.id, loaded.task.status, { status: 'IN_PROGRESS', started_at: ctx.now() });
  return task ? { task, userErrors: [] } : { task: null, userErrors: [staleTask] };
};
