import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** A withdrawn consent stops greetings not yet sent. */
export async function cancelPendingGreetings(db: Kysely<DB>, customerId: string): Promise<number> {
  const rows = await db
    .updateTable('care_greeting')
    .set({ status: 'CANCELLED' })
    .where('customer_id', '=', customerId)
    .where('status', '=', 'PENDING')
    .returning('id')
    .execute();
  return rows.length;
}
