import { createEvent } from '@crm/events';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterCustomerInput!) {
    registerCustomer(input: $input) {
      customer { id displayName registeredAt }
      userErrors { field message code }
    }
  }
`;

/** The acceptance query: one request, fields from all four subgraphs. */
const CUSTOMER_360 = /* GraphQL */ `
  query Customer360($id: ID!) {
    customer(id: $id) {
      id
      displayName
      loanConnection(first: 5) { totalCount edges { node { id } } }
      interactions(first: 5) { edges { node { id purpose summary staffId } } }
      tasks(first: 5) { edges { node { id type assigneeId sourceEventId } } }
      loyalty { pointsBalance tier ledger(first: 5) { edges { node { kind points } } } }
    }
  }
`;

interface Customer360 {
  customer: {
    id: string;
    displayName: string;
    loanConnection: { totalCount: number; edges: { node: { id: string } }[] } | null;
    interactions: { edges: { node: { id: string; purpose: string; summary: string; staffId: string } }[] };
    tasks: { edges: { node: { id: string; type: string; assigneeId: string | null; sourceEventId: string } }[] };
    loyalty: { pointsBalance: number; tier: string; ledger: { edges: { node: { kind: string; points: number } }[] } } | null;
  } | null;
}

type RegisterResult = {
  registerCustomer: {
    customer: { id: string; displayName: string; registeredAt: string } | null;
    userErrors: { field: string; code: string; message: string }[];
  };
};

describe(`end to end through the gateway on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const fatou = {
    kind: 'INDIVIDUAL',
    branchId: 'BR-DKR',
    relationshipManagerId: 'officer-42',
    individual: { firstName: 'Fatou', lastName: 'Sow', birthDate: '1985-09-17' },
  };

  async function registerAndWait(input: Record<string, unknown>) {
    const reg = await stack.query<RegisterResult>(REGISTER, { input });
    expect(reg.errors).toBeUndefined();
    const customer = reg.data?.registerCustomer.customer;
    if (!customer) throw new Error(`registration failed: ${JSON.stringify(reg)}`);
    const view = await eventually(async () => {
      const res = await stack.query<Customer360>(CUSTOMER_360, { id: customer.id });
      const c = res.data?.customer;
      return c?.loyalty && c.tasks.edges.length > 0 ? c : undefined;
    }, 45_000);
    return { customer, view };
  }

  it('registers a customer, and one query reads all four subgraphs once the events flowed', async () => {
    const { customer, view } = await registerAndWait(fatou);
    expect(view.id).toBe(customer.id);
    expect(view.displayName).toBe('Fatou Sow');
    expect(view.loanConnection).toEqual({ totalCount: 0, edges: [] });
    expect(view.tasks.edges.map((e) => e.node)).toEqual([expect.objectContaining({ type: 'WELCOME', assigneeId: 'officer-42' })]);
    expect(view.loyalty).toEqual({ pointsBalance: 100, tier: 'BRONZE', ledger: { edges: [{ node: { kind: 'EARN', points: 100 } }] } });
    expect(view.interactions.edges).toEqual([]);
  }, 60_000);

  it('logs an interaction that the customer view shows', async () => {
    const { customer } = await registerAndWait({ ...fatou, individual: { firstName: 'Moussa', lastName: 'Ba' } });
    const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { field code } } }`;
    const logged = await stack.query<{ logInteraction: { interaction: { id: string } | null; userErrors: unknown[] } }>(LOG, {
      input: { customerId: customer.id, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'WELCOME', summary: 'Welcome call, explained repayment channels' },
    });
    expect(logged.data?.logInteraction.userErrors).toEqual([]);
    const view = await stack.query<Customer360>(CUSTOMER_360, { id: customer.id });
    expect(view.data?.customer?.interactions.edges.map((e) => e.node)).toEqual([
      {
        id: logged.data?.logInteraction.interaction?.id,
        purpose: 'WELCOME',
        summary: 'Welcome call, explained repayment channels',
        staffId: staff.officer.userId,
      },
    ]);
    const unknown = await stack.query<{ logInteraction: { userErrors: { field: string; code: string }[] } }>(LOG, {
      input: { customerId: 'no-such-customer', channel: 'PHONE', direction: 'OUTBOUND', purpose: 'CARE', summary: 'x' },
    });
    expect(unknown.data?.logInteraction.userErrors).toEqual([{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND' }]);
  }, 60_000);

  it('gives a redelivered CustomerRegistered no second effect', async () => {
    const { customer, view } = await registerAndWait({ ...fatou, individual: { firstName: 'Awa', lastName: 'Ndiaye', birthDate: '1992-01-30' } });
    const eventId = view.tasks.edges[0]?.node.sourceEventId ?? '';
    const redelivered = createEvent('CustomerRegistered', {
      id: eventId,
      subject: customer.id,
      data: {
        customerId: customer.id,
        kind: 'INDIVIDUAL',
        displayName: 'Awa Ndiaye',
        status: 'PROSPECT',
        branchId: fatou.branchId,
        relationshipManagerId: fatou.relationshipManagerId,
        birthDate: '1992-01-30',
        registeredAt: customer.registeredAt,
      },
    });
    const message = { topic: 'crm.customers.v1', key: customer.id, value: JSON.stringify(redelivered) };
    await stack.services.engagement.consumer.handle(message);
    await stack.services.loyalty.consumer.handle(message);
    await stack.services.loyalty.consumer.handle(message);
    const after = await stack.query<Customer360>(CUSTOMER_360, { id: customer.id });
    expect(after.data?.customer?.tasks.edges).toHaveLength(1);
    expect(after.data?.customer?.loyalty?.pointsBalance).toBe(100);
    expect(after.data?.customer?.loyalty?.ledger.edges).toHaveLength(1);
  }, 60_000);

  it('refuses bad registrations with field and code, and writes nothing', async () => {
    const COUNT = `{ customers(filter: { branchId: "BR-BAD" }) { totalCount } }`;
    const count = async () => (await stack.query<{ customers: { totalCount: number } }>(COUNT)).data?.customers.totalCount;
    expect(await count()).toBe(0);

    const missingName = await stack.query<RegisterResult>(REGISTER, { input: { ...fatou, branchId: 'BR-BAD', individual: { lastName: 'Sow' } } });
    expect(missingName.data?.registerCustomer).toEqual({
      customer: null,
      userErrors: [expect.objectContaining({ field: 'individual.firstName', code: 'REQUIRED' })],
    });

    const badDate = await stack.query(REGISTER, { input: { ...fatou, branchId: 'BR-BAD', individual: { ...fatou.individual, birthDate: '1985-13-45' } } });
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badDate.errors?.[0]?.message).toContain('birthDate');

    const badEnum = await stack.query(REGISTER, { input: { ...fatou, branchId: 'BR-BAD', kind: 'COOPERATIVE' } });
    expect(badEnum.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badEnum.errors?.[0]?.message).toContain('kind');

    expect(await count()).toBe(0);
  }, 60_000);

  it('rejects a request without a valid token at the gateway', async () => {
    const res = await stack.query(`{ customers(first: 1) { totalCount } }`, {}, null);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
