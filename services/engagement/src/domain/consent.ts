import type { InteractionPurpose } from './types.ts';

/**
 * The consent a contact needs, by purpose. Customers' catalogue has one contact consent
 * (MARKETING_CONTACT); care contact (greetings, invitations) is unsolicited contact too, so it
 * needs the same one. Contacts for other purposes (servicing, collection) need none.
 */
export const CONSENT_FOR_PURPOSE: Partial<Record<InteractionPurpose, string>> = {
  MARKETING: 'MARKETING_CONTACT',
  CARE: 'MARKETING_CONTACT',
};

/** The consent purpose of greetings and event invitations. */
export const CARE_CONSENT_PURPOSE = 'MARKETING_CONTACT';

export function requiredConsent(purpose: InteractionPurpose): string | null {
  return CONSENT_FOR_PURPOSE[purpose] ?? null;
}

/**
 * Whether a consent change should replace what we hold: events can arrive out of order, so an
 * older change never overwrites a newer one. Without any record the customer has not consented.
 */
export function isNewerConsent(held: Date | null, incoming: Date): boolean {
  return held === null || incoming.getTime() >= held.getTime();
}
