import { startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given } from './given.ts';

describe('credit subgraph', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(creditService);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('lists each customer’s loans in one batch through _entities, with exact amounts', async () => {
    const g = given(svc);
    await g.storedLoan({
      id: 'loan-1',
      customerId: 'c-1',
      productCode: 'MICRO-12',
      principal: '1500000.55',
      currency: 'XOF',
      annualRate: '0.240000',
      termMonths: 12,
    });
    await g.storedLoan({
      id: 'loan-2',
      customerId: 'c-1',
      productCode: 'MICRO-12',
      status: 'CLOSED',
      principal: '250000.00',
      currency: 'XOF',
      annualRate: '0.180000',
      termMonths: 6,
    });
    const res = await svc.graphql<{ _entities: { loans: { id: string; principal: { amount: string; currency: string } }[] }[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { loans { id principal { amount currency } } } } }`,
      {
        reps: [
          { __typename: 'Customer', id: 'c-1' },
          { __typename: 'Customer', id: 'c-2' },
        ],
      },
    );
    expect(res.data?._entities).toEqual([
      {
        loans: [
          { id: 'loan-2', principal: { amount: '250000.00', currency: 'XOF' } },
          { id: 'loan-1', principal: { amount: '1500000.55', currency: 'XOF' } },
        ],
      },
      { loans: [] },
    ]);
  });

  it('answers loan(id) with null for an unknown loan and requires a caller', async () => {
    const unknown = await svc.graphql<{ loan: null }>(`{ loan(id: "nope") { id } }`);
    expect(unknown.data).toEqual({ loan: null });
    const anonymous = await svc.graphql(`{ loan(id: "loan-1") { id } }`, {}, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
