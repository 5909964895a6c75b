import type { Transaction } from 'kysely';
import { cancelPendingGreetings as cancel } from '../db/care.store.ts';
import type { DB } from '../db/schema.ts';

/** A customer withdrew contact consent: the greetings not yet sent are cancelled (caller's transaction). */
export function cancelPendingGreetings(tx: Transaction<DB>, customerId: string): Promise<number> {
  return cancel(tx, customerId);
}
