import type { EventHandler } from '@crm/events';
import { cancelPendingGreetings } from '../commands/cancel-pending-greetings.ts';
import { upsertConsent } from '../db/consent.store.ts';
import type { DB } from '../db/schema.ts';
import { CARE_CONSENT_PURPOSE } from '../domain/consent.ts';

/** Keeps engagement's consent replica; a withdrawn contact consent cancels pending greetings. */
export const onConsentChanged: EventHandler<DB, 'ConsentChanged'> = async (tx, event) => {
  const c = event.data;
  const applied = await upsertConsent(tx, {
    customer_id: c.customerId,
    purpose: c.purpose,
    granted: c.granted,
    channel: c.channel,
    changed_at: new Date(c.changedAt),
  });
  if (applied && !c.granted && c.purpose === CARE_CONSENT_PURPOSE) await cancelPendingGreetings(tx, c.customerId);
};
