import { emit } from '@crm/events';
import type { Kysely } from 'kysely';
import { cancelTaskBySystem, findOpenMonitoringWork } from '../db/monitoring.store.ts';
import type { DB } from '../db/schema.ts';

/** Who cancels the monitoring of a closed loan. */
export const MONITORING_ACTOR = 'system:monitoring';

/**
 * A loan closed (LoanClosed), in the handler's transaction: its open planned visit and review,
 * and the escalations of an overdue review, are cancelled (TaskCancelled each): a closed loan is
 * not monitored any more, and the planning run plans only for active loans. A redelivery finds
 * nothing open.
 */
export async function endMonitoring(tx: Kysely<DB>, input: { loanId: string; at: Date }): Promise<{ cancelled: number }> {
  let cancelled = 0;
  for (const open of await findOpenMonitoringWork(tx, input.loanId)) {
    const task = await cancelTaskBySystem(tx, open.id, 'The loan was closed', input.at);
    if (!task || (open.status !== 'OPEN' && open.status !== 'IN_PROGRESS')) continue;
    await emit(tx, 'TaskCancelled', {
      subject: task.customer_id,
      time: input.at,
      data: {
        taskId: task.id,
        customerId: task.customer_id,
        type: task.type,
        previousStatus: open.status,
        cancelledBy: MONITORING_ACTOR,
        cancelledAt: input.at.toISOString(),
      },
    });
    cancelled++;
  }
  return { cancelled };
}
