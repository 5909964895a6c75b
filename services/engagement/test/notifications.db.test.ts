import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, DAY_MS, type Identity, isoDate } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggingAdapter } from '../src/channels/logging-adapter.ts';
import { webhookAdapter } from '../src/channels/webhook-adapter.ts';
import { dispatchNotifications } from '../src/commands/dispatch-notifications.ts';
import { findChurnInputs } from '../src/db/churn.store.ts';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

type Errors = { field: string | null; code: string }[];
const manager: Identity = { userId: 'bm-n', roles: ['branch_manager'], branchId: 'BR-001' };
const otherManager: Identity = { userId: 'bm-other', roles: ['branch_manager'], branchId: 'BR-009' };
const logger = createLogger('notifications-test', 'silent');

/** 10:00 UTC on the first weekday (Mon-Sat: the seeded contact hours of collection reminders) at least `days` days from now. */
function workingHour(days: number): Date {
  const d = new Date(Date.now() + days * DAY_MS);
  d.setUTCHours(10, 0, 0, 0);
  while (d.getUTCDay() === 0) d.setTime(d.getTime() + DAY_MS);
  return d;
}

describe('notifications: queued from events, sent through a channel adapter', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const at = workingHour(2);
  const dueOn = isoDate(new Date(at.getTime() + 5 * DAY_MS));
  let seq = 0;

  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  /** A registered customer with contact details (and consent to contact unless told otherwise). */
  async function customer(id: string, over: { phone?: string | null; email?: string | null; consent?: boolean; branchId?: string } = {}) {
    await g.registration(id, {
      branchId: over.branchId ?? 'BR-001',
      contact: { phone: over.phone === undefined ? '+221770000000' : over.phone, email: over.email ?? null, address: null },
    });
    if (over.consent !== false) await g.consent(id, true, '2026-01-01T00:00:00.000Z');
    return id;
  }
  const due = (customerId: string, loanId: string, n = 1, dueDate = dueOn) =>
    g.deliver('InstalmentDue', customerId, { loanId, customerId, instalmentNumber: n, dueDate, amountDue: '125.50', currency: 'XOF' });
  const notificationsOf = (customerId: string) => svc.db.selectFrom('notification').selectAll().where('customer_id', '=', customerId).orderBy('id').execute();
  const dispatch = (now: Date, adapter = loggingAdapter) => dispatchNotifications(svc.db, adapter, { now, logger });
  const next = () => `${++seq}`;
  /** The NotificationStatusChanged events of a customer, in the order written. */
  async function statusEventsOf(customerId: string) {
    const rows = await svc.db
      .selectFrom('event_outbox')
      .select('event')
      .where('key', '=', customerId)
      .where('type', '=', 'crm.engagement.NotificationStatusChanged.v1')
      .orderBy('seq')
      .execute();
    type Data = { status: string; reason: string | null; attempts: number };
    return rows.map((r) => (typeof r.event === 'string' ? (JSON.parse(r.event) as { data: Data }) : (r.event as { data: Data })).data);
  }

  it('queues a due reminder in the customer’s channel and language, with its text rendered, once per instalment', async () => {
    const c = await customer(`n-lang-${next()}`, { email: 'amina@example.org' });
    await g.deliver('CustomerProfileUpdated', c, {
      customerId: c,
      changes: [
        { field: 'contact.preferredChannel', oldValue: null, newValue: 'EMAIL' },
        { field: 'contact.preferredLanguage', oldValue: null, newValue: 'fr' },
      ],
      updatedBy: 'officer-1',
      updatedAt: '2026-11-02T08:00:00.000Z',
    });
    const UPSERT = `mutation($input: UpsertNotificationTemplateInput!) { upsertNotificationTemplate(input: $input) { template { kind channel language } userErrors { field code } } }`;
    const fr = await svc.graphql<{ upsertNotificationTemplate: { template: unknown; userErrors: Errors } }>(
      UPSERT,
      {
        input: {
          kind: 'DUE_REMINDER',
          channel: 'EMAIL',
          language: 'fr',
          subject: 'Échéance du {{dueDate}}',
          body: 'Bonjour {{customerName}}, {{amountDue}} {{currency}} le {{dueDate}}.',
        },
      },
      manager,
    );
    expect(fr.data?.upsertNotificationTemplate).toEqual({ template: { kind: 'DUE_REMINDER', channel: 'EMAIL', language: 'fr' }, userErrors: [] });
    const first = await due(c, 'L-lang');
    await first.redeliver();
    await g.deliver('InstalmentDue', c, { loanId: 'L-lang', customerId: c, instalmentNumber: 1, dueDate: dueOn, amountDue: '125.50', currency: 'XOF' });
    const rows = await notificationsOf(c);
    expect(
      rows.map((n) => ({
        kind: n.kind,
        channel: n.channel,
        language: n.language,
        status: n.status,
        subject: n.subject,
        body: n.body,
        source: n.source_event_id,
      })),
    ).toEqual([
      {
        kind: 'DUE_REMINDER',
        channel: 'EMAIL',
        language: 'fr',
        status: 'QUEUED',
        subject: `Échéance du ${dueOn}`,
        body: `Bonjour Amina Diallo, 125.50 XOF le ${dueOn}.`,
        source: first.event.id,
      },
    ]);
    expect(await g.outboxTypes(c)).toContain('NotificationStatusChanged');
    // preferences given at registration count too
    const registered = `n-reg-${next()}`;
    await g.registration(registered, {
      contact: { phone: '+221770000001', email: 'awa@example.org', address: null, preferredChannel: 'EMAIL', preferredLanguage: 'fr' },
    });
    await g.consent(registered, true, '2026-01-01T00:00:00.000Z');
    await due(registered, 'L-reg');
    expect((await notificationsOf(registered)).map((n) => [n.channel, n.language, n.subject])).toEqual([['EMAIL', 'fr', `Échéance du ${dueOn}`]]);
    // a language without a template of the channel falls back to the default language
    const pt = await customer(`n-pt-${next()}`);
    await g.deliver('CustomerProfileUpdated', pt, {
      customerId: pt,
      changes: [{ field: 'contact.preferredLanguage', oldValue: null, newValue: 'pt' }],
      updatedBy: 'officer-1',
      updatedAt: '2026-11-02T08:00:00.000Z',
    });
    await due(pt, 'L-pt');
    expect((await notificationsOf(pt)).map((n) => [n.channel, n.language, n.body?.startsWith('Dear Amina Diallo, instalment 1')])).toEqual([
      ['SMS', 'en', true],
    ]);
  });

  it('sends through the logging adapter; suppresses for want of consent or address; sends an overdue notice without marketing consent', async () => {
    const ok = await customer(`n-ok-${next()}`);
    const noConsent = await customer(`n-nc-${next()}`, { consent: false });
    const noPhone = await customer(`n-np-${next()}`, { phone: null });
    const late = await customer(`n-late-${next()}`);
    await due(ok, 'L-ok');
    await due(noConsent, 'L-nc');
    await g.overdue(noConsent, 'L-nc', 3, isoDate(at), 1);
    await due(noPhone, 'L-np');
    await due(late, 'L-late', 1, isoDate(new Date(at.getTime() - DAY_MS)));
    const counts = await dispatch(at);
    // (the notifications queued by the test before go out in this run too)
    expect(counts.sent).toBeGreaterThanOrEqual(2);
    expect(counts).toMatchObject({ suppressed: 3, failed: 0, retried: 0 });
    const [sent] = await notificationsOf(ok);
    expect(sent).toMatchObject({ status: 'SENT', reason: null, attempts: 1, channel: 'SMS', sent_at: at });
    expect(sent?.provider_ref).toBe(`log:${sent?.id}`);
    const nc = await notificationsOf(noConsent);
    expect(nc.map((n) => [n.kind, n.status, n.reason])).toEqual([
      ['DUE_REMINDER', 'SUPPRESSED', 'NO_CONSENT'],
      ['OVERDUE_NOTICE', 'SENT', null],
    ]);
    expect((await notificationsOf(noPhone)).map((n) => [n.status, n.reason])).toEqual([['SUPPRESSED', 'NO_CONTACT_ADDRESS']]);
    expect((await notificationsOf(late)).map((n) => [n.status, n.reason])).toEqual([['SUPPRESSED', 'EXPIRED']]);
    // the sent ones are outbound contacts (contact limits count them), with their events
    const contacts = await svc.db.selectFrom('interaction').select(['channel', 'direction', 'purpose', 'staff_id']).where('customer_id', '=', ok).execute();
    expect(contacts).toEqual([{ channel: 'SMS', direction: 'OUTBOUND', purpose: 'COLLECTION_REMINDER', staff_id: 'system:notifications' }]);
    expect(await g.outboxTypes(ok)).toEqual(expect.arrayContaining(['NotificationStatusChanged', 'InteractionLogged']));
    // automated contacts are not engagement: the churn signals leave them out
    const window = {
      end: new Date(at.getTime() + DAY_MS),
      recentFrom: new Date(at.getTime() - 30 * DAY_MS),
      previousFrom: new Date(at.getTime() - 60 * DAY_MS),
      lookbackFrom: new Date(at.getTime() - 90 * DAY_MS),
      lowNps: 6,
      lowCsat: 2,
    };
    const churn = (await findChurnInputs(svc.db, { afterId: null, limit: 10_000 }, window)).find((i) => i.customer_id === ok);
    expect(churn).toMatchObject({ recent_interactions: 0, last_interaction_on: null });
    expect((await statusEventsOf(noConsent)).map((d) => [d.status, d.reason])).toEqual([
      ['QUEUED', null],
      ['QUEUED', null],
      ['SUPPRESSED', 'NO_CONSENT'],
      ['SENT', null],
    ]);
    // a second run finds nothing to do
    expect(await dispatch(at)).toMatchObject({ examined: 0, sent: 0, suppressed: 0 });
  });

  it('defers in the quiet hours (nothing dropped) and sends when they end', async () => {
    const c = await customer(`n-quiet-${next()}`);
    await due(c, 'L-quiet');
    const SETTINGS = `mutation($input: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $input) { settings { quietHoursStart quietHoursEnd timeZone } userErrors { field code } } }`;
    const set = await svc.graphql<{ updateNotificationSettings: { settings: unknown; userErrors: Errors } }>(
      SETTINGS,
      { input: { quietHoursStart: '09:00', quietHoursEnd: '11:30', timeZone: 'UTC' } },
      manager,
    );
    expect(set.data?.updateNotificationSettings).toEqual({ settings: { quietHoursStart: '09:00', quietHoursEnd: '11:30', timeZone: 'UTC' }, userErrors: [] });
    const counts = await dispatch(at);
    expect(counts.deferredQuietHours).toBeGreaterThanOrEqual(1);
    const [deferred] = await notificationsOf(c);
    const end = new Date(at.getTime() + 90 * 60_000);
    expect(deferred).toMatchObject({ status: 'QUEUED', deferred_reason: 'QUIET_HOURS', send_after: end, attempts: 0 });
    expect(await dispatch(new Date(end.getTime() + 60_000))).toMatchObject({ sent: 1 });
    expect((await notificationsOf(c)).map((n) => n.status)).toEqual(['SENT']);
    await svc.graphql(SETTINGS, { input: { quietHoursStart: '21:00', quietHoursEnd: '08:00' } }, manager);
    // a bad setting changes nothing
    const bad = await svc.graphql<{ updateNotificationSettings: { settings: unknown; userErrors: Errors } }>(
      SETTINGS,
      { input: { timeZone: 'Mars/Olympus', maxAttempts: 0 } },
      manager,
    );
    expect(bad.data?.updateNotificationSettings).toEqual({
      settings: null,
      userErrors: [
        { field: 'timeZone', code: 'INVALID_VALUE' },
        { field: 'maxAttempts', code: 'TOO_SMALL' },
      ],
    });
    const tz = await svc.db.selectFrom('engagement_setting').select('value').where('key', '=', 'notification_time_zone').executeTakeFirstOrThrow();
    expect(tz.value).toBe('UTC');
  });

  it('pages the branch languages by branch id (a connection with totalCount), and audits each branch a change names', async () => {
    const SET = `mutation($input: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $input) {
      settings { branchLanguages(first: 1) { totalCount edges { node { branchId language } } pageInfo { hasNextPage } } } userErrors { field code } } }`;
    type Page = {
      totalCount: number;
      edges: { cursor: string; node: { branchId: string; language: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    const languages = [
      { branchId: 'BR-L3', language: 'wo' },
      { branchId: 'BR-L1', language: 'fr' },
      { branchId: 'BR-L5', language: 'pt-BR' },
      { branchId: 'BR-L4', language: 'en' },
      { branchId: 'BR-L2', language: 'ff' },
    ];
    const set = await svc.graphql<{ updateNotificationSettings: { settings: { branchLanguages: Page } | null; userErrors: Errors } }>(
      SET,
      { input: { branchLanguages: languages } },
      manager,
    );
    expect(set.data?.updateNotificationSettings.userErrors).toEqual([]);
    const first = set.data?.updateNotificationSettings.settings?.branchLanguages;
    expect(first?.edges).toHaveLength(1);
    expect(first?.pageInfo.hasNextPage).toBe(true);
    const removed = await svc.graphql<{ updateNotificationSettings: { userErrors: Errors } }>(
      SET,
      { input: { branchLanguages: [{ branchId: 'BR-L4', language: null }] } },
      manager,
    );
    expect(removed.data?.updateNotificationSettings.userErrors).toEqual([]);

    const PAGE = `query($after: String) { notificationSettings { branchLanguages(first: 2, after: $after) {
      totalCount edges { cursor node { branchId language } } pageInfo { hasNextPage endCursor } } } }`;
    const seen: { branchId: string; language: string }[] = [];
    let after: string | null = null;
    let total = -1;
    for (let pages = 0; pages < 50; pages++) {
      const res: { data?: { notificationSettings: { branchLanguages: Page } } | null } = await svc.graphql(PAGE, { after }, manager);
      const page = res.data?.notificationSettings.branchLanguages;
      if (!page) throw new Error('no page');
      total = page.totalCount;
      expect(page.edges.length).toBeLessThanOrEqual(2);
      seen.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    // every row once, by branch id, and totalCount says how many
    expect(seen.map((b) => b.branchId)).toEqual([...new Set(seen.map((b) => b.branchId))].sort());
    expect(seen).toHaveLength(total);
    expect(seen.filter((b) => b.branchId.startsWith('BR-L'))).toEqual([
      { branchId: 'BR-L1', language: 'fr' },
      { branchId: 'BR-L2', language: 'ff' },
      { branchId: 'BR-L3', language: 'wo' },
      { branchId: 'BR-L5', language: 'pt-BR' },
    ]);
    const bad = await svc.graphql(PAGE, { after: 'not-a-cursor' }, manager);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    // the audit record names each branch changed, with its language before and after
    const audits = await svc.db
      .selectFrom('audit_log')
      .select('changes')
      .where('action', '=', 'updateNotificationSettings')
      .where('outcome', '=', 'SUCCEEDED')
      .orderBy('seq', 'desc')
      .limit(2)
      .execute();
    const changed = (i: number) =>
      ((audits[i]?.changes ?? []) as { field: string; before: unknown; after: unknown }[]).filter((c) => c.field.startsWith('branchLanguages.'));
    expect(changed(0)).toEqual([{ field: 'branchLanguages.BR-L4', before: 'en', after: null }]);
    expect(changed(1)).toHaveLength(5);
    expect(changed(1)).toContainEqual({ field: 'branchLanguages.BR-L5', before: null, after: 'pt-BR' });
  });

  it('suppresses a notice over the customer’s contact limit (the contact rules), after the first was sent and recorded', async () => {
    const c = await customer(`n-limit-${next()}`);
    await svc.db
      .insertInto('contact_limit')
      .values({ channel: 'SMS', purpose: 'COLLECTION_REMINDER', max_contacts: 1, period_days: 7, updated_by: 'test', updated_at: new Date() })
      .onConflict((oc) => oc.columns(['channel', 'purpose']).doUpdateSet({ max_contacts: 1, period_days: 7 }))
      .execute();
    try {
      await due(c, 'L-limit', 1);
      await due(c, 'L-limit', 2, isoDate(new Date(at.getTime() + 6 * DAY_MS)));
      await dispatch(at);
      expect((await notificationsOf(c)).map((n) => [n.status, n.reason])).toEqual([
        ['SENT', null],
        ['SUPPRESSED', 'CONTACT_LIMIT'],
      ]);
    } finally {
      await svc.db.deleteFrom('contact_limit').where('channel', '=', 'SMS').where('purpose', '=', 'COLLECTION_REMINDER').execute();
    }
  });

  describe('the webhook adapter', () => {
    let server: Server;
    let url = '';
    const received: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
    let answer: { status: number; body: string } = { status: 202, body: '{"id":"prov-1"}' };
    beforeAll(async () => {
      server = createServer((req, res) => {
        let text = '';
        req.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        req.on('end', () => {
          received.push({ headers: req.headers, body: JSON.parse(text) as Record<string, unknown> });
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('posts the message with its id as idempotency key and a bearer token, and keeps the provider’s reference', async () => {
      const c = await customer(`n-hook-${next()}`);
      await due(c, 'L-hook');
      received.length = 0;
      answer = { status: 202, body: '{"id":"prov-1"}' };
      await dispatch(at, webhookAdapter({ url, token: 'secret-token', timeoutMs: 2000 }));
      const [n] = await notificationsOf(c);
      expect(n).toMatchObject({ status: 'SENT', provider_ref: 'prov-1', attempts: 1 });
      expect(received).toHaveLength(1);
      expect(received[0]?.headers['idempotency-key']).toBe(n?.id);
      expect(received[0]?.headers.authorization).toBe('Bearer secret-token');
      expect(received[0]?.body).toEqual({
        id: n?.id,
        customerId: c,
        kind: 'DUE_REMINDER',
        channel: 'SMS',
        language: 'en',
        address: '+221770000000',
        subject: null,
        body: n?.body,
      });
    });

    it('retries a 503 later with a doubling delay, fails for good after the last attempt, and at once on a 400', async () => {
      const c = await customer(`n-retry-${next()}`);
      await due(c, 'L-retry');
      const hook = webhookAdapter({ url, timeoutMs: 2000 });
      answer = { status: 503, body: 'busy' };
      await svc.graphql(`mutation { updateNotificationSettings(input: { maxAttempts: 2, retryMinutes: 10 }) { userErrors { code } } }`, {}, manager);
      expect(await dispatch(at, hook)).toMatchObject({ retried: 1, sent: 0 });
      const [once] = await notificationsOf(c);
      expect(once).toMatchObject({
        status: 'QUEUED',
        deferred_reason: 'RETRY',
        attempts: 1,
        last_error: 'HTTP 503: busy',
        send_after: new Date(at.getTime() + 10 * 60_000),
      });
      expect(await dispatch(new Date(at.getTime() + 11 * 60_000), hook)).toMatchObject({ failed: 1 });
      expect((await notificationsOf(c)).map((n) => [n.status, n.reason, n.attempts])).toEqual([['FAILED', 'PROVIDER_ERROR', 2]]);

      const refused = await customer(`n-400-${next()}`);
      await due(refused, 'L-400');
      answer = { status: 400, body: '{"error":"bad number"}' };
      expect(await dispatch(at, hook)).toMatchObject({ failed: 1, retried: 0 });
      expect((await notificationsOf(refused)).map((n) => [n.status, n.reason, n.last_error])).toEqual([
        ['FAILED', 'PROVIDER_ERROR', 'HTTP 400: {"error":"bad number"}'],
      ]);
      expect((await statusEventsOf(refused)).map((d) => [d.status, d.reason, d.attempts])).toEqual([
        ['QUEUED', null, 0],
        ['FAILED', 'PROVIDER_ERROR', 1],
      ]);
      await svc.graphql(`mutation { updateNotificationSettings(input: { maxAttempts: 5, retryMinutes: 15 }) { userErrors { code } } }`, {}, manager);
    });

    it('retries when the endpoint cannot be reached', async () => {
      const c = await customer(`n-down-${next()}`);
      await due(c, 'L-down');
      expect(await dispatch(at, webhookAdapter({ url: 'http://127.0.0.1:9/notify', timeoutMs: 500 }))).toMatchObject({ retried: 1 });
      const [n] = await notificationsOf(c);
      expect(n).toMatchObject({ status: 'QUEUED', deferred_reason: 'RETRY', attempts: 1 });
      expect(n?.last_error).toMatch(/ECONNREFUSED|connect/i);
    });
  });

  it('runs as the notification-dispatch job through the configured (logging) adapter', async () => {
    const c = await customer(`n-job-${next()}`);
    // whatever the hour of the test run: no quiet hours, no contact hours
    const none = await svc.graphql<{ updateNotificationSettings: { userErrors: Errors } }>(
      `mutation { updateNotificationSettings(input: { quietHoursStart: "00:00", quietHoursEnd: "00:00" }) { userErrors { field code } } }`,
      {},
      manager,
    );
    expect(none.data?.updateNotificationSettings.userErrors).toEqual([]);
    const hours = await svc.graphql<{ setContactRules: { userErrors: Errors } }>(
      `mutation { setContactRules(input: { hours: [] }) { userErrors { field code } } }`,
      {},
      staff.admin,
    );
    expect(hours.data?.setContactRules.userErrors).toEqual([]);
    await g.deliver('InstalmentDue', c, { loanId: 'L-job', customerId: c, instalmentNumber: 1, dueDate: dueOn, amountDue: '80.00', currency: 'XOF' });
    const counts = await svc.jobs.run('notification-dispatch', isoDate(new Date()));
    expect(counts.sent).toBeGreaterThanOrEqual(1);
    const [n] = await notificationsOf(c);
    expect(n).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(n?.provider_ref).toBe(`log:${n?.id}`);
  });

  it('lists notifications by filter and per customer, within the caller’s branch; analysts get no text', async () => {
    const c = await customer(`n-list-${next()}`);
    await due(c, 'L-list', 1);
    await due(c, 'L-list', 2, isoDate(new Date(at.getTime() + 9 * DAY_MS)));
    await g.overdue(c, 'L-list', 4, isoDate(at), 1);
    const LIST = `query($filter: NotificationFilter, $after: String) { notifications(filter: $filter, first: 2, after: $after) {
      edges { node { kind channel status body customer { id } } } pageInfo { hasNextPage endCursor } totalCount } }`;
    type L = {
      notifications: {
        edges: { node: { kind: string; status: string; body: string | null } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
        totalCount: number;
      };
    };
    const p1 = await svc.graphql<L>(LIST, { filter: { customerId: c } }, manager);
    expect(p1.errors).toBeUndefined();
    expect(p1.data?.notifications.edges.map((e) => e.node.kind)).toEqual(['OVERDUE_NOTICE', 'DUE_REMINDER']);
    expect(p1.data?.notifications.totalCount).toBe(3);
    const p2 = await svc.graphql<L>(LIST, { filter: { customerId: c }, after: p1.data?.notifications.pageInfo.endCursor }, manager);
    expect(p2.data?.notifications.edges.map((e) => e.node.kind)).toEqual(['DUE_REMINDER']);
    expect(p2.data?.notifications.pageInfo.hasNextPage).toBe(false);
    const byKind = await svc.graphql<L>(LIST, { filter: { customerId: c, kind: ['OVERDUE_NOTICE'], status: ['QUEUED'], channel: ['SMS'] } }, manager);
    expect(byKind.data?.notifications.totalCount).toBe(1);
    // another branch's manager sees none of them, and is refused one by id
    const other = await svc.graphql<L>(LIST, { filter: { customerId: c } }, otherManager);
    expect(other.data?.notifications.totalCount).toBe(0);
    const id = (await notificationsOf(c))[0]?.id;
    const one = await svc.graphql<{ notification: unknown }>(`query($id: ID!) { notification(id: $id) { id } }`, { id }, otherManager);
    expect(one.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // the customer's notifications through the entity, batched
    const ENT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id notifications(first: 5, status: [QUEUED]) { edges { node { kind } } totalCount } } } }`;
    const ent = await svc.graphql<{ _entities: { id: string; notifications: { edges: unknown[]; totalCount: number } }[] }>(
      ENT,
      { r: [{ __typename: 'Customer', id: c }] },
      manager,
    );
    expect(ent.data?._entities[0]?.notifications.totalCount).toBe(3);
    // analysts see the rows but not the text
    const analyst = await svc.graphql<L>(LIST, { filter: { customerId: c } }, staff.analyst);
    expect(analyst.data?.notifications.edges.map((e) => e.node.body)).toEqual([null, null]);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a template with placeholders its kind does not offer, and changes nothing', async () => {
    const before = await svc.db.selectFrom('notification_template').selectAll().where('kind', '=', 'POINTS_EXPIRY').where('channel', '=', 'SMS').execute();
    const res = await svc.graphql<{ upsertNotificationTemplate: { template: unknown; userErrors: Errors } }>(
      `mutation($input: UpsertNotificationTemplateInput!) { upsertNotificationTemplate(input: $input) { template { id } userErrors { field code } } }`,
      { input: { kind: 'POINTS_EXPIRY', channel: 'SMS', language: 'en', body: 'Pay {{amountDue}} now' } },
      manager,
    );
    expect(res.data?.upsertNotificationTemplate).toEqual({ template: null, userErrors: [{ field: 'body', code: 'UNKNOWN_PLACEHOLDER' }] });
    expect(await svc.db.selectFrom('notification_template').selectAll().where('kind', '=', 'POINTS_EXPIRY').where('channel', '=', 'SMS').execute()).toEqual(
      before,
    );
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['outcome'])
      .where('action', '=', 'upsertNotificationTemplate')
      .orderBy('occurred_at', 'desc')
      .executeTakeFirst();
    expect(audit?.outcome).toBe('REJECTED');
  });

  it('queues a points-expiry notice from loyalty’s warning (it needs contact consent)', async () => {
    const c = await customer(`n-points-${next()}`, { consent: false });
    await g.deliver('PointsExpiring', c, { accountId: `acc-${c}`, customerId: c, points: 120, expiresOn: isoDate(new Date(at.getTime() + 20 * DAY_MS)) });
    await dispatch(at);
    expect((await notificationsOf(c)).map((n) => [n.kind, n.status, n.reason, n.body])).toEqual([
      [
        'POINTS_EXPIRY',
        'SUPPRESSED',
        'NO_CONSENT',
        `Dear Amina Diallo, 120 of your loyalty points expire on ${isoDate(new Date(at.getTime() + 20 * DAY_MS))}. Use them before then.`,
      ],
    ]);
  });
});
