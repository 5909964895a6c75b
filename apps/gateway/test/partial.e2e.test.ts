/**
 * One subgraph down: a Customer 360 keeps every field the other subgraphs own, with an error
 * naming each missing path and the service (SUBGRAPH_UNAVAILABLE), never a 5xx or a null customer.
 */
import { eventually } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const VIEW = `query($id: ID!) { customer(id: $id) {
  displayName
  loanConnection(first: 5) { edges { node { id } } }
  riskWarningConnection(first: 5) { edges { node { id } } }
  loyalty { pointsBalance }
  tasks(first: 5) { edges { node { type } } }
  interactions(first: 5) { edges { node { id } } }
} }`;

interface View {
  customer: {
    displayName: string;
    loanConnection: { edges: { node: { id: string } }[] } | null;
    loyalty: { pointsBalance: number } | null;
    tasks: { edges: unknown[] } | null;
  } | null;
}
interface ErrorOut {
  path?: (string | number)[];
  extensions?: { code?: string; serviceName?: string; retryable?: boolean };
}

describe(`partial answers when a subgraph is down on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let customerId = '';

  beforeAll(async () => {
    stack = await startTestStack();
    const reg = await stack.query<{ registerCustomer: { customer: { id: string } | null } }>(REGISTER, {
      input: { kind: 'INDIVIDUAL', branchId: 'BR-001', individual: { firstName: 'Fatou', lastName: 'Partial', birthDate: '1985-03-02' } },
    });
    customerId = reg.data?.registerCustomer.customer?.id ?? '';
    await eventually(async () => {
      const v = (await stack.query<View>(VIEW, { id: customerId })).data?.customer;
      return v?.loyalty && v.tasks?.edges.length ? v : undefined;
    }, 45_000);
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers everything but credit when credit is stopped, naming the missing paths', async () => {
    const credit = stack.services.credit;
    await credit.stop();
    credit.stop = async () => undefined;
    const res = await stack.query<View>(VIEW, { id: customerId });
    expect(res.data?.customer?.displayName).toBe('Fatou Partial');
    expect(res.data?.customer?.loyalty?.pointsBalance).toBeTypeOf('number');
    expect(res.data?.customer?.tasks?.edges.length).toBeGreaterThan(0);
    expect(res.data?.customer?.loanConnection).toBeNull();
    const errors = (res.errors ?? []) as ErrorOut[];
    expect(errors.map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.serviceName, e.extensions?.retryable]).sort()).toEqual([
      ['customer.loanConnection', 'SUBGRAPH_UNAVAILABLE', 'credit', true],
      ['customer.riskWarningConnection', 'SUBGRAPH_UNAVAILABLE', 'credit', true],
    ]);
    // The gateway stays ready (degraded) and says which subgraph is down, within its probe deadline.
    const started = Date.now();
    const ready = await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/readyz'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(report.status).toBe('degraded');
    expect(report.checks.credit?.status).toBe('down');
    expect(report.checks.customers?.status).toBe('up');
  });

  it('answers everything but engagement when engagement is stopped too', async () => {
    const engagement = stack.services.engagement;
    await engagement.stop();
    engagement.stop = async () => undefined;
    const res = await stack.query<View>(VIEW, { id: customerId });
    expect(res.data?.customer?.displayName).toBe('Fatou Partial');
    expect(res.data?.customer?.loyalty?.pointsBalance).toBeTypeOf('number');
    expect(res.data?.customer?.tasks).toBeNull();
    const errors = (res.errors ?? []) as ErrorOut[];
    expect(errors.every((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE')).toBe(true);
    expect(new Set(errors.map((e) => e.path?.join('.')))).toEqual(
      new Set(['customer.loanConnection', 'customer.riskWarningConnection', 'customer.tasks', 'customer.interactions']),
    );
  });
});
