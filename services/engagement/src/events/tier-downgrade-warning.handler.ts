import type { EventHandler } from '@crm/events';
import { startOfDate } from '@crm/service-kit';
import { createPlannedTask } from '../commands/create-planned-task.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { retentionTask } from '../domain/tasks.ts';

/** A loyalty tier about to drop: a retention call before the downgrade takes effect. */
export const onTierDowngradeWarning: EventHandler<DB, 'TierDowngradeWarning'> = async (tx, event) => {
  const t = event.data;
  const plan = retentionTask({
    customerId: t.customerId,
    reason: `loyalty tier ${t.tier} drops to ${t.projectedTier} on ${t.effectiveOn}`,
    dedupeKey: `TIER_DOWNGRADE:${t.accountId}:${t.effectiveOn}`,
    assigneeId: await findRelationshipManagerId(tx, t.customerId),
    from: new Date(event.time),
    deadline: startOfDate(t.effectiveOn),
    priority: 'NORMAL',
  });
  await createPlannedTask(tx, plan, { sourceEventId: event.id });
};
