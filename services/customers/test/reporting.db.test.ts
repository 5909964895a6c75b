import type { Identity } from '@crm/service-kit';
import { eventually, staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB, Grade } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Issue 12 (BI reads) for customers: nested connections paged without gaps or repeats (ties on the
 * sort key included), the grade-change list, `changedSince` feeds (with concurrent writers on
 * PostgreSQL), and the KPIs on a small data set computed by hand.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

type Page<T> = { totalCount?: number; edges: { cursor: string; node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

const SNAPSHOT = /* GraphQL */ `
  mutation($input: RecordFinancialSnapshotInput!) { recordFinancialSnapshot(input: $input) { snapshot { id } userErrors { code } } }
`;
const CONSENT = /* GraphQL */ `
  mutation($input: SetCustomerConsentInput!) { setCustomerConsent(input: $input) { userErrors { code } } }
`;
const DOCUMENT = /* GraphQL */ `
  mutation($input: AddCustomerDocumentInput!) { addCustomerDocument(input: $input) { document { id } userErrors { code } } }
`;
const UPDATE = /* GraphQL */ `
  mutation($input: UpdateCustomerProfileInput!) { updateCustomerProfile(input: $input) { userErrors { code } } }
`;
const SELECTIONS = {
  financialSnapshots: 'id asOf',
  consentHistory: 'purpose granted changedAt',
  documents: 'id',
  valueScoreHistory: 'asOf total',
  history: 'field changedAt',
  managerHistoryConnection: 'managerId assignedAt',
} as const;
type NestedField = keyof typeof SELECTIONS;
/** Every nested connection of the customers tagged "paging"; `$after` goes to one field, the others start at the top. */
const nested = (pagedField: NestedField | null) => /* GraphQL */ `
  query($first: Int!${pagedField ? ', $after: String' : ''}) {
    customers(filter: { tag: "paging" }, first: 10) {
      edges { node { id
        ${(Object.keys(SELECTIONS) as NestedField[])
          .map(
            (f) =>
              `${f}(first: $first${f === pagedField ? ', after: $after' : ''}) { totalCount edges { cursor node { ${SELECTIONS[f]} } } pageInfo { hasNextPage endCursor } }`,
          )
          .join('\n        ')}
      } }
    }
  }
`;

describe('customers for BI tools', () => {
  let svc: TestService<DB>;
  const officer: Identity = { userId: 'officer-7', roles: ['loan_officer'], branchId: 'BR-001' };
  beforeAll(async () => {
    svc = await startTestService(customersService);
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function ok<T>(query: string, variables: Record<string, unknown>, as: Identity = staff.admin): Promise<T> {
    const res = await svc.graphql<T>(query, variables, as);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  }

  it('pages every nested connection of several customers at once, without gaps or repeats, ties on the sort key included', async () => {
    const make = given(svc);
    const ids = [await make.customer({ tags: ['paging'] }), await make.customer({ tags: ['paging'] })];
    for (const [n, id] of ids.entries()) {
      // 5 snapshots, three of them on the same as-of date (ties broken by id)
      for (const asOf of ['2026-01-31', '2026-03-31', '2026-03-31', '2026-03-31', '2026-02-28'])
        await ok(SNAPSHOT, { input: { customerId: id, asOf, currency: 'XAF', monthlyIncome: String(100000 + n) } }, officer);
      for (const granted of [true, false, true, false, true])
        await ok(CONSENT, { input: { customerId: id, purpose: 'MARKETING_CONTACT', granted, channel: 'SMS' } }, officer);
      for (let d = 0; d < 5; d++)
        await ok(DOCUMENT, { input: { customerId: id, category: 'BASIC', documentType: 'IDENTITY', title: `doc ${d}`, storageRef: `s3://d/${d}` } }, officer);
      await svc.db
        .insertInto('customer_value_score')
        .values(
          ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05'].map((asOf, i) => ({
            customer_id: id,
            as_of: asOf,
            total: `${40 + i}.00`,
            components: '[]',
          })),
        )
        .execute();
      // 5 profile changes: one update of three fields (three rows of the same instant, ties broken by id), then two of one
      await ok(UPDATE, { input: { customerId: id, individual: { occupation: 'Baker', employer: 'Bakery' }, tags: ['paging', 'x'] } }, officer);
      for (const occupation of ['Tailor', 'Farmer']) await ok(UPDATE, { input: { customerId: id, individual: { occupation } } }, officer);
      // 5 manager assignments (the registration's, now, and four earlier ones), three of them at the same instant
      const at = new Date('2020-05-01T10:00:00.123Z');
      await svc.db
        .insertInto('manager_assignment')
        .values(
          [at, at, at, new Date('2020-05-02T00:00:00Z')].map((assignedAt, i) => ({
            id: `ma-${n}-${i}`,
            customer_id: id,
            manager_id: `officer-${i}`,
            previous_manager_id: null,
            reason: null,
            assigned_by: 'bm-1',
            assigned_at: assignedAt,
          })),
        )
        .execute();
    }
    type Node = {
      id: string;
      financialSnapshots: Page<{ id: string; asOf: string }>;
      consentHistory: Page<{ changedAt: string }>;
      documents: Page<{ id: string }>;
      valueScoreHistory: Page<{ asOf: string }>;
      history: Page<{ field: string; changedAt: string }>;
      managerHistoryConnection: Page<{ managerId: string; assignedAt: string }>;
    };
    const fields = ['financialSnapshots', 'consentHistory', 'documents', 'valueScoreHistory', 'history', 'managerHistoryConnection'] as const;
    // Page 2 rows at a time; every field of every customer goes through the same cursors.
    for (const field of fields) {
      for (const id of ids) {
        const seen: string[] = [];
        let after: string | null = null;
        for (let guard = 0; guard < 10; guard++) {
          const data: { customers: { edges: { node: Node }[] } } = await ok(nested(field), { first: 2, after });
          const node = data.customers.edges.find((e) => e.node.id === id)?.node;
          if (!node) throw new Error('customer missing');
          const page = node[field];
          expect(page.totalCount).toBe(5);
          seen.push(...page.edges.map((e) => e.cursor));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(seen, field).toHaveLength(5);
        expect(new Set(seen).size, field).toBe(5);
      }
    }
    // the order: snapshots newest as-of date first, the three ties together; scores newest first
    const all = await ok<{ customers: { edges: { node: Node }[] } }>(nested(null), { first: 10 });
    const node = all.customers.edges.find((e) => e.node.id === ids[0])?.node;
    expect(node?.financialSnapshots.edges.map((e) => e.node.asOf)).toEqual(['2026-03-31', '2026-03-31', '2026-03-31', '2026-02-28', '2026-01-31']);
    expect(node?.valueScoreHistory.edges.map((e) => e.node.asOf)).toEqual(['2026-06-05', '2026-06-04', '2026-06-03', '2026-06-02', '2026-06-01']);
    expect(node?.documents.pageInfo.hasNextPage).toBe(false);
    // changes and assignments newest first; the ties (same instant) next to each other, by id descending
    expect(node?.history.edges.map((e) => e.node.field).slice(0, 2)).toEqual(['individual.occupation', 'individual.occupation']);
    expect(new Set(node?.history.edges.slice(2).map((e) => e.node.changedAt)).size).toBe(1);
    expect(node?.managerHistoryConnection.edges.map((e) => e.node.managerId)).toEqual(['officer-7', 'officer-3', 'officer-2', 'officer-1', 'officer-0']);
  });

  it('lists segments a page at a time by name, and counts them only when asked', async () => {
    const CREATE = `mutation($input: CreateCustomerSegmentInput!) { createCustomerSegment(input: $input) { userErrors { code } } }`;
    for (const name of ['paging seg C', 'paging seg A', 'paging seg B'])
      await ok(CREATE, { input: { name, rule: { attribute: 'tags', op: 'contains', value: 'paging' } } });
    type Segments = { customerSegments: Page<{ name: string }> };
    const names: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const data: Segments = await ok(
        `query($after: String) { customerSegments(first: 2, after: $after) { totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`,
        { after },
        officer,
      );
      expect(data.customerSegments.totalCount).toBe(3);
      names.push(...data.customerSegments.edges.map((e) => e.node.name));
      if (!data.customerSegments.pageInfo.hasNextPage) break;
      after = data.customerSegments.pageInfo.endCursor;
    }
    expect(names).toEqual(['paging seg A', 'paging seg B', 'paging seg C']);
    const bad = await svc.graphql(`{ customerSegments(first: 2, after: "not-a-cursor") { edges { cursor } } }`, {}, officer);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lists grade changes with filters and keyset paging (ties on the effective date), and counts them', async () => {
    const make = given(svc);
    const id = await make.customer({ tags: ['grades'] });
    const other = await make.customer({ tags: ['grades'] });
    await insertGradeChanges([
      [id, null, 'STANDARD', '2026-07-01'],
      [other, null, 'BASIC', '2026-07-01'],
      [id, 'STANDARD', 'PREMIUM', '2026-08-01'],
      [other, 'BASIC', 'STANDARD', '2026-08-01'],
    ]);
    const Q = /* GraphQL */ `
      query($filter: CustomerGradeChangeFilter, $after: String) {
        customerGradeChanges(filter: $filter, first: 1, after: $after) {
          totalCount edges { cursor node { customer { id } fromGrade toGrade effectiveOn branchId relationshipManagerId } } pageInfo { hasNextPage endCursor }
        }
      }
    `;
    type R = { customerGradeChanges: Page<{ customer: { id: string }; fromGrade: string | null; toGrade: string; effectiveOn: string }> };
    const rows: R['customerGradeChanges']['edges'] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const data: R = await ok(Q, { filter: { effectiveFrom: '2026-07-01', effectiveTo: '2026-08-31' }, after });
      expect(data.customerGradeChanges.totalCount).toBe(4);
      rows.push(...data.customerGradeChanges.edges);
      if (!data.customerGradeChanges.pageInfo.hasNextPage) break;
      after = data.customerGradeChanges.pageInfo.endCursor;
    }
    expect(rows.map((r) => r.node.effectiveOn)).toEqual(['2026-07-01', '2026-07-01', '2026-08-01', '2026-08-01']);
    expect(new Set(rows.map((r) => r.cursor)).size).toBe(4);
    const upgrades = await ok<R>(Q, { filter: { customerId: id, fromGrade: ['STANDARD'], toGrade: ['PREMIUM'] } });
    expect(upgrades.customerGradeChanges.edges.map((e) => [e.node.customer.id, e.node.fromGrade, e.node.toGrade])).toEqual([[id, 'STANDARD', 'PREMIUM']]);
  });

  it('reads customers and grade changes incrementally with changedSince: everything once, then only what changed', async () => {
    const bm: Identity = { userId: 'bm-feed', roles: ['branch_manager'], branchId: 'BR-FEED' };
    const make = given(svc);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await make.customer({ branchId: 'BR-FEED' }));
    const FEED = /* GraphQL */ `
      query($since: String!, $after: String) {
        customers(filter: { branchId: "BR-FEED" }, first: 2, changedSince: $since, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
      }
    `;
    type R = { customers: Page<{ id: string }> };
    async function crawl(since: string): Promise<{ seen: string[]; next: string }> {
      const seen: string[] = [];
      let cursor = since;
      for (let guard = 0; guard < 100; guard++) {
        const data: R = await ok(FEED, { since: cursor }, bm);
        seen.push(...data.customers.edges.map((e) => e.node.id));
        cursor = data.customers.pageInfo.endCursor ?? cursor;
        if (!data.customers.pageInfo.hasNextPage) return { seen, next: cursor };
      }
      throw new Error('feed did not end');
    }
    const first = await crawl('*');
    expect(first.seen.sort()).toEqual([...ids].sort());
    // nothing new: the same cursor comes back
    expect(await crawl(first.next)).toEqual({ seen: [], next: first.next });
    // an update moves the customer to the end of the feed, once
    await ok(UPDATE, { input: { customerId: ids[2], tags: ['moved'] } }, bm);
    const second = await crawl(first.next);
    expect(second.seen).toEqual([ids[2]]);

    const bad = await svc.graphql(FEED, { since: 'not-a-cursor' }, bm);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const both = await svc.graphql(FEED, { since: '*', after: 'x' }, bm);
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });

    // grade changes have their own feed
    const GRADES = `query($since: String!) { customerGradeChanges(first: 100, changedSince: $since, filter: { branchId: "BR-FEED" }) { edges { node { toGrade } } pageInfo { endCursor } } }`;
    const g0 = await ok<{ customerGradeChanges: Page<{ toGrade: string }> }>(GRADES, { since: '*' });
    expect(g0.customerGradeChanges.edges).toEqual([]);
    await insertGradeChanges([[ids[0] ?? '', null, 'VIP', '2026-07-02', 'BR-FEED']]);
    // the feed's horizon is server-wide: another suite's open transaction can hold a new row back a moment
    const g1 = await eventually(async () => {
      const page = await ok<{ customerGradeChanges: Page<{ toGrade: string }> }>(GRADES, { since: g0.customerGradeChanges.pageInfo.endCursor });
      return page.customerGradeChanges.edges.length ? page : undefined;
    }, 30_000);
    expect(g1.customerGradeChanges.edges.map((e) => e.node.toGrade)).toEqual(['VIP']);
  });

  it.runIf(onPostgres)(
    'misses no customer while writers register and update customers during the crawl (GraphQL, PostgreSQL)',
    async () => {
      const bm: Identity = { userId: 'bm-sync', roles: ['branch_manager'], branchId: 'BR-SYNC' };
      const make = given(svc);
      const existing: string[] = [];
      for (let i = 0; i < 10; i++) existing.push(await make.customer({ branchId: 'BR-SYNC' }));
      const FEED = `query($since: String!) { customers(filter: { branchId: "BR-SYNC" }, first: 7, changedSince: $since) { edges { node { id } } pageInfo { endCursor } } }`;
      type R = { customers: Page<{ id: string }> };
      const pull = async (since: string) => (await ok<R>(FEED, { since }, bm)).customers;
      let cursor = '*';
      for (;;) {
        const page = await pull(cursor);
        cursor = page.pageInfo.endCursor ?? cursor;
        if (!page.edges.length) break;
      }
      const created: string[] = [];
      let done = false;
      const writers = Promise.all([
        ...Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 10; i++) created.push(await make.customer({ branchId: 'BR-SYNC' }));
        }),
        (async () => {
          for (const id of existing) await ok(UPDATE, { input: { customerId: id, tags: ['synced'] } }, bm);
        })(),
      ]).then(() => {
        done = true;
      });
      const seen: string[] = [];
      while (!done) {
        const page = await pull(cursor);
        seen.push(...page.edges.map((e) => e.node.id));
        cursor = page.pageInfo.endCursor ?? cursor;
      }
      await writers;
      for (;;) {
        const page = await pull(cursor);
        seen.push(...page.edges.map((e) => e.node.id));
        cursor = page.pageInfo.endCursor ?? cursor;
        if (!page.edges.length) break;
      }
      expect(created).toHaveLength(40);
      expect(seen.length).toBe(50);
      expect(new Set(seen)).toEqual(new Set([...created, ...existing]));
    },
    240_000,
  );

  async function insertGradeChanges(rows: [string, Grade | null, Grade, string, string?, string?][]) {
    await svc.db
      .insertInto('customer_grade_change')
      .values(
        rows.map(([customerId, from, to, on, branch, officer], i) => ({
          id: `gc-${customerId}-${on}-${i}`,
          customer_id: customerId,
          from_grade: from,
          to_grade: to,
          score: '50.00',
          effective_on: on,
          branch_id: branch ?? 'BR-001',
          relationship_manager_id: officer ?? 'officer-7',
        })),
      )
      .execute();
  }

  describe('KPIs on a known data set', () => {
    const KPI = /* GraphQL */ `
      query($metric: CustomersKpiMetric!, $groupBy: [KpiDimension!], $from: Date!, $to: Date!) {
        customersKpi(metric: $metric, groupBy: $groupBy, from: $from, to: $to) { metric group { dimension value } value numerator denominator }
      }
    `;
    type Row = { group: { dimension: string; value: string | null }[]; value: string | null; numerator: string | null; denominator: string | null };
    const kpi = async (variables: Record<string, unknown>, as: Identity = staff.analyst) =>
      (await ok<{ customersKpi: Row[] }>(KPI, variables, as)).customersKpi.map((r) => [...r.group.map((g) => g.value), r.numerator, r.denominator, r.value]);
    let d = '';
    let segmentId = '';

    beforeAll(async () => {
      const make = given(svc);
      const a = await make.customer({ branchId: 'KPI-1', relationshipManagerId: 'officer-k1' });
      const b = await make.customer({ branchId: 'KPI-1', relationshipManagerId: 'officer-k1' });
      const c = await make.customer({ branchId: 'KPI-1', relationshipManagerId: 'officer-k1' });
      d = await make.customer({ branchId: 'KPI-2', relationshipManagerId: 'officer-k2' });
      // A: STANDARD -> PREMIUM in February; B stays STANDARD; C: PREMIUM -> STANDARD; D first graded BASIC in February
      await insertGradeChanges([
        [a, null, 'STANDARD', '2026-01-05', 'KPI-1', 'officer-k1'],
        [b, null, 'STANDARD', '2026-01-05', 'KPI-1', 'officer-k1'],
        [c, null, 'PREMIUM', '2026-01-05', 'KPI-1', 'officer-k1'],
        [a, 'STANDARD', 'PREMIUM', '2026-02-10', 'KPI-1', 'officer-k1'],
        [d, null, 'BASIC', '2026-02-15', 'KPI-2', 'officer-k2'],
        [c, 'PREMIUM', 'STANDARD', '2026-02-20', 'KPI-1', 'officer-k1'],
      ]);
      const scores: [string, string, string][] = [
        [a, '2026-01-15', '48.00'],
        [a, '2026-01-31', '50.00'], // January: +2.00
        [a, '2026-02-10', '55.00'], // +5.00
        [a, '2026-02-20', '58.50'], // +3.50
        [b, '2026-02-10', '40.00'], // no earlier score: no change
        [c, '2026-01-31', '70.00'],
        [c, '2026-02-20', '61.00'], // -9.00
        [d, '2026-01-31', '30.00'],
        [d, '2026-02-15', '32.00'], // +2.00
        [d, '2026-03-05', '35.00'], // after the period
      ];
      await svc.db
        .insertInto('customer_value_score')
        .values(scores.map(([customer_id, as_of, total]) => ({ customer_id, as_of, total, components: '[]' })))
        .execute();
      const seg = await ok<{ createCustomerSegment: { segment: { id: string } } }>(
        `mutation($input: CreateCustomerSegmentInput!) { createCustomerSegment(input: $input) { segment { id } userErrors { code } } }`,
        { input: { name: 'KPI branch two', rule: { attribute: 'branchId', op: 'eq', value: 'KPI-2' } } },
      );
      segmentId = seg.createCustomerSegment.segment.id;
    }, 120_000);

    it('GRADE_MIGRATION: the matrix of grades held before `from` and on `to`, with the share of each row', async () => {
      const period = { metric: 'GRADE_MIGRATION', from: '2026-02-01', to: '2026-02-28' };
      // only the KPI branches: other tests' grade changes are dated after February or in other branches
      const rows = (await kpi({ ...period, groupBy: ['BRANCH', 'FROM_GRADE', 'TO_GRADE'] })).filter((r) => String(r[0]).startsWith('KPI-'));
      expect(rows).toEqual([
        ['KPI-1', 'PREMIUM', 'STANDARD', '1', '1', '1'], // C
        ['KPI-1', 'STANDARD', 'PREMIUM', '1', '2', '0.5'], // A (of A and B)
        ['KPI-1', 'STANDARD', 'STANDARD', '1', '2', '0.5'], // B
        ['KPI-2', null, 'BASIC', '1', '1', '1'], // D, first graded
      ]);
      const byOfficer = (await kpi({ ...period, groupBy: ['OFFICER', 'TO_GRADE'] })).filter((r) => String(r[0]).startsWith('officer-k'));
      expect(byOfficer).toEqual([
        ['officer-k1', 'PREMIUM', '1', '3', '0.3333'],
        ['officer-k1', 'STANDARD', '2', '3', '0.6667'],
        ['officer-k2', 'BASIC', '1', '1', '1'],
      ]);
      // a branch manager sees their branch only
      const manager: Identity = { userId: 'bm-k2', roles: ['branch_manager'], branchId: 'KPI-2' };
      expect(await kpi({ ...period, groupBy: ['FROM_GRADE', 'TO_GRADE'] }, manager)).toEqual([[null, 'BASIC', '1', '1', '1']]);
      expect(await kpi({ ...period, groupBy: ['SEGMENT', 'TO_GRADE'] })).toEqual([[segmentId, 'BASIC', '1', '1', '1']]);
    });

    it('VALUE_UPLIFT: the mean change of the value score per customer, by branch, month and segment', async () => {
      const feb = { metric: 'VALUE_UPLIFT', from: '2026-02-01', to: '2026-02-28' };
      // A +8.50, C -9.00, D +2.00 (B has no earlier score): 1.50 over 3 customers
      const byBranch = (await kpi({ ...feb, groupBy: ['BRANCH'] })).filter((r) => String(r[0]).startsWith('KPI-'));
      expect(byBranch).toEqual([
        ['KPI-1', '-0.5', '2', '-0.25'],
        ['KPI-2', '2', '1', '2'],
      ]);
      const manager: Identity = { userId: 'bm-k1', roles: ['branch_manager'], branchId: 'KPI-1' };
      expect(await kpi({ ...feb, groupBy: [] }, manager)).toEqual([['-0.5', '2', '-0.25']]);
      const byMonth = (await kpi({ ...feb, from: '2026-01-01', groupBy: ['BRANCH', 'MONTH'] })).filter((r) => String(r[0]).startsWith('KPI-'));
      expect(byMonth).toEqual([
        ['KPI-1', '2026-01', '2', '1', '2'],
        ['KPI-1', '2026-02', '-0.5', '2', '-0.25'],
        ['KPI-2', '2026-02', '2', '1', '2'],
      ]);
      expect(await kpi({ ...feb, groupBy: ['SEGMENT'] })).toEqual([[segmentId, '2', '1', '2']]);
      expect(d).not.toBe('');
    });

    it('refuses a dimension the metric does not support, and a reversed period, as bad input', async () => {
      const res = await svc.graphql(KPI, { metric: 'VALUE_UPLIFT', groupBy: ['TO_GRADE'], from: '2026-02-01', to: '2026-02-28' }, staff.analyst);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      const reversed = await svc.graphql(KPI, { metric: 'GRADE_MIGRATION', from: '2026-03-01', to: '2026-02-28' }, staff.analyst);
      expect(reversed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      const officerCall = await svc.graphql(KPI, { metric: 'GRADE_MIGRATION', from: '2026-02-01', to: '2026-02-28' }, staff.officer);
      expect(officerCall.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });
});
