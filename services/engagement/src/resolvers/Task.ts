import type { TaskResolvers } from '../__generated__/resolvers-types.ts';
import { isOverdue } from '../domain/tasks.ts';

export const Task: TaskResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.task.load(ref.id),
  /** The Customer entity reference: the gateway fetches name, grade, warnings and tier from their owners. */
  customer: (t) => ({ id: t.customer_id }),
  assigneeId: (t) => t.assignee_id,
  dueAt: (t) => t.due_at,
  overdue: (t, _args, ctx) => isOverdue({ status: t.status, dueAt: t.due_at }, ctx.now()),
  sourceEventId: (t) => t.source_event_id,
  loanId: (t) => t.loan_id,
  startedAt: (t) => t.started_at,
  completedAt: (t) => t.completed_at,
  completedBy: (t) => t.completed_by,
  completedInteraction: (t, _args, ctx) => (t.completed_interaction_id ? ctx.loaders.interaction.load(t.completed_interaction_id) : null),
  cancelledAt: (t) => t.cancelled_at,
  cancelReason: (t) => t.cancel_reason,
  createdAt: (t) => t.created_at,
};
