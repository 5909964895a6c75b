import { createLogger, DAY_MS, type Identity, isoDate } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggingAdapter } from '../src/channels/logging-adapter.ts';
import { dispatchNotifications } from '../src/commands/dispatch-notifications.ts';
import type { DB } from '../src/db/schema.ts';
import { validateContactRules } from '../src/domain/contact-limits.ts';
import { validateInteraction } from '../src/domain/interactions.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * LETTER is an interaction channel (issue 15): an officer records a letter posted to or received
 * from a customer like any other contact, a contact limit may name the channel, and a letter
 * notification, once sent, is a LETTER interaction the limits count.
 */
type Errors = { field: string | null; code: string; message?: string }[];
const officer: Identity = { userId: 'officer-lt', roles: ['loan_officer'], branchId: 'BR-LT' };
const manager: Identity = { userId: 'bm-lt', roles: ['branch_manager'], branchId: 'BR-LT' };
const logger = createLogger('letters-test', 'silent');

/** 10:00 UTC on the first weekday (Mon-Sat: the seeded contact hours of collection reminders) at least `days` days from now. */
function workingHour(days: number): Date {
  const d = new Date(Date.now() + days * DAY_MS);
  d.setUTCHours(10, 0, 0, 0);
  while (d.getUTCDay() === 0) d.setTime(d.getTime() + DAY_MS);
  return d;
}

describe('letters as interactions', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function gql<T>(query: string, variables: Record<string, unknown>, as: Identity): Promise<T> {
    const res = await svc.graphql<T>(query, variables, as);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data as T;
  }
  const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) {
    interaction { id channel direction purpose occurredAt } userErrors { field code message } } }`;
  type Logged = {
    logInteraction: { interaction: { id: string; channel: string; direction: string; purpose: string; occurredAt: string } | null; userErrors: Errors };
  };
  const customer = (id: string) =>
    g.customer(id, {
      branchId: 'BR-LT',
      relationshipManagerId: officer.userId,
      contact: { phone: '+221770000001', email: null, address: { region: null, city: 'Dakar', district: 'Plateau', line: '12 rue Blanchot' } },
    });

  it('accepts LETTER where a channel is validated: interactions, complaints and enquiries share the list, contact limits too', () => {
    const now = new Date('2026-11-18T12:00:00Z');
    const letter = validateInteraction(
      { customerId: 'c-1', channel: 'LETTER', direction: 'INBOUND', purpose: 'SERVICE', summary: 'Asks for a statement', occurredAt: now },
      now,
    );
    expect(letter.ok && letter.value.channel).toBe('LETTER');
    const pigeon = validateInteraction({ customerId: 'c-1', channel: 'PIGEON', direction: 'INBOUND', purpose: 'SERVICE', summary: 'Coo' }, now);
    expect(pigeon.ok ? [] : pigeon.errors.map((e) => e.field)).toEqual(['channel']);
    const rules = validateContactRules(
      { limits: [{ channel: 'LETTER', purpose: 'COLLECTION_REMINDER', maxContacts: 1, periodDays: 30 }] },
      { limits: [], hours: [] },
    );
    expect(rules.ok && rules.value.limits).toEqual([{ channel: 'LETTER', purpose: 'COLLECTION_REMINDER', maxContacts: 1, periodDays: 30 }]);
  });

  it('records a letter posted and a letter received, with InteractionLogged, and lists them by channel', async () => {
    const c = await customer('lt-log');
    const posted = await gql<Logged>(
      LOG,
      {
        input: {
          customerId: c,
          channel: 'LETTER',
          direction: 'OUTBOUND',
          purpose: 'SERVICE',
          summary: 'Posted the annual statement',
          occurredAt: '2026-11-18T10:00:00Z',
        },
      },
      officer,
    );
    expect(posted.logInteraction.userErrors).toEqual([]);
    expect(posted.logInteraction.interaction).toMatchObject({ channel: 'LETTER', direction: 'OUTBOUND', purpose: 'SERVICE' });
    const received = await gql<Logged>(
      LOG,
      {
        input: {
          customerId: c,
          channel: 'LETTER',
          direction: 'INBOUND',
          purpose: 'SERVICE',
          summary: 'Letter asking to move the due date',
          occurredAt: '2026-11-20T09:00:00Z',
        },
      },
      officer,
    );
    expect(received.logInteraction.interaction).toMatchObject({ channel: 'LETTER', direction: 'INBOUND' });
    await gql<Logged>(LOG, { input: { customerId: c, channel: 'PHONE', direction: 'INBOUND', purpose: 'SERVICE', summary: 'Called' } }, officer);

    const outbox = await svc.db
      .selectFrom('event_outbox')
      .select('event')
      .where('key', '=', c)
      .where('type', '=', 'crm.engagement.InteractionLogged.v1')
      .orderBy('seq')
      .execute();
    const events = outbox.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { data: { channel: string; direction: string } });
    expect(events.map((e) => [e.data.channel, e.data.direction])).toEqual([
      ['LETTER', 'OUTBOUND'],
      ['LETTER', 'INBOUND'],
      ['PHONE', 'INBOUND'],
    ]);

    const LIST = `query($filter: InteractionFilter) { interactions(filter: $filter) { totalCount edges { node { id channel } } } }`;
    const listed = await gql<{ interactions: { totalCount: number; edges: { node: { id: string; channel: string } }[] } }>(
      LIST,
      { filter: { customerId: c, channel: ['LETTER'] } },
      officer,
    );
    expect(listed.interactions.totalCount).toBe(2);
    expect(listed.interactions.edges.map((e) => e.node.id).sort()).toEqual(
      [posted.logInteraction.interaction?.id, received.logInteraction.interaction?.id].sort(),
    );
  });

  it('holds outbound letters to a LETTER contact limit (other channels and inbound letters not), and contactCheck says so', async () => {
    const SET = `mutation($input: SetContactRulesInput!) { setContactRules(input: $input) { rules { limits { channel purpose maxContacts periodDays } } userErrors { field code } } }`;
    const set = await gql<{ setContactRules: { rules: { limits: unknown[] } | null; userErrors: Errors } }>(
      SET,
      { input: { limits: [{ channel: 'LETTER', purpose: 'COLLECTION_REMINDER', maxContacts: 1, periodDays: 30 }] } },
      staff.admin,
    );
    expect(set.setContactRules).toEqual({
      rules: { limits: [{ channel: 'LETTER', purpose: 'COLLECTION_REMINDER', maxContacts: 1, periodDays: 30 }] },
      userErrors: [],
    });
    const c = await customer('lt-limit');
    const log = (input: Record<string, unknown>) =>
      gql<Logged>(
        LOG,
        { input: { customerId: c, channel: 'LETTER', direction: 'OUTBOUND', purpose: 'COLLECTION_REMINDER', summary: 'Reminder letter', ...input } },
        officer,
      );
    // Wednesday 18 and Thursday 19 November 2026, within the collection hours
    expect((await log({ occurredAt: '2026-11-18T10:00:00Z' })).logInteraction.userErrors).toEqual([]);
    const second = await log({ occurredAt: '2026-11-19T10:00:00Z' });
    expect(second.logInteraction.interaction).toBeNull();
    expect(second.logInteraction.userErrors.map((e) => [e.field, e.code])).toEqual([['purpose', 'CONTACT_LIMIT_REACHED']]);
    expect(second.logInteraction.userErrors[0]?.message).toContain('LETTER');
    expect((await log({ channel: 'PHONE', occurredAt: '2026-11-19T10:00:00Z' })).logInteraction.userErrors).toEqual([]);
    expect((await log({ direction: 'INBOUND', occurredAt: '2026-11-19T10:05:00Z' })).logInteraction.userErrors).toEqual([]);

    const CHECK = `query($c: ID!, $at: DateTime) { contactCheck(customerId: $c, channel: LETTER, purpose: COLLECTION_REMINDER, at: $at) {
      allowed refusals { code rule } } }`;
    const check = await gql<{ contactCheck: { allowed: boolean; refusals: { code: string; rule: string }[] } }>(
      CHECK,
      { c, at: '2026-11-20T10:00:00Z' },
      officer,
    );
    expect(check.contactCheck).toEqual({ allowed: false, refusals: [{ code: 'CONTACT_LIMIT_REACHED', rule: 'LETTER/COLLECTION_REMINDER 1 per 30 days' }] });
  });

  it('records a letter notification sent as a LETTER interaction, so the LETTER limit holds the next letter', async () => {
    // overdue notices go by letter (the limit of the test before: one collection letter per 30 days)
    const SETTINGS = `mutation($input: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $input) { userErrors { field code } } }`;
    const set = await gql<{ updateNotificationSettings: { userErrors: Errors } }>(
      SETTINGS,
      { input: { kinds: [{ kind: 'OVERDUE_NOTICE', enabled: true, requiredConsent: null, channel: 'LETTER' }] } },
      manager,
    );
    expect(set.updateNotificationSettings.userErrors).toEqual([]);
    const c = await customer('lt-notice');
    const at = workingHour(2);
    await g.overdue(c, 'L-lt-1', 3, isoDate(at), 1);
    await g.overdue(c, 'L-lt-2', 3, isoDate(at), 1);
    await dispatchNotifications(svc.db, loggingAdapter, { now: at, logger });

    const notices = await svc.db.selectFrom('notification').select(['channel', 'status', 'reason']).where('customer_id', '=', c).orderBy('id').execute();
    expect(notices).toEqual([
      { channel: 'LETTER', status: 'SENT', reason: null },
      { channel: 'LETTER', status: 'SUPPRESSED', reason: 'CONTACT_LIMIT' },
    ]);
    const contacts = await svc.db.selectFrom('interaction').select(['channel', 'direction', 'purpose', 'staff_id']).where('customer_id', '=', c).execute();
    expect(contacts).toEqual([{ channel: 'LETTER', direction: 'OUTBOUND', purpose: 'COLLECTION_REMINDER', staff_id: 'system:notifications' }]);
  });
});
