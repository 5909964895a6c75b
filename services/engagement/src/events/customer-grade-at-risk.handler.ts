import type { EventHandler } from '@crm/events';
import { endOfDate } from '@crm/service-kit';
import { createPlannedTask } from '../commands/create-planned-task.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { retentionTask } from '../domain/tasks.ts';

/** A grade at risk of downgrade: a retention call before the window ends (high priority for VIP and premium). */
export const onCustomerGradeAtRisk: EventHandler<DB, 'CustomerGradeAtRisk'> = async (tx, event) => {
  const g = event.data;
  const plan = retentionTask({
    customerId: g.customerId,
    reason: `grade ${g.grade} at risk of dropping to ${g.projectedGrade} on ${g.windowEndsOn}`,
    dedupeKey: `GRADE_AT_RISK:${g.customerId}:${g.windowEndsOn}`,
    assigneeId: await findRelationshipManagerId(tx, g.customerId),
    from: new Date(event.time),
    deadline: endOfDate(g.windowEndsOn),
    priority: g.grade === 'VIP' || g.grade === 'PREMIUM' ? 'HIGH' : 'NORMAL',
  });
  await createPlannedTask(tx, plan, { sourceEventId: event.id });
};
