import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager } from './given.ts';

/**
 * Issue 12: `Collateral.valuations` is the valuation history as a connection: oldest first (valuation
 * date, then recorded at, then id), keyset cursors, `totalCount` counted only when selected, and one
 * statement per field per request whatever the number of collateral items. The history is written by
 * addCollateral (the first valuation) and revalueCollateral (roles, branch scope, audit, event).
 */

const ADD = `mutation($i: AddCollateralInput!) { addCollateral(input: $i) { collateral { id } userErrors { field code } } }`;
const REVALUE = `mutation($i: RevalueCollateralInput!) { revalueCollateral(input: $i) {
  collateral { id currentValue { amount currency } valuedOn } userErrors { field code } } }`;
const VALUATIONS = `query($id: ID!, $first: Int, $after: String) { loan(id: $id) { collateral { edges { node {
  currentValue { amount } valuedOn
  valuations(first: $first, after: $after) { totalCount edges { cursor node { id value { amount currency } valuedOn recordedBy } } pageInfo { hasNextPage endCursor } }
} } } } }`;
const TRAIL = `query($f: AuditFilter) { creditAuditTrail(filter: $f, first: 50) { edges { node { actorId action outcome entityId changes { field before after } } } } }`;

const otherBranch: Identity = { userId: 'officer-9', roles: ['loan_officer'], branchId: 'BR-009' };

interface Valuations {
  loan: {
    collateral: {
      edges: {
        node: {
          currentValue: { amount: string };
          valuedOn: string;
          valuations: {
            totalCount: number;
            edges: { cursor: string; node: { id: string; value: { amount: string; currency: string }; valuedOn: string; recordedBy: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        };
      }[];
    };
  } | null;
}

describe('Collateral.valuations: the valuation history as a connection', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  let loanId = '';
  let collateralId = '';

  const gql = async <T>(query: string, variables: Record<string, unknown>, as: Identity = manager): Promise<T> => {
    const res = await svc.graphql<T>(query, variables, as);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  };
  const revalue = (value: string, valuedOn: string, as: Identity = manager) =>
    svc.graphql<{ revalueCollateral: { collateral: { currentValue: { amount: string }; valuedOn: string } | null; userErrors: unknown[] } }>(
      REVALUE,
      { i: { collateralId, value, valuedOn } },
      as,
    );
  const page = async (first: number, after?: string | null) => {
    const data = await gql<Valuations>(VALUATIONS, { id: loanId, first, after }, staff.admin);
    const item = data.loan?.collateral.edges[0]?.node;
    if (!item) throw new Error('no collateral');
    return item;
  };

  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_valuations' });
    g = given(svc);
    await g.customer('c-val');
    await g.product({ code: 'VAL-M' });
    // the story's business date (approval and disbursement on it), not the wall clock's
    const set = await gql<{ setBusinessDate: { userErrors: unknown[] } }>(
      `mutation { setBusinessDate(input: { date: "2024-01-05" }) { userErrors { field code } } }`,
      {},
      staff.admin,
    );
    expect(set.setBusinessDate.userErrors).toEqual([]);
    loanId = await g.activeLoan('c-val', 'VAL-M', {}, '2024-01-05');
    // later valuations are dated up to the business date
    await gql(`mutation { setBusinessDate(input: { date: "2024-06-30" }) { userErrors { field code } } }`, {}, staff.admin);
    const added = await gql<{ addCollateral: { collateral: { id: string } | null; userErrors: unknown[] } }>(ADD, {
      i: { loanId, type: 'VEHICLE', description: 'Delivery van', value: '1000.00', valuedOn: '2024-01-05' },
    });
    expect(added.addCollateral.userErrors).toEqual([]);
    collateralId = added.addCollateral.collateral?.id ?? '';
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  it('keeps every revaluation, pages oldest first with keyset cursors, and counts on demand', async () => {
    // 1 Mar, then a back-dated one of 1 Feb, then a second on 1 Mar (recorded later): history order, not entry order.
    const revaluations: [string, string][] = [
      ['1200.00', '2024-03-01'],
      ['1100.00', '2024-02-01'],
      ['1250.50', '2024-03-01'],
    ];
    for (const [value, on] of revaluations) {
      const res = await revalue(value, on);
      expect(res.errors).toBeUndefined();
      expect(res.data?.revalueCollateral.userErrors).toEqual([]);
    }
    const first = await page(2);
    expect(first.currentValue.amount).toBe('1250.50');
    expect(first.valuedOn).toBe('2024-03-01');
    expect(first.valuations.totalCount).toBe(4);
    expect(first.valuations.edges.map((e) => [e.node.valuedOn, e.node.value])).toEqual([
      ['2024-01-05', { amount: '1000.00', currency: 'USD' }],
      ['2024-02-01', { amount: '1100.00', currency: 'USD' }],
    ]);
    expect(first.valuations.pageInfo).toEqual({ hasNextPage: true, endCursor: first.valuations.edges[1]?.cursor });
    const second = await page(2, first.valuations.pageInfo.endCursor);
    expect(second.valuations.edges.map((e) => [e.node.valuedOn, e.node.value.amount, e.node.recordedBy])).toEqual([
      ['2024-03-01', '1200.00', manager.userId],
      ['2024-03-01', '1250.50', manager.userId],
    ]);
    expect(second.valuations.pageInfo.hasNextPage).toBe(false);
    // every valuation once across the pages
    const ids = [...first.valuations.edges, ...second.valuations.edges].map((e) => e.node.id);
    expect(new Set(ids).size).toBe(4);
    // a malformed cursor is bad input, not a server error
    const bad = await svc.graphql(VALUATIONS, { id: loanId, first: 2, after: 'not-a-cursor' }, staff.admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a revaluation to other roles and other branches, and a bad value or date, writing nothing', async () => {
    const before = (await page(50)).valuations.totalCount;
    const denied = await revalue('1.00', '2024-03-02', staff.analyst);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const outside = await revalue('1.00', '2024-03-02', otherBranch);
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const zero = await revalue('0', '2024-03-02');
    expect(zero.data?.revalueCollateral).toEqual({ collateral: null, userErrors: [{ field: 'value', code: 'NOT_POSITIVE' }] });
    const tooFine = await revalue('10.005', '2024-03-02');
    expect(tooFine.data?.revalueCollateral.userErrors).toEqual([{ field: 'value', code: 'TOO_MANY_DECIMALS' }]);
    const future = await revalue('10.00', '2024-07-01');
    expect(future.data?.revalueCollateral.userErrors).toEqual([{ field: 'valuedOn', code: 'DATE_IN_FUTURE' }]);
    expect((await page(50)).valuations.totalCount).toBe(before);
  });

  it('audits each revaluation (before and after) and publishes CollateralRevalued with the previous value', async () => {
    const trail = await gql<{
      creditAuditTrail: {
        edges: {
          node: {
            actorId: string;
            action: string;
            outcome: string;
            entityId: string;
            changes: { field: string; before: string | null; after: string | null }[];
          };
        }[];
      };
    }>(TRAIL, { f: { action: 'revalueCollateral' } }, staff.admin);
    const done = trail.creditAuditTrail.edges.map((e) => e.node).filter((n) => n.outcome === 'SUCCEEDED');
    expect(done).toHaveLength(3);
    // the refused ones are on the trail too (roles are refused before a command runs)
    expect(trail.creditAuditTrail.edges.map((e) => e.node.outcome)).toEqual(expect.arrayContaining(['FORBIDDEN', 'REJECTED']));
    expect(done.every((n) => n.entityId === collateralId && n.actorId === manager.userId)).toBe(true);
    expect(done.map((n) => n.changes.find((c) => c.field === 'value'))).toEqual(
      expect.arrayContaining([
        { field: 'value', before: '"1000.00"', after: '"1200.00"' },
        { field: 'value', before: '"1200.00"', after: '"1100.00"' },
        { field: 'value', before: '"1200.00"', after: '"1250.50"' },
      ]),
    );
    const rows = await svc.db
      .selectFrom('event_outbox')
      .select(['type', 'event'])
      .where('type', '=', 'crm.credit.CollateralRevalued.v1')
      .orderBy('seq')
      .execute();
    const data = rows.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data);
    expect(data.map((d) => [d.previousValue, d.value, d.valuedOn, d.currency])).toEqual([
      ['1000.00', '1200.00', '2024-03-01', 'USD'],
      ['1200.00', '1100.00', '2024-02-01', 'USD'],
      ['1200.00', '1250.50', '2024-03-01', 'USD'],
    ]);
  });

  describe('statements', () => {
    /** Loans of product VAL-ST with `n` collateral items, each with three valuations, written straight to the tables. */
    const seed = async (prefix: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const loan = await g.storedLoan({ id: `${prefix}-loan-${i}`, customerId: 'c-val', productCode: `${prefix}-P`, disbursedOn: '2024-01-01' });
        await svc.db
          .insertInto('collateral')
          .values({ id: `${prefix}-col-${i}`, loan_id: loan.id, type: 'LAND', description: 'plot', idempotency_key: null })
          .execute();
        for (const [k, on] of ['2024-01-01', '2024-02-01', '2024-03-01'].entries())
          await svc.db
            .insertInto('collateral_valuation')
            .values({
              id: `${prefix}-val-${i}-${k}`,
              collateral_id: `${prefix}-col-${i}`,
              value: `${100 + k}.00`,
              valued_on: on,
              recorded_by: 't',
              recorded_at: new Date(),
            })
            .execute();
      }
    };
    const query = (withCount: boolean) => `query($p: String!) { loans(first: 100, filter: { productCode: $p }) { edges { node { id collateral { edges { node {
      id valuations(first: 2) { ${withCount ? 'totalCount' : ''} edges { node { valuedOn value { amount } } } pageInfo { hasNextPage } }
    } } } } } } }`;
    const run = async (productCode: string, withCount: boolean) => {
      const res = await svc.graphql<{
        loans: { edges: { node: { collateral: { edges: { node: { valuations: { totalCount?: number; edges: unknown[] } } }[] } } }[] };
      }>(query(withCount), { p: productCode }, staff.admin);
      expect(res.errors).toBeUndefined();
      const tally = res.extensions?.sqlStatements;
      if (!tally) throw new Error('no statement count in the response');
      const items = res.data?.loans.edges.flatMap((e) => e.node.collateral.edges.map((c) => c.node.valuations)) ?? [];
      return { tally, items };
    };

    it('one statement per field per request, whatever the number of collateral items; the count only when selected', async () => {
      await seed('ST5', 5);
      await seed('ST50', 50);
      await run('ST5-P', true);
      const small = await run('ST5-P', true);
      const large = await run('ST50-P', true);
      expect(large.items).toHaveLength(50);
      expect(large.items.every((v) => v.edges.length === 2 && v.totalCount === 3)).toBe(true);
      expect(large.tally).toEqual(small.tally);
      const uncounted = await run('ST50-P', false);
      expect(uncounted.items.every((v) => v.totalCount === undefined && v.edges.length === 2)).toBe(true);
      // the same request without totalCount: exactly the one grouped count fewer
      expect(uncounted.tally.statements).toBe(large.tally.statements - 1);
    }, 180_000);
  });
});
