import { type Kysely, sql } from 'kysely';
import {
  type ContactDecision,
  type ContactHoursRule,
  type ContactLimitRule,
  type ContactRules,
  contactDecision,
  hoursRefusal,
  limitRefusal,
  limitsFor,
  limitWindowEnd,
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
    .where('occurred_at', '<', limitWindowEnd(rule, at))
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

/**
 * Serialises the outbound contacts of one customer until the caller's transaction ends
 * (`pg_advisory_xact_lock` on ('contact-limits', the customer id) hashed, as idempotency.ts keys its locks): take it before `checkContactAllowed` when
 * the contact is then recorded in the same transaction, so two contacts racing for a customer's
 * last slot are decided one after the other and the second counts the first (test/contact-limits.db.test.ts).
 * On PGlite a transaction holds the whole database anyway; the lock is taken all the same.
 */
export async function lockCustomerContacts(db: Kysely<DB>, customerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('contact-limits'), hashtext(${customerId}))`.execute(db);
}

/** One contact of a batch to decide (see contactsWithinLimits). */
export interface BatchContact {
  /** The caller's key for the answer (e.g. the notification id). */
  key: string;
  customerId: string;
  /** An interaction channel, or one that none is (a letter: only the limits of any channel apply). */
  channel: string;
  purpose: string;
  /** Whether the contact, once allowed by the limits, will happen and be recorded as an outbound interaction (so later ones count it). */
  counts: boolean;
}

/**
 * Which contacts of a batch, all at `at`, are within the contact limits, in one statement: for each
 * contact (in the order given), every limit that matches its channel and purpose (the same
 * `contact_limit` rows `checkContactAllowed` reads) must still have room once the customer's
 * outbound interactions in the limit's window and the contacts of this batch accepted before it
 * (within their limits, and `counts`) are counted. A recursive walk per customer carries the
 * accepted contacts' channels and purposes. Keys of contacts over a limit map to false.
 */
export async function contactsWithinLimits(db: Kysely<DB>, contacts: readonly BatchContact[], at: Date): Promise<Map<string, boolean>> {
  if (!contacts.length) return new Map();
  const input = JSON.stringify(
    contacts.map((c, ord) => ({ key: c.key, ord, customer_id: c.customerId, channel: c.channel, purpose: c.purpose, counts: c.counts })),
  );
  const { rows } = await sql<{ key: string; within: boolean }>`
    with recursive c as (
      select x.*, row_number() over (partition by x.customer_id order by x.ord) as rn
      from jsonb_to_recordset(${input}::jsonb) as x(key text, ord int, customer_id text, channel text, purpose text, counts boolean)
    ),
    -- each contact's matching limits, with the customer's recorded outbound contacts in the window
    lim as (
      select c.key, l.channel, l.purpose, l.max_contacts,
        (select count(*) from interaction i
          where i.customer_id = c.customer_id and i.direction = 'OUTBOUND'
            and i.occurred_at > ${at}::timestamptz - make_interval(secs => l.period_days * 86400) and i.occurred_at < ${at}::timestamptz + make_interval(secs => l.period_days * 86400)
            and (l.channel = '*' or i.channel = l.channel) and (l.purpose = '*' or i.purpose = l.purpose)) as recorded
      from c join contact_limit l on (l.channel = '*' or l.channel = c.channel) and (l.purpose = '*' or l.purpose = c.purpose)
    ),
    walk (customer_id, rn, key, within, acc_channel, acc_purpose) as (
      select c.customer_id, c.rn, c.key, w.within,
        case when w.within and c.counts then array[c.channel] else '{}'::text[] end,
        case when w.within and c.counts then array[c.purpose] else '{}'::text[] end
      from c cross join lateral (select not exists (select 1 from lim where lim.key = c.key and lim.recorded >= lim.max_contacts) as within) w
      where c.rn = 1
      union all
      select c.customer_id, c.rn, c.key, w.within,
        case when w.within and c.counts then p.acc_channel || c.channel else p.acc_channel end,
        case when w.within and c.counts then p.acc_purpose || c.purpose else p.acc_purpose end
      from walk p join c on c.customer_id = p.customer_id and c.rn = p.rn + 1
      cross join lateral (
        select not exists (
          select 1 from lim where lim.key = c.key
            and lim.recorded + (select count(*) from unnest(p.acc_channel, p.acc_purpose) as a(channel, purpose)
              where (lim.channel = '*' or lim.channel = a.channel) and (lim.purpose = '*' or lim.purpose = a.purpose)) >= lim.max_contacts
        ) as within
      ) w
    )
    select key, within from walk`.execute(db);
  return new Map(rows.map((r) => [r.key, r.within]));
}
