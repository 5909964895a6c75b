import type { TaskPriority, TaskType } from '../db/schema.ts';

/** How long the relationship manager has to make the welcome contact. */
export const WELCOME_CONTACT_DAYS = 3;

export interface TaskPlan {
  customerId: string;
  type: TaskType;
  title: string;
  assigneeId: string | null;
  priority: TaskPriority;
  dueAt: Date;
}

const DAY_MS = 86_400_000;

/** A new customer gets a welcome contact from their relationship manager within a few days. */
export function welcomeTask(customer: { customerId: string; displayName: string; relationshipManagerId: string | null; registeredAt: string }): TaskPlan {
  return {
    customerId: customer.customerId,
    type: 'WELCOME',
    title: `Welcome call to ${customer.displayName}`,
    assigneeId: customer.relationshipManagerId,
    priority: 'NORMAL',
    dueAt: new Date(new Date(customer.registeredAt).getTime() + WELCOME_CONTACT_DAYS * DAY_MS),
  };
}

/** An open or in-progress task is overdue once its due time has passed. */
export function isOverdue(task: { status: string; dueAt: Date }, now: Date): boolean {
  return (task.status === 'OPEN' || task.status === 'IN_PROGRESS') && task.dueAt.getTime() < now.getTime();
}
