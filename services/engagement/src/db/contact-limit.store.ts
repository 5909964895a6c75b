import type { Kysely } from 'kysely';
import {
  type ContactDecision,
  type ContactHoursRule,
  type ContactLimitRule,
  type ContactRules,
  contactDecision,
  hoursRefusal,
  limitRefusal,
  limitsFor,
  limitWindowStart,
} from '../domain/contact-limits.ts';
import type { InteractionChannel, InteractionPurpose } from '../domain/types.ts';
import type { DB } from './schema.ts';

export type { ContactDecision, ContactRefusal, ContactRefusalCode } from '../domain/contact-limits.ts';

const ANY = '*';

/** The contact rules: limits (channel and purpose '*' = any) and allowed hours per purpose. Bounded (at most 50 of each). */
export async function findContactRules(db: Kysely<DB>): Promise<ContactRules> {
  const [limits, hours] = await Promise.all([
    db.selectFrom('contact_limit').selectAll().orderBy('purpose').orderBy('channel').execute(),
    db.selectFrom('contact_hours').selectAll().orderBy('purpose').execute(),
  ]);
  return {
    limits: limits.map(
      (l): ContactLimitRule => ({
        channel: l.channel === ANY ? null : (l.channel as InteractionChannel),
        purpose: l.purpose === ANY ? null : (l.purpose as InteractionPurpose),
        maxContacts: l.max_contacts,
        periodDays: l.period_days,
      }),
    ),
    hours: hours.map(
      (h): ContactHoursRule => ({
        purpose: h.purpose as InteractionPurpose,
        days: h.days.map(Number),
        from: h.from_time,
        to: h.to_time,
        timeZone: h.time_zone,
      }),
    ),
  };
}

/** Replaces the rules (the lists given; both when both are). */
export async function replaceContactRules(db: Kysely<DB>, rules: Partial<ContactRules>, by: string, at: Date): Promise<void> {
  if (rules.limits) {
    await db.deleteFrom('contact_limit').execute();
    if (rules.limits.length)
      await db
        .insertInto('contact_limit')
        .values(
          rules.limits.map((l) => ({
            channel: l.channel ?? ANY,
            purpose: l.purpose ?? ANY,
            max_contacts: l.maxContacts,
            period_days: l.periodDays,
            updated_by: by,
            updated_at: at,
          })),
        )
        .execute();
  }
  if (rules.hours) {
    await db.deleteFrom('contact_hours').execute();
    if (rules.hours.length)
      await db
        .insertInto('contact_hours')
        .values(
          rules.hours.map((h) => ({
            purpose: h.purpose,
            days: h.days,
            from_time: h.from,
            to_time: h.to,
            time_zone: h.timeZone,
            updated_by: by,
            updated_at: at,
          })),
        )
        .execute();
  }
}

/**
 * The instants of a customer's outbound contacts that count towards a limit at `at`: in its window
 * (after `at` - period, up to `at`), of its channel and purpose (unless any), the most recent
 * first, at most `maxContacts` of them (all a decision needs).
 */
async function countedContacts(db: Kysely<DB>, customerId: string, rule: ContactLimitRule, at: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('interaction')
    .select('occurred_at')
    .where('customer_id', '=', customerId)
    .where('direction', '=', 'OUTBOUND')
    .where('occurred_at', '>', limitWindowStart(rule, at))
    .where('occurred_at', '<=', at)
    .$if(rule.channel !== null, (q) => q.where('channel', '=', rule.channel ?? 'PHONE'))
    .$if(rule.purpose !== null, (q) => q.where('purpose', '=', rule.purpose ?? 'SERVICE'))
    .orderBy('occurred_at', 'desc')
    .limit(rule.maxContacts)
    .execute();
  return rows.map((r) => r.occurred_at);
}

/** What `checkContactAllowed` is asked. */
export interface ContactRequest {
  customerId: string;
  /** An interaction channel (PHONE, SMS, EMAIL, APP, MESSAGING, VISIT, BRANCH, SOCIAL); limits of other channels never match. */
  channel: string;
  /** An interaction purpose (COLLECTION_REMINDER, MARKETING, CARE, SERVICE, ...). */
  purpose: string;
  /** When the contact happens (or would). */
  at: Date;
}

/**
 * May this outbound contact happen? The public check of the contact rules, for every part of
 * engagement that contacts customers (logged interactions, planned tasks, notifications):
 *
 *   const decision = await checkContactAllowed(tx, { customerId, channel: 'SMS', purpose: 'COLLECTION_REMINDER', at: now });
 *   if (!decision.allowed) ... decision.refusals[0].code  // 'CONTACT_LIMIT_REACHED' | 'OUTSIDE_CONTACT_HOURS'
 *
 * Each refusal names the rule, says why (message) and when the contact would be allowed again
 * (`nextAllowedAt`; `allowedAgainAt(refusals)` for all of them). Contacts counted towards the
 * limits are the customer's OUTBOUND interactions (`interaction` rows): a sender that contacts a
 * customer outside `logInteraction` records the contact as an outbound interaction for it to count.
 * Pass `rules` (findContactRules) to check many contacts with one read of the rules.
 */
export async function checkContactAllowed(db: Kysely<DB>, request: ContactRequest, rules?: ContactRules): Promise<ContactDecision> {
  const { limits, hours } = rules ?? (await findContactRules(db));
  const channel = request.channel as InteractionChannel;
  const purpose = request.purpose as InteractionPurpose;
  const refusals = [
    hoursRefusal(
      hours.find((h) => h.purpose === purpose),
      request.at,
    ),
  ];
  for (const rule of limitsFor(limits, channel, purpose)) {
    refusals.push(limitRefusal(rule, await countedContacts(db, request.customerId, rule, request.at), request.at));
  }
  return contactDecision(refusals);
}
