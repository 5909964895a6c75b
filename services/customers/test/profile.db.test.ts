import { addDaysTo } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { branchManager, counts, eventsOf, given } from './given.ts';

type Errors = { field: string | null; code: string }[];

const UPDATE = /* GraphQL */ `
  mutation($input: UpdateCustomerProfileInput!) {
    updateCustomerProfile(input: $input) {
      customer { id displayName tags individual { occupation birthDate nationalIdMasked } contact { phone } }
      changes { field oldValue newValue changedBy }
      userErrors { field code }
    }
  }
`;
const STATUS = /* GraphQL */ `
  mutation($input: ChangeCustomerStatusInput!) {
    changeCustomerStatus(input: $input) { customer { status } userErrors { field code message } }
  }
`;
const ASSIGN = /* GraphQL */ `
  mutation($input: AssignRelationshipManagerInput!) {
    assignRelationshipManager(input: $input) {
      customer {
        relationshipManagerId
        managerHistory { managerId previousManagerId reason assignedBy }
        managerHistoryConnection(first: 1) { totalCount edges { node { managerId previousManagerId reason assignedBy } } pageInfo { hasNextPage } }
      }
      userErrors { field code }
    }
  }
`;
const HISTORY = /* GraphQL */ `
  query($id: ID!, $after: String) {
    customer(id: $id) { history(first: 2, after: $after) { edges { node { field oldValue newValue changedBy changedAt } } pageInfo { hasNextPage endCursor } } }
  }
`;

describe('profiles, status, managers, history and staleness', () => {
  let svc: TestService<DB>;
  let make: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(customersService);
    make = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('passes the referral code and the industry in CustomerRegistered', async () => {
    const id = await make.customer({
      kind: 'ENTERPRISE',
      individual: null,
      enterprise: { legalName: 'Sahel Grains SARL', registrationNumber: 'RC-77', industry: 'Agriculture' },
      referralCode: 'AMINA-2026',
    });
    const [event] = await eventsOf(svc, id, 'CustomerRegistered');
    expect(event?.data).toMatchObject({ industry: 'Agriculture', referralCode: 'AMINA-2026', displayName: 'Sahel Grains SARL' });
  });

  it('updates profile fields, records each change with who, old and new, and emits CustomerProfileUpdated once', async () => {
    const id = await make.customer({ tags: ['market'] });
    const res = await svc.graphql<{ updateCustomerProfile: { customer: { displayName: string; tags: string[] }; changes: unknown[]; userErrors: Errors } }>(
      UPDATE,
      {
        input: {
          customerId: id,
          individual: { occupation: 'Tailor', lastName: 'Mbarga', nationalId: 'CM99990000' },
          contact: { phone: '+237 699 00 00 00' },
          tags: ['vip-prospect', 'market'],
        },
      },
      staff.officer,
    );
    expect(res.data?.updateCustomerProfile.userErrors).toEqual([]);
    expect(res.data?.updateCustomerProfile.customer.displayName).toMatch(/ Mbarga$/);
    expect(res.data?.updateCustomerProfile.customer.tags).toEqual(['market', 'vip-prospect']);
    expect(res.data?.updateCustomerProfile.changes).toEqual(
      expect.arrayContaining([
        { field: 'individual.occupation', oldValue: 'Trader', newValue: 'Tailor', changedBy: 'officer-1' },
        { field: 'individual.lastName', oldValue: 'Customer', newValue: 'Mbarga', changedBy: 'officer-1' },
        { field: 'individual.nationalId', oldValue: null, newValue: '******0000', changedBy: 'officer-1' },
        { field: 'contact.phone', oldValue: null, newValue: '+237 699 00 00 00', changedBy: 'officer-1' },
        { field: 'tags', oldValue: 'market', newValue: 'market, vip-prospect', changedBy: 'officer-1' },
      ]),
    );
    expect(res.data?.updateCustomerProfile.changes).toHaveLength(5);
    const events = await eventsOf(svc, id, 'CustomerProfileUpdated');
    expect(events).toHaveLength(1);
    expect(events[0]?.data.changes).toContainEqual({ field: 'individual.occupation', oldValue: 'Trader', newValue: 'Tailor' });

    // The same values again change nothing: no history row, no event.
    const before = await counts(svc);
    const again = await svc.graphql<{ updateCustomerProfile: { changes: unknown[]; userErrors: Errors } }>(
      UPDATE,
      { input: { customerId: id, individual: { occupation: 'Tailor', birthDate: '1980-05-05' } } },
      staff.officer,
    );
    expect(again.data?.updateCustomerProfile).toMatchObject({ changes: [], userErrors: [] });
    expect(await counts(svc)).toEqual(before);

    // History is newest first and pages with a cursor.
    const p1 = await svc.graphql<{ customer: { history: { edges: { node: { field: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } }>(
      HISTORY,
      { id },
    );
    expect(p1.data?.customer.history.edges).toHaveLength(2);
    expect(p1.data?.customer.history.pageInfo.hasNextPage).toBe(true);
    const p2 = await svc.graphql<{ customer: { history: { edges: { node: { field: string } }[] } } }>(HISTORY, {
      id,
      after: p1.data?.customer.history.pageInfo.endCursor,
    });
    const fields = [...(p1.data?.customer.history.edges ?? []), ...(p2.data?.customer.history.edges ?? [])].map((e) => e.node.field);
    expect(new Set(fields).size).toBe(fields.length);
    const analyst = await svc.graphql(HISTORY, { id }, staff.analyst);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a future birth date, clearing a required name, an enterprise block on a person and an unknown customer, writing nothing', async () => {
    const id = await make.customer();
    const before = await counts(svc);
    const bad = await svc.graphql<{ updateCustomerProfile: { customer: null; userErrors: Errors } }>(
      UPDATE,
      { input: { customerId: id, individual: { birthDate: '2199-01-01', firstName: null }, enterprise: { legalName: 'X' } } },
      staff.officer,
    );
    expect(bad.data?.updateCustomerProfile.userErrors).toEqual(
      expect.arrayContaining([
        { field: 'individual.birthDate', code: 'DATE_IN_FUTURE' },
        { field: 'individual.firstName', code: 'REQUIRED' },
        { field: 'enterprise', code: 'NOT_ALLOWED' },
      ]),
    );
    const unknown = await svc.graphql<{ updateCustomerProfile: { userErrors: Errors } }>(
      UPDATE,
      { input: { customerId: 'nobody', contact: { phone: '+237 600 000 000' } } },
      staff.officer,
    );
    expect(unknown.data?.updateCustomerProfile.userErrors).toEqual([{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND' }]);
    const badEnum = await svc.graphql(UPDATE, { input: { customerId: id, individual: { gender: 'ROBOT' } } }, staff.officer);
    expect(badEnum.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await counts(svc)).toEqual(before);
  });

  it('moves the status only along allowed transitions and emits CustomerStatusChanged', async () => {
    const id = await make.customer();
    const ok = await svc.graphql<{ changeCustomerStatus: { customer: { status: string }; userErrors: Errors } }>(
      STATUS,
      { input: { customerId: id, status: 'ACTIVE', reason: 'first loan' } },
      staff.officer,
    );
    expect(ok.data?.changeCustomerStatus).toEqual({ customer: { status: 'ACTIVE' }, userErrors: [] });
    expect((await eventsOf(svc, id, 'CustomerStatusChanged')).map((e) => e.data)).toEqual([
      expect.objectContaining({ previousStatus: 'PROSPECT', status: 'ACTIVE', reason: 'first loan' }),
    ]);
    const before = await counts(svc);
    const back = await svc.graphql<{ changeCustomerStatus: { customer: null; userErrors: Errors } }>(
      STATUS,
      { input: { customerId: id, status: 'PROSPECT' } },
      staff.officer,
    );
    expect(back.data?.changeCustomerStatus.userErrors).toEqual([expect.objectContaining({ field: 'status', code: 'INVALID_STATUS_TRANSITION' })]);
    const missing = await svc.graphql<{ changeCustomerStatus: { userErrors: Errors } }>(
      STATUS,
      { input: { customerId: 'nobody', status: 'DORMANT' } },
      staff.officer,
    );
    expect(missing.data?.changeCustomerStatus.userErrors).toEqual([expect.objectContaining({ field: 'customerId', code: 'CUSTOMER_NOT_FOUND' })]);
    const invalid = await svc.graphql(STATUS, { input: { customerId: id, status: 'ASLEEP' } }, staff.officer);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await counts(svc)).toEqual(before);
  });

  it('reassigns the relationship manager with history and emits RelationshipManagerAssigned; officers may not', async () => {
    const id = await make.customer();
    const denied = await svc.graphql(ASSIGN, { input: { customerId: id, managerId: 'officer-9' } }, staff.officer);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const res = await svc.graphql<{
      assignRelationshipManager: {
        customer: { relationshipManagerId: string; managerHistory: unknown[]; managerHistoryConnection: unknown };
        userErrors: Errors;
      };
    }>(ASSIGN, { input: { customerId: id, managerId: 'officer-9', reason: 'portfolio rebalancing' } }, branchManager);
    expect(res.data?.assignRelationshipManager.userErrors).toEqual([]);
    const newest = { managerId: 'officer-9', previousManagerId: 'officer-7', reason: 'portfolio rebalancing', assignedBy: 'bm-1' };
    expect(res.data?.assignRelationshipManager.customer).toEqual({
      relationshipManagerId: 'officer-9',
      managerHistory: [newest, { managerId: 'officer-7', previousManagerId: null, reason: 'registration', assignedBy: 'officer-1' }],
      // the connection: the same order, a page at a time, with the count
      managerHistoryConnection: { totalCount: 2, edges: [{ node: newest }], pageInfo: { hasNextPage: true } },
    });
    expect((await eventsOf(svc, id, 'RelationshipManagerAssigned')).map((e) => e.data)).toEqual([
      expect.objectContaining({ relationshipManagerId: 'officer-9', previousRelationshipManagerId: 'officer-7', branchId: 'BR-001' }),
    ]);
    const same = await svc.graphql<{ assignRelationshipManager: { userErrors: Errors } }>(
      ASSIGN,
      { input: { customerId: id, managerId: 'officer-9' } },
      branchManager,
    );
    expect(same.data?.assignRelationshipManager.userErrors).toEqual([{ field: 'managerId', code: 'ALREADY_ASSIGNED' }]);
  });

  // Through the command: the policy is cached per process and dropped when the command commits.
  async function setStaleAfterDays(days: number) {
    const res = await svc.graphql<{ updateCustomerPolicy: { userErrors: unknown[] } }>(
      `mutation($input: UpdateCustomerPolicyInput!) { updateCustomerPolicy(input: $input) { userErrors { code } } }`,
      { input: { staleAfterDays: days } },
      staff.admin,
    );
    expect(res.data?.updateCustomerPolicy.userErrors).toEqual([]);
  }

  it('flags profiles not reviewed within the configured period as stale, lists them, and clears the flag on review', async () => {
    const fresh = await make.customer({ branchId: 'BR-STALE' });
    const old = await make.customer({ branchId: 'BR-STALE' });
    await setStaleAfterDays(90);
    await svc.db
      .updateTable('customer')
      .set({ reviewed_at: addDaysTo(new Date(), -91) })
      .where('id', '=', old)
      .execute();
    const LIST = `query($stale: Boolean) { customers(filter: { branchId: "BR-STALE", stale: $stale }) { totalCount edges { node { id stale } } } }`;
    type L = { customers: { totalCount: number; edges: { node: { id: string; stale: boolean } }[] } };
    const staleOnes = await svc.graphql<L>(LIST, { stale: true }, staff.analyst);
    expect(staleOnes.data?.customers).toEqual({ totalCount: 1, edges: [{ node: { id: old, stale: true } }] });
    const freshOnes = await svc.graphql<L>(LIST, { stale: false }, staff.analyst);
    expect(freshOnes.data?.customers.edges).toEqual([{ node: { id: fresh, stale: false } }]);
    const reviewed = await svc.graphql<{ markCustomerProfileReviewed: { customer: { stale: boolean } } }>(
      `mutation($input: MarkCustomerProfileReviewedInput!) { markCustomerProfileReviewed(input: $input) { customer { stale } userErrors { code } } }`,
      { input: { customerId: old } },
      { ...staff.officer, branchId: 'BR-STALE' },
    );
    expect(reviewed.data?.markCustomerProfileReviewed.customer.stale).toBe(false);
    expect((await svc.graphql<L>(LIST, { stale: true }, staff.analyst)).data?.customers.totalCount).toBe(0);
    await setStaleAfterDays(365);
  });
});
