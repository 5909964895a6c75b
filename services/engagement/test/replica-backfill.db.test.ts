import { createEvent, type EventInput, InProcessTransport, stateTopicOf, topicsOfHandlers } from '@crm/events';
import { eventually, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { handlers } from '../src/events/handlers.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

const STATE_TOPIC = stateTopicOf('customers', 'customer');
const ACCOUNT_TOPIC = stateTopicOf('loyalty', 'account');

/** A customer's state record as customers writes it, at `time`. */
function stateRecord(customerId: string, time: Date, over: Partial<EventInput<'CustomerState'>> = {}) {
  const data: EventInput<'CustomerState'> = {
    customerId,
    kind: 'INDIVIDUAL',
    status: 'ACTIVE',
    displayName: 'Awa Ndiaye',
    branchId: 'BR-001',
    relationshipManagerId: 'rm-bf',
    grade: 'VIP',
    birthDate: '1948-02-11',
    industry: null,
    preferredChannel: 'EMAIL',
    preferredLanguage: 'fr',
    contactTime: '09:00-12:00',
    interests: ['SAVINGS', 'AGRICULTURE'],
    educationLevel: 'PRIMARY',
    contact: { phone: '+221770001122', email: 'awa@example.org' },
    marketingContact: { phone: '+221770001122', email: 'awa@example.org' },
    consents: [
      { purpose: 'MARKETING_CONTACT', granted: true },
      { purpose: 'DATA_SHARING', granted: false },
    ],
    specialCare: ['ELDERLY'],
    registeredAt: '2024-03-01T08:00:00.000Z',
    updatedAt: time.toISOString(),
    ...over,
  };
  const event = createEvent('CustomerState', { subject: customerId, data, time });
  return { topic: STATE_TOPIC, key: customerId, value: JSON.stringify(event) };
}

describe('replica backfill: customers that existed before engagement (or a replica of it) reach its replicas', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const transport = new InProcessTransport();
  const before = new Date('2026-10-01T08:00:00.000Z');

  beforeAll(async () => {
    // customers' compacted state topic already holds the customer when engagement first starts
    await transport.ensureTopics([STATE_TOPIC, ACCOUNT_TOPIC]);
    await transport.publish(STATE_TOPIC, [stateRecord('bf-old', before)]);
    // and loyalty's account state topic the customer's tier
    const account = createEvent('LoyaltyAccountState', {
      subject: 'acc-bf-old',
      time: before,
      data: {
        accountId: 'acc-bf-old',
        customerId: 'bf-old',
        tier: 'GOLD',
        tierSince: '2025-06-01',
        downgradeOn: null,
        balance: 1200,
        openedAt: '2024-03-01T08:00:00.000Z',
      },
    });
    await transport.publish(ACCOUNT_TOPIC, [{ key: 'acc-bf-old', value: JSON.stringify(account) }]);
    svc = await startTestService(engagementService, { transport, label: 'engagement_backfill' });
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const replicas = async (id: string) => ({
    customer: await svc.db
      .selectFrom('customer_replica')
      .select(['branch_id', 'relationship_manager_id', 'display_name'])
      .where('id', '=', id)
      .executeTakeFirst(),
    contact: await svc.db
      .selectFrom('customer_contact_replica')
      .select(['phone', 'email', 'preferred_channel', 'preferred_language'])
      .where('customer_id', '=', id)
      .executeTakeFirst(),
    profile: await svc.db
      .selectFrom('customer_service_profile')
      .select(['grade', 'care_needs', 'contact_time', 'interests', 'education_level'])
      .where('customer_id', '=', id)
      .executeTakeFirst(),
    consents: await svc.db.selectFrom('consent_replica').select(['purpose', 'granted']).where('customer_id', '=', id).orderBy('purpose').execute(),
    statuses: (await svc.db.selectFrom('customer_status_replica').select('status').where('customer_id', '=', id).execute()).map((r) => r.status),
    fact: await svc.db.selectFrom('offer_customer_fact').select(['kind', 'tier']).where('customer_id', '=', id).executeTakeFirst(),
  });

  it('subscribes to the customers’ and loyalty accounts’ state topics, read from the beginning by a new consumer group', () => {
    expect(topicsOfHandlers(handlers)).toEqual(expect.arrayContaining([STATE_TOPIC, ACCOUNT_TOPIC]));
  });

  it('fills every replica of a customer registered before engagement existed, from the state record on the topic', async () => {
    const got = await eventually(async () => {
      const r = await replicas('bf-old');
      return r.customer && r.profile && r.contact && r.fact?.tier ? r : undefined;
    }, 30_000);
    expect(got).toEqual({
      customer: { branch_id: 'BR-001', relationship_manager_id: 'rm-bf', display_name: 'Awa Ndiaye' },
      contact: { phone: '+221770001122', email: 'awa@example.org', preferred_channel: 'EMAIL', preferred_language: 'fr' },
      profile: { grade: 'VIP', care_needs: ['ELDERLY'], contact_time: '09:00-12:00', interests: ['SAVINGS', 'AGRICULTURE'], education_level: 'PRIMARY' },
      consents: [
        { purpose: 'DATA_SHARING', granted: false },
        { purpose: 'MARKETING_CONTACT', granted: true },
      ],
      statuses: ['ACTIVE'],
      fact: { kind: 'INDIVIDUAL', tier: 'GOLD' },
    });
  });

  it('refills a replica that started empty (rows a migration did not backfill), and never overwrites a newer change', async () => {
    const id = await g.customer('bf-gap');
    // a replica added after the customer registered: nothing of the customer's grade, care, preferences
    await svc.db.deleteFrom('customer_service_profile').where('customer_id', '=', id).execute();
    await svc.db.deleteFrom('customer_contact_replica').where('customer_id', '=', id).execute();
    // a newer profile change is held for the phone
    const later = new Date(Date.now() + 60_000);
    await g.deliver('CustomerProfileUpdated', id, {
      customerId: id,
      changes: [{ field: 'contact.phone', oldValue: '+221770001122', newValue: '+221779999999' }],
      updatedBy: 'officer-1',
      updatedAt: later.toISOString(),
    });
    const record = stateRecord(id, new Date(), { grade: 'PREMIUM', specialCare: ['DISABLED'] });
    await svc.consumer.handle(record);
    await svc.consumer.handle(record);
    const r = await replicas(id);
    expect(r.profile).toMatchObject({ grade: 'PREMIUM', care_needs: ['DISABLED'] });
    // the contact row changed after the record (one time per row): the record changes none of it, not even the e-mail
    expect(r.contact).toMatchObject({ phone: '+221779999999', email: null });
    // the registration's branch and manager are older than the record: refreshed from it
    expect(r.customer).toMatchObject({ relationship_manager_id: 'rm-bf' });
    // an older record changes nothing
    await svc.consumer.handle(stateRecord(id, before, { grade: 'STANDARD', relationshipManagerId: 'rm-old' }));
    const after = await replicas(id);
    expect(after.profile?.grade).toBe('PREMIUM');
    expect(after.customer?.relationship_manager_id).toBe('rm-bf');
  });
});
