import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { reassignOpenTasks as reassign } from '../db/task.store.ts';

/**
 * Tasks follow the relationship manager, in the caller's transaction: the open tasks held by the
 * previous manager (or by nobody) move to the new one; tasks given to someone else stay.
 */
export function reassignOpenTasks(tx: Transaction<DB>, input: { customerId: string; previousManagerId: string | null; managerId: string }): Promise<number> {
  return reassign(tx, input.customerId, input.previousManagerId, input.managerId);
}
