import { type EventHandler, emit } from '@crm/events';
import { v7 as uuidv7 } from 'uuid';
import { upsertCustomerReplica } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { insertTaskOnce } from '../db/task.store.ts';
import { welcomeTask } from '../domain/tasks.ts';

/** Keeps the customer replica and schedules the welcome contact for the relationship manager. */
export const onCustomerRegistered: EventHandler<DB, 'CustomerRegistered'> = async (tx, event) => {
  const c = event.data;
  await upsertCustomerReplica(tx, {
    id: c.customerId,
    display_name: c.displayName,
    branch_id: c.branchId,
    relationship_manager_id: c.relationshipManagerId,
    birth_date: c.birthDate,
    updated_at: new Date(event.time),
  });
  const plan = welcomeTask(c);
  const taskId = uuidv7();
  const created = await insertTaskOnce(tx, {
    id: taskId,
    customer_id: plan.customerId,
    type: plan.type,
    title: plan.title,
    assignee_id: plan.assigneeId,
    priority: plan.priority,
    status: 'OPEN',
    due_at: plan.dueAt,
    source_event_id: event.id,
    completed_interaction_id: null,
  });
  if (!created) return;
  await emit(tx, 'TaskCreated', {
    subject: plan.customerId,
    data: {
      taskId,
      customerId: plan.customerId,
      type: plan.type,
      assigneeId: plan.assigneeId,
      priority: plan.priority,
      dueAt: plan.dueAt.toISOString(),
      sourceEventId: event.id,
    },
  });
};
