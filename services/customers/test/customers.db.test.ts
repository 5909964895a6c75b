import { pseudonym } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterCustomerInput!) {
    registerCustomer(input: $input) {
      customer { id kind status displayName branchId individual { firstName birthDate nationalIdMasked } enterprise { legalName annualRevenue } }
      userErrors { field message code }
    }
  }
`;

interface RegisterResult {
  registerCustomer: {
    customer: {
      id: string;
      kind: string;
      status: string;
      displayName: string;
      individual: { birthDate: string; nationalIdMasked: string } | null;
      enterprise: { legalName: string; annualRevenue: string } | null;
    } | null;
    userErrors: { field: string | null; code: string; message: string }[];
  };
}

const amina = {
  kind: 'INDIVIDUAL',
  branchId: 'BR-001',
  relationshipManagerId: 'officer-7',
  individual: { firstName: 'Amina', lastName: 'Diallo', gender: 'FEMALE', birthDate: '1988-04-12', nationalId: 'CM12345678' },
  contact: { phone: '+237 650 00 00 01', address: { region: 'Centre', city: 'Yaoundé' } },
};

describe('customers subgraph', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(customersService);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function rowCounts() {
    const customers = await svc.db
      .selectFrom('customer')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const outbox = await svc.db
      .selectFrom('event_outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return { customers: Number(customers.n), outbox: Number(outbox.n) };
  }

  it('registers an individual, masks the national id and writes CustomerRegistered to the outbox', async () => {
    const res = await svc.graphql<RegisterResult>(REGISTER, { input: amina }, staff.officer);
    expect(res.errors).toBeUndefined();
    const customer = res.data?.registerCustomer.customer;
    expect(customer).toMatchObject({ kind: 'INDIVIDUAL', status: 'PROSPECT', displayName: 'Amina Diallo', branchId: 'BR-001' });
    expect(customer?.individual).toEqual({ firstName: 'Amina', birthDate: '1988-04-12', nationalIdMasked: '******5678' });
    const event = await svc.db
      .selectFrom('event_outbox')
      .selectAll()
      .where('key', '=', customer?.id ?? '')
      .where('topic', '=', 'crm.customers.v1')
      .executeTakeFirstOrThrow();
    expect(event.type).toBe('crm.customers.CustomerRegistered.v1');
    expect(event.topic).toBe('crm.customers.v1');
    expect(event.event).toMatchObject({ specversion: '1.0', subject: customer?.id, data: { displayName: 'Amina Diallo', relationshipManagerId: 'officer-7' } });
  });

  it('registers an enterprise with an exact annual revenue', async () => {
    const res = await svc.graphql<RegisterResult>(
      REGISTER,
      {
        input: {
          kind: 'ENTERPRISE',
          branchId: 'BR-002',
          enterprise: { legalName: 'Kora Textiles SARL', registrationNumber: 'RC-2019-B-1234', size: 'SMALL', annualRevenue: '125000000.10' },
        },
      },
      // A branch-bound caller registers into their own branch only.
      { userId: 'officer-2', roles: ['loan_officer'], branchId: 'BR-002' },
    );
    expect(res.data?.registerCustomer.userErrors).toEqual([]);
    expect(res.data?.registerCustomer.customer?.enterprise).toEqual({ legalName: 'Kora Textiles SARL', annualRevenue: '125000000.10' });
  });

  it('refuses a missing name with field and code, and writes nothing', async () => {
    const before = await rowCounts();
    const res = await svc.graphql<RegisterResult>(REGISTER, { input: { ...amina, individual: { lastName: 'Diallo' } } }, staff.officer);
    expect(res.data?.registerCustomer.customer).toBeNull();
    expect(res.data?.registerCustomer.userErrors).toContainEqual(expect.objectContaining({ field: 'individual.firstName', code: 'REQUIRED' }));
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a future birth date', async () => {
    const before = await rowCounts();
    const res = await svc.graphql<RegisterResult>(
      REGISTER,
      { input: { ...amina, individual: { ...amina.individual, birthDate: '2199-01-01' } } },
      staff.officer,
    );
    expect(res.data?.registerCustomer.userErrors).toEqual([expect.objectContaining({ field: 'individual.birthDate', code: 'DATE_IN_FUTURE' })]);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a malformed birth date and an unknown enum as bad input naming the field', async () => {
    const before = await rowCounts();
    const badDate = await svc.graphql(REGISTER, { input: { ...amina, individual: { ...amina.individual, birthDate: '1988-02-30' } } }, staff.officer);
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badDate.errors?.[0]?.message).toContain('input.individual.birthDate');
    const badEnum = await svc.graphql(REGISTER, { input: { ...amina, kind: 'ALIEN' } }, staff.officer);
    expect(badEnum.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badEnum.errors?.[0]?.message).toContain('input.kind');
    expect(await rowCounts()).toEqual(before);
  });

  it('returns the first registration for a repeated idempotency key', async () => {
    const input = { ...amina, idempotencyKey: 'reg-0001' };
    const first = await svc.graphql<RegisterResult>(REGISTER, { input }, staff.officer);
    const before = await rowCounts();
    const second = await svc.graphql<RegisterResult>(REGISTER, { input }, staff.officer);
    expect(second.data?.registerCustomer.customer?.id).toBe(first.data?.registerCustomer.customer?.id);
    expect(await rowCounts()).toEqual(before);
  });

  it('creates exactly one customer for two identical registrations sent at the same time', async () => {
    const input = { ...amina, individual: { ...amina.individual, firstName: 'Twin' }, idempotencyKey: 'reg-concurrent' };
    const before = await svc.db
      .selectFrom('customer')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const [a, b] = await Promise.all([
      svc.graphql<RegisterResult>(REGISTER, { input }, staff.officer),
      svc.graphql<RegisterResult>(REGISTER, { input }, staff.officer),
    ]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const id = a.data?.registerCustomer.customer?.id;
    expect(id).toBeTruthy();
    expect(b.data?.registerCustomer.customer?.id).toBe(id);
    const stored = await svc.db.selectFrom('customer').select('id').where('idempotency_key', '=', 'reg-concurrent').execute();
    expect(stored).toEqual([{ id }]);
    const after = await svc.db
      .selectFrom('customer')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) + 1);
  });

  it('refuses callers without a token or without a staff role', async () => {
    const anonymous = await svc.graphql(REGISTER, { input: amina }, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const analyst = await svc.graphql(REGISTER, { input: amina }, staff.analyst);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('pages through customers with a keyset cursor and a filter', async () => {
    const ids: string[] = [];
    for (const name of ['Bello', 'Chioma', 'Dede']) {
      const reg = await svc.graphql<RegisterResult>(
        REGISTER,
        { input: { ...amina, branchId: 'BR-PAGE', individual: { firstName: name, lastName: 'Page' } } },
        { ...staff.officer, branchId: 'BR-PAGE' },
      );
      ids.push(reg.data?.registerCustomer.customer?.id ?? '');
    }
    const PAGE = `query($after: String) { customers(filter: { branchId: "BR-PAGE" }, first: 2, after: $after) { totalCount edges { node { displayName } } pageInfo { hasNextPage endCursor } } }`;
    type Page = { customers: { totalCount: number; edges: { node: { displayName: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    // Analysts see each customer under its stable pseudonym, in registration order.
    const [bello = '', chioma = '', dede = ''] = ids;
    const p1 = await svc.graphql<Page>(PAGE, {}, staff.analyst);
    expect(p1.data?.customers.totalCount).toBe(3);
    expect(p1.data?.customers.edges.map((e) => e.node.displayName)).toEqual([pseudonym(bello), pseudonym(chioma)]);
    expect(p1.data?.customers.pageInfo.hasNextPage).toBe(true);
    const p2 = await svc.graphql<Page>(PAGE, { after: p1.data?.customers.pageInfo.endCursor }, staff.analyst);
    expect(p2.data?.customers.edges.map((e) => e.node.displayName)).toEqual([pseudonym(dede)]);
    expect(p2.data?.customers.pageInfo.hasNextPage).toBe(false);
  });

  it('resolves federated references in one batch through _entities', async () => {
    const list = await svc.graphql<{ customers: { edges: { node: { id: string } }[] } }>(`{ customers(first: 3) { edges { node { id } } } }`);
    const ids = list.data?.customers.edges.map((e) => e.node.id) ?? [];
    const res = await svc.graphql<{ _entities: { id: string; displayName: string }[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id displayName } } }`,
      { reps: [...ids.map((id) => ({ __typename: 'Customer', id })), { __typename: 'Customer', id: 'missing' }] },
    );
    expect(res.data?._entities.slice(0, 3).map((e) => e.id)).toEqual(ids);
    expect(res.data?._entities[3]).toBeNull();
  });
});
