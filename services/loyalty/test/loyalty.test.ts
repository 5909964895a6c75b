import { createEvent } from '@crm/events';
import { startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateProgrammeCache } from '../src/db/programme.cache.ts';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';

describe('loyalty subgraph', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(loyaltyService);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const registered = (customerId: string) =>
    createEvent('CustomerRegistered', {
      subject: customerId,
      time: new Date('2026-11-20T08:00:00.000Z'),
      data: {
        customerId,
        kind: 'ENTERPRISE',
        displayName: 'Kora Textiles',
        status: 'ACTIVE',
        branchId: 'BR-1',
        relationshipManagerId: null,
        birthDate: null,
        registeredAt: '2026-11-20T08:00:00.000Z',
      },
    });

  const LOYALTY = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id loyalty { id pointsBalance tier referralCode ledger { edges { node { kind points reason expiresAt } } } } } } }`;
  type R = {
    _entities: {
      id: string;
      loyalty: { id: string; pointsBalance: number; tier: string; referralCode: string; ledger: { edges: { node: unknown }[] } } | null;
    }[];
  };

  it('opens one account with the welcome points by rule, even when the event comes twice', async () => {
    const event = registered('ent-1');
    const message = { topic: 'crm.customers.v1', key: 'ent-1', value: JSON.stringify(event) };
    await svc.consumer.handle(message);
    await svc.consumer.handle(message);
    const res = await svc.graphql<R>(LOYALTY, {
      reps: [
        { __typename: 'Customer', id: 'ent-1' },
        { __typename: 'Customer', id: 'unknown' },
      ],
    });
    const loyalty = res.data?._entities[0]?.loyalty;
    expect(loyalty).toMatchObject({ pointsBalance: 100, tier: 'BRONZE' });
    expect(loyalty?.referralCode).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(loyalty?.ledger.edges).toEqual([
      { node: { kind: 'EARN', points: 100, reason: 'Welcome points when the account is opened', expiresAt: '2028-11-20T08:00:00.000Z' } },
    ]);
    expect(res.data?._entities[1]?.loyalty).toBeNull();
    const types = await svc.db.selectFrom('event_outbox').select('type').where('key', '=', 'ent-1').orderBy('seq').execute();
    expect(types.map((t) => t.type)).toEqual(['crm.loyalty.LoyaltyAccountOpened.v1', 'crm.loyalty.PointsEarned.v1']);
  });

  it('uses the earning rule as data: a changed rule changes the welcome points', async () => {
    await svc.db.updateTable('earning_rule').set({ points: 250 }).where('code', '=', 'WELCOME').execute();
    invalidateProgrammeCache(svc.db); // handlers read the rules from the per-process cache
    await svc.consumer.handle({ topic: 'crm.customers.v1', key: 'ent-2', value: JSON.stringify(registered('ent-2')) });
    const res = await svc.graphql<R>(LOYALTY, { reps: [{ __typename: 'Customer', id: 'ent-2' }] });
    expect(res.data?._entities[0]?.loyalty?.pointsBalance).toBe(250);
  });

  it('resolves a LoyaltyAccount reference through _entities', async () => {
    const account = await svc.db.selectFrom('loyalty_account').select('id').where('customer_id', '=', 'ent-1').executeTakeFirstOrThrow();
    const res = await svc.graphql<{ _entities: { pointsBalance: number }[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on LoyaltyAccount { pointsBalance } } }`,
      { reps: [{ __typename: 'LoyaltyAccount', id: account.id }] },
    );
    expect(res.data?._entities).toEqual([{ pointsBalance: 100 }]);
  });
});
