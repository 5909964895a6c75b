import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { fieldsWithoutRoleRule, type Identity, pseudonym } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { typeDefs } from '../src/schema.ts';
import { customersService } from '../src/service.ts';
import { branchManager, counts, given } from './given.ts';

type Errors = { field: string | null; code: string }[];
type GqlError = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };

const officer1 = staff.officer; // loan officer of BR-001
const bm1 = branchManager; // branch manager of BR-001
const bm2: Identity = { userId: 'bm-2', roles: ['branch_manager'], branchId: 'BR-002' };
const officer2: Identity = { userId: 'officer-2', roles: ['loan_officer'], branchId: 'BR-002' };
const agent1: Identity = { userId: 'agent-1', roles: ['service_agent'], branchId: 'BR-001' };
const risk: Identity = { userId: 'risk-1', roles: ['risk_officer'] };
const auditor: Identity = { userId: 'auditor-1', roles: ['auditor'] };

const codeAt = (errors: GqlError[] | undefined, path: (string | number)[]) =>
  errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(path))?.extensions?.code;

const REGISTER = /* GraphQL */ `
  mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id branchId } userErrors { field code } } }
`;
const STATUS = /* GraphQL */ `
  mutation($input: ChangeCustomerStatusInput!) { changeCustomerStatus(input: $input) { customer { status } userErrors { field code } } }
`;
const UPDATE = /* GraphQL */ `
  mutation($input: UpdateCustomerProfileInput!) {
    updateCustomerProfile(input: $input) { customer { id branchId } changes { field oldValue newValue } userErrors { field code } }
  }
`;
const TRAIL = /* GraphQL */ `
  query($filter: AuditFilter) {
    customersAuditTrail(filter: $filter, first: 20) {
      edges { node { action actorId actorRoles actorBranch entityType entityId outcome detail changes { field before after } } }
    }
  }
`;

describe('the customers schema', () => {
  it('has a role rule on every Query and Mutation field', () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
    expect(fieldsWithoutRoleRule(schema)).toEqual([]);
  });
});

describe('who may see and change what', () => {
  let svc: TestService<DB>;
  let make: ReturnType<typeof given>;
  const ids: Record<string, string> = {};

  const branchOf = async (id: string) => (await svc.db.selectFrom('customer').select('branch_id').where('id', '=', id).executeTakeFirstOrThrow()).branch_id;

  beforeAll(async () => {
    svc = await startTestService(customersService);
    make = given(svc);
    const scoped = { tags: ['scope-matrix'] };
    ids.own = await make.customer({
      ...scoped,
      individual: { firstName: 'Amina', lastName: 'Own', birthDate: '1988-04-12', nationalId: 'CM12345678' },
      contact: { phone: '+237 650 00 00 01', address: { region: 'Centre', city: 'Yaoundé' } },
    });
    ids.other = await make.customer({ ...scoped, branchId: 'BR-002', relationshipManagerId: 'officer-8' });
    // In BR-002, but managed by officer-1: a loan officer sees the customers assigned to them anywhere.
    ids.managed = await make.customer({ ...scoped, branchId: 'BR-002', relationshipManagerId: 'officer-1' });
    await svc.graphql(
      `mutation($input: RecordFinancialSnapshotInput!) { recordFinancialSnapshot(input: $input) { userErrors { code } } }`,
      { input: { customerId: ids.own, asOf: '2026-01-31', currency: 'XAF', monthlyIncome: '250000' } },
      officer1,
    );
  });
  afterAll(async () => {
    await svc?.stop();
  });

  describe('branch scope', () => {
    const LIST = `{ customers(filter: { tag: "scope-matrix" }, first: 50) { totalCount edges { node { id } } } }`;
    type L = { customers: { totalCount: number; edges: { node: { id: string } }[] } };

    it.each([
      ['a loan officer of BR-001', officer1, ['own', 'managed']],
      ['a branch manager of BR-001', bm1, ['own']],
      ['a service agent of BR-001', agent1, ['own']],
    ])('%s: lists, counts and reads only in-scope customers', async (_who, identity, visible) => {
      const expected = visible.map((k) => ids[k]).sort();
      const list = await svc.graphql<L>(LIST, {}, identity);
      expect(list.errors).toBeUndefined();
      expect(list.data?.customers.edges.map((e) => e.node.id).sort()).toEqual(expected);
      expect(list.data?.customers.totalCount).toBe(expected.length);

      // A customer of BR-002: FORBIDDEN by id, in its history and as an entity reference.
      const byId = await svc.graphql<{ customer: unknown }>(`query($id: ID!) { customer(id: $id) { id displayName } }`, { id: ids.other }, identity);
      expect(byId.data?.customer).toBeNull();
      expect(codeAt(byId.errors, ['customer'])).toBe('FORBIDDEN');
      const history = await svc.graphql(`query($id: ID!) { customerHistory(customerId: $id) { edges { node { field } } } }`, { id: ids.other }, identity);
      expect(history.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const refs = await svc.graphql<{ _entities: ({ id: string } | null)[] }>(
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id } } }`,
        {
          reps: [
            { __typename: 'Customer', id: ids.own },
            { __typename: 'Customer', id: ids.other },
          ],
        },
        identity,
      );
      expect(refs.data?._entities).toEqual([{ id: ids.own }, null]);
      expect(codeAt(refs.errors, ['_entities', 1])).toBe('FORBIDDEN');
    });

    it('segments count and list only in-scope members', async () => {
      const created = await svc.graphql<{ createCustomerSegment: { segment: { id: string } } }>(
        `mutation($input: CreateCustomerSegmentInput!) { createCustomerSegment(input: $input) { segment { id } userErrors { code } } }`,
        { input: { name: 'Scope matrix', rule: { attribute: 'tags', op: 'contains', value: 'scope-matrix' } } },
        staff.admin,
      );
      const id = created.data?.createCustomerSegment.segment.id;
      const SEG = `query($id: ID!) { segment(id: $id) { customerCount members(first: 50) { totalCount edges { node { id } } } } }`;
      type S = { segment: { customerCount: number; members: { totalCount: number; edges: { node: { id: string } }[] } } };
      const asManager = await svc.graphql<S>(SEG, { id }, bm1);
      expect(asManager.data?.segment).toEqual({ customerCount: 1, members: { totalCount: 1, edges: [{ node: { id: ids.own } }] } });
      const asRisk = await svc.graphql<S>(SEG, { id }, risk);
      expect(asRisk.data?.segment.customerCount).toBe(3);
    });

    it.each([
      ['a risk officer', risk],
      ['an administrator', staff.admin],
      ['an analyst', staff.analyst],
    ])('%s sees every branch', async (_who, identity) => {
      const list = await svc.graphql<L>(LIST, {}, identity);
      expect(list.data?.customers.totalCount).toBe(3);
      const byId = await svc.graphql<{ customer: { id: string } }>(`query($id: ID!) { customer(id: $id) { id } }`, { id: ids.other }, identity);
      expect(byId.data?.customer.id).toBe(ids.other);
    });

    it.each([
      ['a loan officer of BR-001', officer1],
      ['a branch manager of BR-001', bm1],
    ])('%s may not change a customer of BR-002: FORBIDDEN, nothing written', async (_who, identity) => {
      const before = await counts(svc);
      const res = await svc.graphql(STATUS, { input: { customerId: ids.other, status: 'ACTIVE' } }, identity);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const special = await svc.graphql(
        `mutation($input: SetCustomerSpecialCareInput!) { setCustomerSpecialCare(input: $input) { userErrors { code } } }`,
        { input: { customerId: ids.other, flags: ['ELDERLY'] } },
        identity,
      );
      expect(special.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const snapshot = await svc.graphql(
        `mutation($input: RecordFinancialSnapshotInput!) { recordFinancialSnapshot(input: $input) { userErrors { code } } }`,
        { input: { customerId: ids.other, asOf: '2026-01-31', currency: 'XAF', monthlyIncome: '1' } },
        identity,
      );
      expect(snapshot.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await counts(svc)).toEqual(before);
      const row = await svc.db
        .selectFrom('customer')
        .select(['status', 'special_care'])
        .where('id', '=', ids.other ?? '')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'PROSPECT', special_care: [] });
    });

    it('a branch manager of BR-002 may change that customer', async () => {
      const res = await svc.graphql<{ changeCustomerStatus: { customer: { status: string }; userErrors: Errors } }>(
        STATUS,
        { input: { customerId: ids.other, status: 'ACTIVE' } },
        bm2,
      );
      expect(res.data?.changeCustomerStatus).toEqual({ customer: { status: 'ACTIVE' }, userErrors: [] });
    });

    it('a branch-bound caller registers customers into their own branch only', async () => {
      const before = await counts(svc);
      const rows = async () =>
        Number(
          (
            await svc.db
              .selectFrom('customer')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const customers = await rows();
      const input = { kind: 'INDIVIDUAL', branchId: 'BR-002', individual: { firstName: 'Out', lastName: 'Ofscope' } };
      const refused = await svc.graphql<{ registerCustomer: { customer: null; userErrors: Errors } }>(REGISTER, { input }, officer1);
      expect(refused.data?.registerCustomer).toEqual({ customer: null, userErrors: [{ field: 'branchId', code: 'OUT_OF_SCOPE' }] });
      const noBranch = await svc.graphql<{ registerCustomer: { userErrors: Errors } }>(
        REGISTER,
        { input: { ...input, branchId: 'BR-001' } },
        { userId: 'agent-x', roles: ['service_agent'] },
      );
      expect(noBranch.data?.registerCustomer.userErrors).toEqual([{ field: 'branchId', code: 'OUT_OF_SCOPE' }]);
      expect(await counts(svc)).toEqual(before);
      expect(await rows()).toBe(customers);
      const own = await svc.graphql<{ registerCustomer: { customer: { branchId: string }; userErrors: Errors } }>(REGISTER, { input }, officer2);
      expect(own.data?.registerCustomer).toMatchObject({ customer: { branchId: 'BR-002' }, userErrors: [] });
      const admin = await svc.graphql<{ registerCustomer: { customer: { branchId: string } } }>(
        REGISTER,
        { input: { ...input, branchId: 'BR-009' } },
        staff.admin,
      );
      expect(admin.data?.registerCustomer.customer.branchId).toBe('BR-009');
    });
  });

  describe('moving a customer to another branch', () => {
    it('takes a branch manager of the source branch or an administrator', async () => {
      const id = await make.customer({ relationshipManagerId: 'officer-1' });
      const move = (to: string, as: Identity) =>
        svc.graphql<{ updateCustomerProfile: { customer: { branchId: string } | null; changes: unknown[]; userErrors: Errors } }>(
          UPDATE,
          { input: { customerId: id, branchId: to } },
          as,
        );
      const before = await counts(svc);
      // Its own relationship manager (a loan officer of the branch) may not move it out (and back).
      for (const who of [officer1, agent1, { ...officer1, branchId: 'BR-002' }]) {
        const res = await move('BR-002', who);
        expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      // A branch manager of the destination does not see it yet.
      expect((await move('BR-002', bm2)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await counts(svc)).toEqual(before);
      expect(await branchOf(id)).toBe('BR-001');

      // Other changes by the loan officer are still fine.
      const tags = await svc.graphql<{ updateCustomerProfile: { userErrors: Errors } }>(UPDATE, { input: { customerId: id, tags: ['moved'] } }, officer1);
      expect(tags.data?.updateCustomerProfile.userErrors).toEqual([]);

      const moved = await move('BR-002', bm1);
      expect(moved.errors).toBeUndefined();
      expect(moved.data?.updateCustomerProfile.userErrors).toEqual([]);
      expect(moved.data?.updateCustomerProfile.changes).toEqual([{ field: 'branchId', oldValue: 'BR-001', newValue: 'BR-002' }]);
      // Out of the manager's branch now: the payload does not show it.
      expect(moved.data?.updateCustomerProfile.customer).toBeNull();
      expect(await branchOf(id)).toBe('BR-002');
      expect((await move('BR-001', bm1)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      // Its relationship manager still sees it, but cannot bring it back.
      expect((await move('BR-001', officer1)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await branchOf(id)).toBe('BR-002');

      const back = await move('BR-001', staff.admin);
      expect(back.data?.updateCustomerProfile.customer).toEqual({ id, branchId: 'BR-001' });
      const again = await move('BR-003', bm1);
      expect(again.data?.updateCustomerProfile.userErrors).toEqual([]);
      expect(await branchOf(id)).toBe('BR-003');
    });
  });

  describe('sensitive data and pseudonyms', () => {
    const VIEW = /* GraphQL */ `
      query($id: ID!) {
        customer(id: $id) {
          id displayName
          individual { nationalId nationalIdMasked firstName lastName birthDate birthYear }
          contact { phone address { city } preferredChannel }
          financialSnapshots { edges { node { monthlyIncome } } }
          history { edges { node { field } } }
          documents { edges { node { id } } }
          specialCare { flags note }
          status
        }
      }
    `;
    type V = {
      customer: {
        id: string;
        displayName: string;
        individual: Record<string, unknown>;
        contact: Record<string, unknown>;
        financialSnapshots: unknown;
        history: unknown;
        documents: unknown;
        specialCare: Record<string, unknown>;
        status: string;
      } | null;
    };

    it('an analyst gets the customer with a pseudonym and birth year, and FORBIDDEN only on the identifying fields', async () => {
      const basic = await svc.graphql<{ customer: { id: string; displayName: string; individual: { nationalId: null; firstName: null } } }>(
        `query($id: ID!) { customer(id: $id) { id displayName individual { nationalId firstName } } }`,
        { id: ids.own },
        staff.analyst,
      );
      expect(basic.data?.customer).toEqual({ id: ids.own, displayName: pseudonym(ids.own ?? ''), individual: { nationalId: null, firstName: null } });
      expect(basic.errors?.map((e) => [e.path?.join('.'), e.extensions?.code]).sort()).toEqual([
        ['customer.individual.firstName', 'FORBIDDEN'],
        ['customer.individual.nationalId', 'FORBIDDEN'],
      ]);

      const res = await svc.graphql<V>(VIEW, { id: ids.own }, staff.analyst);
      const c = res.data?.customer;
      expect(c?.id).toBe(ids.own);
      expect(c?.displayName).toMatch(/^Customer [0-9A-F]{4}-[0-9A-F]{4}$/);
      expect(c?.displayName).not.toContain('Amina');
      expect(c?.status).toBe('PROSPECT');
      expect(c?.individual).toEqual({ nationalId: null, nationalIdMasked: null, firstName: null, lastName: null, birthDate: null, birthYear: 1988 });
      expect(c?.contact).toEqual({ phone: null, address: null, preferredChannel: null });
      expect(c?.financialSnapshots).toBeNull();
      expect(c?.history).toBeNull();
      expect(c?.documents).toBeNull();
      expect(c?.specialCare).toEqual({ flags: [], note: null });
      const forbiddenPaths = (res.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => e.path?.join('.'));
      expect(forbiddenPaths.sort()).toEqual(
        [
          'customer.contact.address',
          'customer.contact.phone',
          'customer.documents',
          'customer.financialSnapshots',
          'customer.history',
          'customer.individual.birthDate',
          'customer.individual.firstName',
          'customer.individual.lastName',
          'customer.individual.nationalId',
          'customer.individual.nationalIdMasked',
          'customer.specialCare.note',
        ].sort(),
      );
      expect(res.errors).toHaveLength(forbiddenPaths.length);

      // The same pseudonym in lists; a name search would unmask it.
      const list = await svc.graphql<{ customers: { edges: { node: { id: string; displayName: string } }[] } }>(
        `{ customers(filter: { tag: "scope-matrix" }, first: 10) { edges { node { id displayName } } } }`,
        {},
        staff.analyst,
      );
      for (const e of list.data?.customers.edges ?? []) expect(e.node.displayName).toBe(pseudonym(e.node.id));
      const search = await svc.graphql(`{ customers(filter: { nameContains: "Amina" }) { totalCount } }`, {}, staff.analyst);
      expect(search.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('a loan officer sees the identity; a risk officer all but the national id; full national id reads are audited', async () => {
      const asOfficer = await svc.graphql<V>(VIEW, { id: ids.own }, officer1);
      expect(asOfficer.errors).toBeUndefined();
      expect(asOfficer.data?.customer).toMatchObject({
        displayName: 'Amina Own',
        individual: { nationalId: 'CM12345678', nationalIdMasked: '******5678', firstName: 'Amina', birthDate: '1988-04-12', birthYear: 1988 },
        contact: { phone: '+237 650 00 00 01', address: { city: 'Yaoundé' } },
        financialSnapshots: { edges: [{ node: { monthlyIncome: '250000.00' } }] },
      });
      const asRisk = await svc.graphql<V>(VIEW, { id: ids.own }, risk);
      expect(asRisk.data?.customer?.displayName).toBe('Amina Own');
      expect(asRisk.data?.customer?.individual).toMatchObject({ nationalId: null, firstName: 'Amina' });
      expect(asRisk.errors?.map((e) => e.path?.join('.'))).toEqual(['customer.individual.nationalId']);

      const trail = await svc.graphql<{ customersAuditTrail: { edges: { node: { action: string; actorId: string; entityId: string; outcome: string } }[] } }>(
        TRAIL,
        { filter: { action: 'read:IndividualProfile.nationalId', actorId: officer1.userId, entityId: ids.own } },
        auditor,
      );
      expect(trail.data?.customersAuditTrail.edges.length).toBeGreaterThanOrEqual(1);
      expect(trail.data?.customersAuditTrail.edges[0]?.node).toMatchObject({ outcome: 'SUCCEEDED', entityId: ids.own });
    });
  });

  describe('the audit trail', () => {
    type T = {
      customersAuditTrail: {
        edges: {
          node: {
            action: string;
            actorId: string;
            actorRoles: string[];
            actorBranch: string | null;
            entityId: string | null;
            outcome: string;
            detail: string | null;
            changes: { field: string; before: string | null; after: string | null }[];
          };
        }[];
      };
    };
    const trailOf = async (actorId: string) =>
      (await svc.graphql<T>(TRAIL, { filter: { actorId } }, staff.admin)).data?.customersAuditTrail.edges.map((e) => e.node) ?? [];

    it('records who did what and how it ended; only administrators and auditors read it; it cannot be rewritten', async () => {
      const clerk: Identity = { userId: 'audit-officer', roles: ['loan_officer'], branchId: 'BR-001' };
      const agent: Identity = { userId: 'audit-agent', roles: ['service_agent'], branchId: 'BR-001' };
      const id = await make.customer();
      const ok = await svc.graphql<{ changeCustomerStatus: { userErrors: Errors } }>(STATUS, { input: { customerId: id, status: 'ACTIVE' } }, clerk);
      expect(ok.data?.changeCustomerStatus.userErrors).toEqual([]);
      const rejected = await svc.graphql<{ registerCustomer: { userErrors: Errors } }>(
        REGISTER,
        { input: { kind: 'INDIVIDUAL', branchId: 'BR-001', individual: { lastName: 'Noname' } } },
        clerk,
      );
      expect(rejected.data?.registerCustomer.userErrors).toContainEqual({ field: 'individual.firstName', code: 'REQUIRED' });
      const phone = await svc.graphql<{ updateCustomerProfile: { userErrors: Errors } }>(
        UPDATE,
        { input: { customerId: id, contact: { phone: '+237 699 12 34 56' } } },
        clerk,
      );
      expect(phone.data?.updateCustomerProfile.userErrors).toEqual([]);
      const denied = await svc.graphql(STATUS, { input: { customerId: id, status: 'DORMANT' } }, agent);
      expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const outOfScope = await svc.graphql(STATUS, { input: { customerId: ids.other ?? '', status: 'DORMANT' } }, clerk);
      expect(outOfScope.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      const clerkTrail = await trailOf('audit-officer');
      expect(clerkTrail).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'changeCustomerStatus',
            actorId: 'audit-officer',
            actorRoles: ['loan_officer'],
            actorBranch: 'BR-001',
            outcome: 'SUCCEEDED',
          }),
          expect.objectContaining({ action: 'registerCustomer', actorId: 'audit-officer', outcome: 'REJECTED' }),
          expect.objectContaining({ action: 'changeCustomerStatus', actorId: 'audit-officer', outcome: 'FORBIDDEN' }),
        ]),
      );
      expect(clerkTrail.find((r) => r.outcome === 'REJECTED')?.detail).toContain('REQUIRED');
      // Before/after of what changed, personal data masked.
      const update = clerkTrail.find((r) => r.action === 'updateCustomerProfile');
      expect(update).toMatchObject({ entityId: id, outcome: 'SUCCEEDED' });
      expect(update?.changes).toEqual([{ field: 'contact.phone', before: null, after: JSON.stringify('********56') }]);
      expect(clerkTrail.find((r) => r.action === 'changeCustomerStatus' && r.outcome === 'SUCCEEDED')?.changes).toEqual([
        { field: 'status', before: '"PROSPECT"', after: '"ACTIVE"' },
      ]);
      expect(await trailOf('audit-agent')).toEqual([expect.objectContaining({ action: 'changeCustomerStatus', actorId: 'audit-agent', outcome: 'FORBIDDEN' })]);

      const analyst = await svc.graphql<T>(TRAIL, {}, staff.analyst);
      expect(analyst.data).toBeNull();
      expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const asAuditor = await svc.graphql<T>(TRAIL, { filter: { actorId: 'audit-agent' } }, auditor);
      expect(asAuditor.data?.customersAuditTrail.edges).toHaveLength(1);

      await expect(svc.db.updateTable('audit_log').set({ outcome: 'SUCCEEDED' }).where('actor_id', '=', 'audit-agent').execute()).rejects.toThrow(
        /append-only/,
      );
      await expect(svc.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
      expect(await trailOf('audit-agent')).toHaveLength(1);
    });
  });
});
