import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { counts, eventsOf, given } from './given.ts';

type Errors = { field: string | null; code: string }[];

const UPDATE = /* GraphQL */ `
  mutation($input: UpdateCustomerProfileInput!) {
    updateCustomerProfile(input: $input) {
      customer { id preferences { preferredChannel preferredLanguage contactTime { from to } interests educationLevel } }
      changes { field oldValue newValue changedBy }
      userErrors { field code }
    }
  }
`;
type Update = {
  updateCustomerProfile: {
    customer: { id: string; preferences: Record<string, unknown> } | null;
    changes: { field: string; oldValue: string | null; newValue: string | null; changedBy: string }[];
    userErrors: Errors;
  };
};
const officer: Identity = { ...staff.officer, userId: 'officer-pref', branchId: 'BR-PREF' };

describe('customer preferences: channel, contact time, language, interests and education level (DB-backed)', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(customersService, { label: 'customers_prefs' });
    g = given(svc);
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  const update = (input: Record<string, unknown>, as: Identity = officer) => svc.graphql<Update>(UPDATE, { input }, as);
  /** Grants or withdraws the customer's PROFILING consent through the API. */
  const consent = async (customerId: string, granted: boolean, as: Identity) => {
    const res = await svc.graphql<{ setCustomerConsent: { consent: { purpose: string; granted: boolean } | null; userErrors: Errors } }>(
      `mutation($input: SetCustomerConsentInput!) { setCustomerConsent(input: $input) { consent { purpose granted } userErrors { field code } } }`,
      { input: { customerId, purpose: 'PROFILING', granted, channel: 'BRANCH' } },
      as,
    );
    expect(res.data?.setCustomerConsent).toEqual({ consent: { purpose: 'PROFILING', granted }, userErrors: [] });
  };

  it('changes preferences through updateCustomerProfile: history, CustomerProfileUpdated, the state record and the audit', async () => {
    const id = await g.customer({ branchId: 'BR-PREF', contact: { preferredChannel: 'SMS', preferredLanguage: 'fr' } });
    const res = await update({
      customerId: id,
      contact: { preferredLanguage: 'wo' },
      preferences: { contactTime: { from: '09:00', to: '12:30' }, interests: ['SAVINGS', 'AGRICULTURE', 'SAVINGS'], educationLevel: 'SECONDARY' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.updateCustomerProfile.userErrors).toEqual([]);
    expect(res.data?.updateCustomerProfile.customer?.preferences).toEqual({
      preferredChannel: 'SMS',
      preferredLanguage: 'wo',
      contactTime: { from: '09:00', to: '12:30' },
      interests: ['AGRICULTURE', 'SAVINGS'],
      educationLevel: 'SECONDARY',
    });
    const expected = [
      { field: 'contact.preferredLanguage', oldValue: 'fr', newValue: 'wo' },
      { field: 'preferences.contactTime', oldValue: null, newValue: '09:00-12:30' },
      { field: 'preferences.interests', oldValue: null, newValue: 'AGRICULTURE, SAVINGS' },
      { field: 'preferences.educationLevel', oldValue: null, newValue: 'SECONDARY' },
    ];
    expect(res.data?.updateCustomerProfile.changes).toEqual(expected.map((c) => ({ ...c, changedBy: 'officer-pref' })));
    const updated = await eventsOf(svc, id, 'CustomerProfileUpdated');
    expect(updated.map((e) => e.data.changes)).toEqual([expected]);
    // the customer state record carries them for the teams that keep a copy
    const state = await sql<{ event: { data: Record<string, unknown> } }>`select event from event_outbox
      where type = 'crm.customers.CustomerState.v1' and key = ${id} order by seq desc limit 1`.execute(svc.db);
    expect(state.rows[0]?.event.data).toMatchObject({
      preferredChannel: 'SMS',
      preferredLanguage: 'wo',
      contactTime: '09:00-12:30',
      interests: ['AGRICULTURE', 'SAVINGS'],
      educationLevel: 'SECONDARY',
    });
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['actor_id', 'outcome', 'changes'])
      .where('action', '=', 'updateCustomerProfile')
      .where('entity_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: 'officer-pref', outcome: 'SUCCEEDED' });
    expect(audit.changes).toEqual(expect.arrayContaining([{ field: 'preferences.contactTime', before: null, after: '09:00-12:30' }]));

    // the same values again change nothing; clearing works field by field
    const same = await update({ customerId: id, preferences: { interests: ['SAVINGS', 'AGRICULTURE'], educationLevel: 'SECONDARY' } });
    expect(same.data?.updateCustomerProfile.changes).toEqual([]);
    const cleared = await update({ customerId: id, preferences: { contactTime: null, interests: [] } });
    expect(cleared.data?.updateCustomerProfile.changes.map((c) => [c.field, c.newValue])).toEqual([
      ['preferences.contactTime', null],
      ['preferences.interests', null],
    ]);
    expect(cleared.data?.updateCustomerProfile.customer?.preferences).toMatchObject({ contactTime: null, interests: [], educationLevel: 'SECONDARY' });
  });

  it('refuses bad preferences with their field and code, writing nothing', async () => {
    const id = await g.customer({ branchId: 'BR-PREF' });
    const company = await g.customer({
      kind: 'ENTERPRISE',
      branchId: 'BR-PREF',
      individual: undefined,
      enterprise: { legalName: 'Baobab Traders SARL', registrationNumber: 'RC-PREF-1' },
    });
    const before = await counts(svc);
    const cases: [string, Record<string, unknown>, Errors][] = [
      [id, { contactTime: { from: '12:00', to: '09:00' } }, [{ field: 'preferences.contactTime.to', code: 'INVALID_RANGE' }]],
      [
        id,
        { contactTime: { from: '9h', to: '25:00' } },
        [
          { field: 'preferences.contactTime.from', code: 'INVALID_FORMAT' },
          { field: 'preferences.contactTime.to', code: 'INVALID_FORMAT' },
        ],
      ],
      [id, { interests: ['savings'] }, [{ field: 'preferences.interests.0', code: 'INVALID_CODE' }]],
      [id, { interests: null }, [{ field: 'preferences.interests', code: 'REQUIRED' }]],
      [company, { educationLevel: 'TERTIARY' }, [{ field: 'preferences.educationLevel', code: 'NOT_ALLOWED' }]],
    ];
    for (const [customerId, preferences, errors] of cases) {
      const res = await update({ customerId, preferences });
      expect(res.data?.updateCustomerProfile, JSON.stringify(preferences)).toEqual({ customer: null, changes: [], userErrors: errors });
    }
    const bad = await update({ customerId: id, preferences: { educationLevel: 'PHD' } });
    expect((bad.errors as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // another branch's officer may not change them
    const foreign = await update(
      { customerId: id, preferences: { educationLevel: 'PRIMARY' } },
      { ...staff.officer, userId: 'officer-x', branchId: 'BR-OTHER' },
    );
    expect((foreign.errors as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await counts(svc)).toEqual(before);
  });

  it('segments customers by preferred channel, language, interests and education level, live', async () => {
    const add = async (channel: string, language: string, interests: string[], educationLevel: string | null) => {
      const id = await g.customer({ branchId: 'BR-SEGP', contact: { preferredChannel: channel, preferredLanguage: language } });
      const res = await update({ customerId: id, preferences: { interests, educationLevel } }, { ...officer, branchId: 'BR-SEGP' });
      expect(res.data?.updateCustomerProfile.userErrors).toEqual([]);
      // segments read stated preferences only under the PROFILING consent (see the next test)
      await consent(id, true, { ...officer, branchId: 'BR-SEGP' });
      return id;
    };
    const farmer = await add('SMS', 'fr', ['AGRICULTURE', 'SAVINGS'], 'PRIMARY');
    const student = await add('EMAIL', 'en', ['EDUCATION'], 'TERTIARY');
    const trader = await add('SMS', 'fr-SN', ['SAVINGS'], null);
    const CREATE = `mutation($input: CreateCustomerSegmentInput!) { createCustomerSegment(input: $input) { segment { id customerCount } userErrors { field code } } }`;
    type Created = { createCustomerSegment: { segment: { id: string; customerCount: number } | null; userErrors: Errors } };
    const members = async (rule: unknown) => {
      const created = await svc.graphql<Created>(
        CREATE,
        { input: { name: `prefs-${Math.random()}`, rule: { all: [{ attribute: 'branchId', op: 'eq', value: 'BR-SEGP' }, rule] } } },
        staff.admin,
      );
      expect(created.data?.createCustomerSegment.userErrors).toEqual([]);
      const res = await svc.graphql<{ customers: { edges: { node: { id: string } }[] } }>(
        `query($s: ID!) { customers(filter: { segmentId: $s }, first: 50) { edges { node { id } } } }`,
        { s: created.data?.createCustomerSegment.segment?.id },
        staff.admin,
      );
      return (res.data?.customers.edges ?? []).map((e) => e.node.id).sort();
    };
    const sorted = (...ids: string[]) => [...ids].sort();
    expect(await members({ attribute: 'interests', op: 'contains', value: 'SAVINGS' })).toEqual(sorted(farmer, trader));
    expect(await members({ attribute: 'interests', op: 'in', value: ['EDUCATION', 'AGRICULTURE'] })).toEqual(sorted(farmer, student));
    expect(await members({ attribute: 'educationLevel', op: 'in', value: ['PRIMARY', 'TERTIARY'] })).toEqual(sorted(farmer, student));
    expect(await members({ attribute: 'educationLevel', op: 'neq', value: 'PRIMARY' })).toEqual(sorted(student, trader));
    expect(await members({ attribute: 'preferredChannel', op: 'eq', value: 'SMS' })).toEqual(sorted(farmer, trader));
    expect(await members({ attribute: 'preferredLanguage', op: 'contains', value: 'FR' })).toEqual(sorted(farmer, trader));
    // live: a change of preference moves the customer
    await update({ customerId: trader, preferences: { interests: ['HOUSING'] } }, { ...officer, branchId: 'BR-SEGP' });
    expect(await members({ attribute: 'interests', op: 'contains', value: 'SAVINGS' })).toEqual([farmer]);
    const invalid = await svc.graphql<Created>(
      CREATE,
      { input: { name: 'bad prefs', rule: { attribute: 'educationLevel', op: 'eq', value: 'PHD' } } },
      staff.admin,
    );
    expect(invalid.data?.createCustomerSegment.userErrors).toEqual([{ field: 'rule.value', code: 'INVALID_VALUE' }]);
  });
  it('uses stated preferences in segments only under the PROFILING consent: granting and withdrawing it moves the customer, contact use is unchanged', async () => {
    const as = { ...officer, branchId: 'BR-PROF' };
    const add = async () => {
      const id = await g.customer({ branchId: 'BR-PROF', contact: { preferredChannel: 'SMS', preferredLanguage: 'wo' } });
      const res = await update({ customerId: id, preferences: { interests: ['FISHING'], educationLevel: 'SECONDARY' } }, as);
      expect(res.data?.updateCustomerProfile.userErrors).toEqual([]);
      return id;
    };
    const consenting = await add();
    const silent = await add();
    await consent(consenting, true, as);

    const CREATE = `mutation($input: CreateCustomerSegmentInput!) { createCustomerSegment(input: $input) { segment { id } userErrors { field code } } }`;
    const segment = async (rule: unknown) => {
      const created = await svc.graphql<{ createCustomerSegment: { segment: { id: string } | null; userErrors: Errors } }>(
        CREATE,
        { input: { name: `profiling-${Math.random()}`, rule: { all: [{ attribute: 'branchId', op: 'eq', value: 'BR-PROF' }, rule] } } },
        staff.admin,
      );
      expect(created.data?.createCustomerSegment.userErrors).toEqual([]);
      return created.data?.createCustomerSegment.segment?.id ?? '';
    };
    const members = async (segmentId: string) => {
      const res = await svc.graphql<{ customers: { totalCount: number; edges: { node: { id: string } }[] } }>(
        `query($s: ID!) { customers(filter: { segmentId: $s }, first: 50) { totalCount edges { node { id } } } }`,
        { s: segmentId },
        staff.admin,
      );
      const ids = (res.data?.customers.edges ?? []).map((e) => e.node.id).sort();
      expect(res.data?.customers.totalCount).toBe(ids.length);
      return ids;
    };
    const sorted = (...ids: string[]) => [...ids].sort();
    const fishing = await segment({ attribute: 'interests', op: 'contains', value: 'FISHING' });
    const notFishing = await segment({ not: { attribute: 'interests', op: 'contains', value: 'FISHING' } });
    const secondary = await segment({ attribute: 'educationLevel', op: 'eq', value: 'SECONDARY' });
    const notSecondary = await segment({ attribute: 'educationLevel', op: 'neq', value: 'SECONDARY' });
    const sms = await segment({ attribute: 'preferredChannel', op: 'in', value: ['SMS'] });
    const wolof = await segment({ attribute: 'preferredLanguage', op: 'eq', value: 'wo' });
    const everyone = await segment({ attribute: 'kind', op: 'eq', value: 'INDIVIDUAL' });

    // the same stated preferences: only the customer who consented is profiled by them; the other is seen as stating none
    for (const s of [fishing, secondary, sms, wolof]) expect(await members(s)).toEqual([consenting]);
    expect(await members(notFishing)).toEqual([silent]);
    expect(await members(notSecondary)).toEqual([silent]);
    expect(await members(everyone)).toEqual(sorted(consenting, silent));

    // withdrawn: out of every preference segment at once; granted: in
    await consent(consenting, false, as);
    await consent(silent, true, as);
    for (const s of [fishing, secondary, sms, wolof]) expect(await members(s)).toEqual([silent]);
    expect(await members(notFishing)).toEqual([consenting]);

    // contact use does not depend on it: the customer's stated preferences are still theirs to read and use
    const read = await svc.graphql<{ customer: { preferences: Record<string, unknown> } }>(
      `query($id: ID!) { customer(id: $id) { preferences { preferredChannel preferredLanguage interests educationLevel } } }`,
      { id: consenting },
      as,
    );
    expect(read.data?.customer.preferences).toEqual({ preferredChannel: 'SMS', preferredLanguage: 'wo', interests: ['FISHING'], educationLevel: 'SECONDARY' });
  });
});
