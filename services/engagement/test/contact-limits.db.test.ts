import { createLogger, DAY_MS, isoDate } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggingAdapter } from '../src/channels/logging-adapter.ts';
import { checkOutboundContact } from '../src/commands/check-outbound-contact.ts';
import { dispatchNotifications } from '../src/commands/dispatch-notifications.ts';
import { insertInteraction } from '../src/db/interaction.store.ts';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

const logger = createLogger('contact-limits-test', 'silent');
const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { field code } } }`;

/** 10:00 UTC on the first weekday (Mon-Sat: the seeded contact hours of collection reminders) at least `days` days from now. */
function workingHour(days: number): Date {
  const d = new Date(Date.now() + days * DAY_MS);
  d.setUTCHours(10, 0, 0, 0);
  while (d.getUTCDay() === 0) d.setTime(d.getTime() + DAY_MS);
  return d;
}

describe('contact limits: serialised per customer, decided set-wise for a dispatch batch', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;

  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_contact_limits' });
    g = given(svc);
    // one SERVICE contact per customer per day, any channel (SERVICE has no contact hours)
    await svc.db
      .insertInto('contact_limit')
      .values({ channel: '*', purpose: 'SERVICE', max_contacts: 1, period_days: 1, updated_by: 'test', updated_at: new Date() })
      .execute();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const serviceCall = (customerId: string, key: string) =>
    svc.graphql<{ logInteraction: { interaction: { id: string } | null; userErrors: { field: string | null; code: string }[] } }>(
      LOG,
      { input: { customerId, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'Statement query answered', idempotencyKey: key } },
      staff.officer,
    );

  it('lets exactly one of two concurrent contacts take the customer’s last slot; the other gets CONTACT_LIMIT_REACHED', async () => {
    const c = await g.customer('cl-race');
    const [a, b] = await Promise.all([serviceCall(c, 'race-a'), serviceCall(c, 'race-b')]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const outcomes = [a, b].map((r) => r.data?.logInteraction.userErrors.map((e) => e.code) ?? ['NO_ANSWER']);
    expect(outcomes.sort((x, y) => x.length - y.length)).toEqual([[], ['CONTACT_LIMIT_REACHED']]);
    const recorded = await svc.db.selectFrom('interaction').select('id').where('customer_id', '=', c).execute();
    expect(recorded).toHaveLength(1);
  });

  it('counts a contact recorded a moment later but timed after this one (two officers at once; a call logged after the fact)', async () => {
    const c = await g.customer('cl-out-of-order');
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const log = (key: string, occurredAt: string) =>
      svc.graphql<{ logInteraction: { userErrors: { code: string }[] } }>(
        LOG,
        { input: { customerId: c, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'Call', idempotencyKey: key, occurredAt } },
        staff.officer,
      );
    expect((await log('ooo-a', at(0))).data?.logInteraction.userErrors).toEqual([]);
    // a minute earlier than the one recorded: the two are less than a day apart, one too many
    expect((await log('ooo-b', at(-60_000))).data?.logInteraction.userErrors.map((e) => e.code)).toEqual(['CONTACT_LIMIT_REACHED']);
  });

  // Two transactions interleaved by hand on PostgreSQL: the second check starts while the first
  // holds the slot unrecorded. It must wait for the first to commit, then count it. (On PGlite a
  // transaction holds the whole database, so there is nothing to interleave.)
  it.skipIf(!process.env.DATABASE_URL)('makes the second transaction’s check wait for the first to record its contact (PostgreSQL)', async () => {
    const c = await g.customer('cl-interleaved');
    const contact = { customerId: c, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', occurredAt: new Date() };
    let second: Promise<string[]> | undefined;
    let secondDone = false;
    await svc.db.transaction().execute(async (tx1) => {
      const first = await checkOutboundContact(tx1, staff.officer, contact, null);
      expect(first.userErrors).toEqual([]);
      second = svc.db.transaction().execute(async (tx2) => {
        const checked = await checkOutboundContact(tx2, staff.officer, { ...contact, occurredAt: new Date() }, null);
        return checked.userErrors.map((e) => e.code);
      });
      void second.finally(() => {
        secondDone = true;
      });
      // until the second check has either answered (no serialisation) or waits on the customer's lock
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await sql<{ n: string }>`select count(*)::text as n from pg_locks where locktype = 'advisory' and not granted`.execute(svc.db);
        if (secondDone || Number(rows[0]?.n ?? 0) > 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(secondDone).toBe(false);
      await insertInteraction(tx1, {
        id: `cl-int-${Date.now()}`,
        customer_id: c,
        channel: 'PHONE',
        direction: 'OUTBOUND',
        purpose: 'SERVICE',
        summary: 'first',
        outcome: null,
        staff_id: 'officer-1',
        occurred_at: contact.occurredAt,
        recorded_at: contact.occurredAt,
        idempotency_key: null,
        contact_override: null,
      });
    });
    expect(await second).toEqual(['CONTACT_LIMIT_REACHED']);
  });

  it('decides a dispatch page’s limits in one statement, counting only the notifications of the page accepted before', async () => {
    const at = workingHour(2);
    const dueOn = (days: number) => isoDate(new Date(at.getTime() + days * DAY_MS));
    // SMS collection reminders: 1 per 7 days; collection reminders on any channel: 2 per 7 days
    await svc.db
      .insertInto('contact_limit')
      .values({ channel: 'SMS', purpose: 'COLLECTION_REMINDER', max_contacts: 1, period_days: 7, updated_by: 'test', updated_at: new Date() })
      .onConflict((oc) => oc.columns(['channel', 'purpose']).doUpdateSet({ max_contacts: 1, period_days: 7 }))
      .execute();
    await svc.db
      .updateTable('contact_limit')
      .set({ max_contacts: 2, period_days: 7 })
      .where('channel', '=', '*')
      .where('purpose', '=', 'COLLECTION_REMINDER')
      .execute();
    const customer = async (id: string) => {
      await g.registration(id, { contact: { phone: '+221770000001', email: `${id}@example.org`, address: null } });
      // due reminders need the customer's consent to be contacted
      await g.consent(id, true, '2026-01-01T00:00:00.000Z');
      return id;
    };
    const due = (customerId: string, n: number) =>
      g.deliver('InstalmentDue', customerId, {
        loanId: `L-${customerId}`,
        customerId,
        instalmentNumber: n,
        dueDate: dueOn(n + 3),
        amountDue: '100.00',
        currency: 'XOF',
      });
    // a: two SMS reminders, then (preferring e-mail from now on) one by e-mail. The second SMS is over
    // the SMS limit and so is not sent: it does not count, and the e-mail is the second of any channel.
    const a = await customer('cl-batch-a');
    await due(a, 1);
    await due(a, 2);
    await g.deliver('CustomerProfileUpdated', a, {
      customerId: a,
      changes: [{ field: 'contact.preferredChannel', oldValue: null, newValue: 'EMAIL' }],
      updatedBy: 'officer-1',
      updatedAt: new Date().toISOString(),
    });
    await due(a, 3);
    // b: three SMS reminders with one SMS allowed; c: untouched by the others
    const b = await customer('cl-batch-b');
    for (const n of [1, 2, 3]) await due(b, n);
    const c = await customer('cl-batch-c');
    await due(c, 1);
    const statuses = async (id: string) =>
      (await svc.db.selectFrom('notification').select(['channel', 'status', 'reason']).where('customer_id', '=', id).orderBy('id').execute()).map(
        (n) => `${n.channel} ${n.status}${n.reason ? ` ${n.reason}` : ''}`,
      );
    expect(await statuses(a)).toEqual(['SMS QUEUED', 'SMS QUEUED', 'EMAIL QUEUED']);

    const counts = await dispatchNotifications(svc.db, loggingAdapter, { now: at, logger });
    expect(counts).toMatchObject({ sent: 4, suppressed: 3 });
    expect(await statuses(a)).toEqual(['SMS SENT', 'SMS SUPPRESSED CONTACT_LIMIT', 'EMAIL SENT']);
    expect(await statuses(b)).toEqual(['SMS SENT', 'SMS SUPPRESSED CONTACT_LIMIT', 'SMS SUPPRESSED CONTACT_LIMIT']);
    expect(await statuses(c)).toEqual(['SMS SENT']);
    // the sent ones are recorded as outbound contacts: a later reminder of a finds the limit reached
    await due(a, 4);
    await dispatchNotifications(svc.db, loggingAdapter, { now: new Date(at.getTime() + 60_000), logger });
    expect((await statuses(a)).at(-1)).toBe('EMAIL SUPPRESSED CONTACT_LIMIT');
  });
});
