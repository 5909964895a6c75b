import type { TaskResolvers } from '../__generated__/resolvers-types.ts';
import { isOverdue } from '../domain/tasks.ts';

export const Task: TaskResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.task.load(ref.id),
  customer: (t) => ({ id: t.customer_id }),
  assigneeId: (t) => t.assignee_id,
  dueAt: (t) => t.due_at,
  overdue: (t, _args, ctx) => isOverdue({ status: t.status, dueAt: t.due_at }, ctx.now()),
  sourceEventId: (t) => t.source_event_id,
  createdAt: (t) => t.created_at,
};
