import type { Identity, UserError } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { checkContactAllowed, lockCustomerContacts } from '../db/contact-limit.store.ts';
import type { DB } from '../db/schema.ts';
import type { ContactOverride } from '../db/service-level.tables.ts';

/** Longest override reason kept. */
const MAX_REASON = 500;

/**
 * The contact rules on a contact being recorded (domain/contact-limits.ts): an outbound contact the
 * limits or the allowed hours refuse is refused with their codes (CONTACT_LIMIT_REACHED,
 * OUTSIDE_CONTACT_HOURS) unless a branch manager gives a reason to override them, which is then
 * returned to be kept with the contact. Only branch managers may give one (OVERRIDE_NOT_ALLOWED);
 * a reason given when no rule refuses the contact is not kept. Takes the customer's contact lock
 * (`lockCustomerContacts`) first: call it in the transaction that records the contact.
 */
export async function checkOutboundContact(
  db: Kysely<DB>,
  identity: Identity,
  contact: { customerId: string; channel: string; direction: string; purpose: string; occurredAt: Date },
  overrideReason: string | null | undefined,
): Promise<{ userErrors: UserError[]; override: ContactOverride | null }> {
  const reason = overrideReason?.trim() ?? null;
  if (overrideReason !== undefined && overrideReason !== null) {
    const refuse = (code: string, message: string) => ({ userErrors: [{ field: 'overrideReason', code, message }], override: null });
    if (!identity.roles.includes('branch_manager')) return refuse('OVERRIDE_NOT_ALLOWED', 'Only a branch manager may override the contact rules');
    if (!reason) return refuse('REQUIRED', 'An override needs a reason');
    if (reason.length > MAX_REASON) return refuse('TOO_BIG', `must be at most ${MAX_REASON} characters`);
  }
  if (contact.direction !== 'OUTBOUND') return { userErrors: [], override: null };
  // the contact is recorded in this transaction: a concurrent contact of the customer waits until it commits, then counts it
  await lockCustomerContacts(db, contact.customerId);
  const decision = await checkContactAllowed(db, {
    customerId: contact.customerId,
    channel: contact.channel,
    purpose: contact.purpose,
    at: contact.occurredAt,
  });
  if (decision.allowed) return { userErrors: [], override: null };
  if (!reason)
    return {
      userErrors: decision.refusals.map((r) => ({ field: r.code === 'OUTSIDE_CONTACT_HOURS' ? 'occurredAt' : 'purpose', code: r.code, message: r.message })),
      override: null,
    };
  return { userErrors: [], override: { rules: decision.refusals.map((r) => ({ code: r.code, rule: r.rule })), reason, by: identity.userId } };
}
