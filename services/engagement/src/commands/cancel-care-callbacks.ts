import { emit } from '@crm/events';
import type { Transaction } from 'kysely';
import { cancelOpenCareCallbacks } from '../db/care-callback.store.ts';
import type { DB } from '../db/schema.ts';
import { findServiceLevelOf } from '../db/service-level.store.ts';

/** A customer whose needs no longer call for a regular touch: the open one is cancelled (TaskCancelled). */
export async function cancelCareCallbacksNoLongerDue(tx: Transaction<DB>, customerId: string, at: Date): Promise<number> {
  const level = await findServiceLevelOf(tx, customerId);
  if (level.callbackEveryDays !== null) return 0;
  const cancelled = await cancelOpenCareCallbacks(tx, customerId, at, 'The customer’s special-care needs no longer call for a regular care touch');
  for (const t of cancelled) {
    if (t.previousStatus !== 'OPEN' && t.previousStatus !== 'IN_PROGRESS') continue;
    await emit(tx, 'TaskCancelled', {
      subject: customerId,
      time: at,
      data: { taskId: t.id, customerId, type: t.type, previousStatus: t.previousStatus, cancelledBy: 'engagement', cancelledAt: at.toISOString() },
    });
  }
  return cancelled.length;
}
