import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';

/**
 * The customer state topic: every mutation that changes a customer writes, in its transaction, a
 * CustomerState record equal to the customer as read afterwards; marketing contact details only
 * while MARKETING_CONTACT consent is granted. Fails when a change produces no state record or a
 * stale one.
 */
const TYPE = 'crm.customers.CustomerState.v1';
const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const PROFILE = `mutation($input: UpdateCustomerProfileInput!) { updateCustomerProfile(input: $input) { userErrors { field code } } }`;
const CONSENT = `mutation($input: SetCustomerConsentInput!) { setCustomerConsent(input: $input) { userErrors { field code } } }`;
const STATUS = `mutation($input: ChangeCustomerStatusInput!) { changeCustomerStatus(input: $input) { userErrors { field code } } }`;
const VIEW = `query($id: ID!) { customer(id: $id) { status displayName relationshipManagerId contact { phone email } consents { purpose granted } specialCare { flags } } }`;

interface State {
  status: string;
  displayName: string;
  relationshipManagerId: string | null;
  contact: { phone: string | null; email: string | null };
  marketingContact: { phone: string | null; email: string | null } | null;
  consents: { purpose: string; granted: boolean }[];
  specialCare: string[];
}

describe('customer state records (DB-backed)', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(customersService, { label: 'customers_state' });
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  const lastSeq = async () => String((await sql<{ s: string | null }>`select max(seq) as s from event_outbox`.execute(svc.db)).rows[0]?.s ?? '0');
  const records = async (id: string, after: string) =>
    (
      await sql<{
        event: { sequence: string; data: State };
      }>`select event from event_outbox where type = ${TYPE} and key = ${id} and seq > ${after} order by seq`.execute(svc.db)
    ).rows;

  async function expectStateAfter(id: () => string, change: () => Promise<void>) {
    const before = await lastSeq();
    await change();
    const written = await records(id(), before);
    expect(written.length, 'the change wrote a state record').toBeGreaterThan(0);
    const latest = written.at(-1)?.event.data as State;
    const view = (
      await svc.graphql<{ customer: Omit<State, 'marketingContact' | 'specialCare'> & { specialCare: { flags: string[] } } }>(VIEW, { id: id() }, staff.officer)
    ).data?.customer;
    const { status, displayName, relationshipManagerId, contact, consents, specialCare } = latest;
    expect({ status, displayName, relationshipManagerId, contact, consents, specialCare: { flags: specialCare } }).toEqual(view);
    return latest;
  }
  const ok = (res: { data?: Record<string, { userErrors: unknown[] }> }, field: string) => expect(res.data?.[field]?.userErrors, field).toEqual([]);

  it('after registration, a profile change, consent granted and withdrawn, and a status change', async () => {
    let id = '';
    await expectStateAfter(
      () => id,
      async () => {
        const res = await svc.graphql<{ registerCustomer: { customer: { id: string } } }>(
          REGISTER,
          { input: { kind: 'INDIVIDUAL', branchId: 'BR-001', relationshipManagerId: 'officer-1', individual: { firstName: 'Awa', lastName: 'Sow' } } },
          staff.officer,
        );
        id = res.data?.registerCustomer.customer.id ?? '';
      },
    );
    const changed = await expectStateAfter(
      () => id,
      async () =>
        ok(
          await svc.graphql(PROFILE, { input: { customerId: id, contact: { phone: '+221770000009', email: 'awa@example.org' } } }, staff.officer),
          'updateCustomerProfile',
        ),
    );
    expect(changed.marketingContact).toBeNull();
    const granted = await expectStateAfter(
      () => id,
      async () =>
        ok(
          await svc.graphql(CONSENT, { input: { customerId: id, purpose: 'MARKETING_CONTACT', granted: true, channel: 'SMS' } }, staff.officer),
          'setCustomerConsent',
        ),
    );
    expect(granted.marketingContact).toEqual({ phone: '+221770000009', email: 'awa@example.org' });
    const withdrawn = await expectStateAfter(
      () => id,
      async () =>
        ok(
          await svc.graphql(CONSENT, { input: { customerId: id, purpose: 'MARKETING_CONTACT', granted: false, channel: 'PHONE' } }, staff.officer),
          'setCustomerConsent',
        ),
    );
    expect(withdrawn.marketingContact).toBeNull();
    await expectStateAfter(
      () => id,
      async () => ok(await svc.graphql(STATUS, { input: { customerId: id, status: 'ACTIVE', reason: 'First product' } }, staff.admin), 'changeCustomerStatus'),
    );
    const all = await records(id, '0');
    expect(all.map((r) => Number(r.event.sequence))).toEqual(all.map((_, i) => i + 1));
  }, 120_000);
});
