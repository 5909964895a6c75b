import type { EventHandler } from '@crm/events';
import { convertLeadsOf } from '../commands/convert-leads.ts';
import type { DB } from '../db/schema.ts';

/** A restructuring request converts the customer's open RESTRUCTURING leads created before it. */
export const onRestructuringRequested: EventHandler<DB, 'RestructuringRequested'> = async (tx, event) => {
  await convertLeadsOf(tx, event.data.customerId, { kind: 'RESTRUCTURING', restructuringId: event.data.restructuringId }, new Date(event.time));
};
