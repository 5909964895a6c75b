import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager } from './given.ts';

/**
 * Issue 12 (BI reads) for credit: nested connections paged without gaps or repeats (ties on the
 * sort key included), the top-level lists and their `changedSince` feeds (concurrent writers on
 * PostgreSQL), the portfolio as of a past date, roll rates, vintages and the KPIs on small books
 * computed by hand.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

type Page<T> = { totalCount?: number; edges: { cursor: string; node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

const LOAN_FIELDS = {
  repayments: 'id paidOn',
  riskClassHistory: 'asOf',
  riskWarnings: 'id raisedAt',
  collateral: 'id',
  guarantors: 'id',
  reviews: 'id reviewedOn',
  restructurings: 'id',
  delinquencyHistory: 'asOf daysPastDue bucket riskClass outstandingPrincipal overdueAmount penalty',
} as const;
type LoanField = keyof typeof LOAN_FIELDS;
const args = (f: LoanField, paged: boolean) => `first: $first${paged ? ', after: $after' : ''}${f === 'riskWarnings' ? ', openOnly: false' : ''}`;
/** Every nested connection of the loans of product PG-1; `$after` goes to one field. */
const nested = (pagedField: LoanField | null) => /* GraphQL */ `
  query($first: Int!${pagedField ? ', $after: String' : ''}) {
    loans(filter: { productCode: "PG-1" }, first: 10) {
      edges { node { id
        ${(Object.keys(LOAN_FIELDS) as LoanField[])
          .map((f) => `${f}(${args(f, f === pagedField)}) { totalCount edges { cursor node { ${LOAN_FIELDS[f]} } } pageInfo { hasNextPage endCursor } }`)
          .join('\n        ')}
      } }
    }
  }
`;

describe('credit for BI tools', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_reporting' });
    g = given(svc);
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

  /** Pages through a connection read by `read(after)`, 2 at a time; every cursor once. */
  async function crawl<T>(read: (after: string | null) => Promise<Page<T>>, expected: number): Promise<T[]> {
    const nodes: T[] = [];
    const cursors: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: Page<T> = await read(after);
      expect(page.totalCount).toBe(expected);
      nodes.push(...page.edges.map((e) => e.node));
      cursors.push(...page.edges.map((e) => e.cursor));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(cursors).toHaveLength(expected);
    expect(new Set(cursors).size).toBe(expected);
    return nodes;
  }

  /** Five rows of every record hanging off a loan, with ties on each sort key. */
  async function fiveOfEverything(loanId: string) {
    const at = new Date('2026-02-01T10:00:00.123Z');
    for (let i = 0; i < 5; i++) {
      const id = uuidv7();
      // three share a value date / a timestamp / a review date: ties broken by id
      const day = i < 3 ? '2026-02-01' : `2026-02-0${i}`;
      await svc.db
        .insertInto('repayment')
        .values({
          id,
          loan_id: loanId,
          amount: '10.00',
          currency: 'USD',
          paid_on: day,
          channel: 'CASH',
          external_reference: `pg-${id}`,
          penalty_paid: '0',
          interest_paid: '0',
          principal_paid: '0',
          prepaid_principal: '0',
          recorded_by: 'test',
        })
        .execute();
      await svc.db
        .insertInto('risk_class_change')
        .values({ id, loan_id: loanId, as_of: day, previous_class: 'NORMAL', risk_class: 'SPECIAL_MENTION', reason: 'test', override: false, changed_at: at })
        .execute();
      await svc.db
        .insertInto('risk_warning')
        .values({
          id,
          loan_id: loanId,
          customer_id: 'pg-c',
          rule_code: `R-${i}`,
          severity: 'LOW',
          indicators: '{}',
          status: 'OPEN',
          officer_id: null,
          raised_at: at,
          response_due_at: at,
          acknowledged_at: null,
          action_taken_at: null,
          resolved_at: null,
          escalated_at: null,
          note: null,
        })
        .execute();
      await svc.db.insertInto('collateral').values({ id, loan_id: loanId, type: 'VEHICLE', description: 'van', idempotency_key: null }).execute();
      await svc.db
        .insertInto('collateral_valuation')
        .values({ id, collateral_id: id, value: '100.00', valued_on: day, recorded_by: 'test', recorded_at: at })
        .execute();
      await svc.db
        .insertInto('guarantor')
        .values({ id, loan_id: loanId, name: 'G', guarantor_customer_id: null, relationship: null, guaranteed_amount: '1.00' })
        .execute();
      await svc.db
        .insertInto('credit_review')
        .values({
          id,
          loan_id: loanId,
          reviewed_on: day,
          rating: 'SATISFACTORY',
          findings: 'ok',
          fund_use_as_declared: true,
          reviewer_id: 'r',
          idempotency_key: null,
        })
        .execute();
      await svc.db
        .insertInto('restructuring')
        .values({
          id,
          loan_id: loanId,
          kind: 'PAYMENT_HOLIDAY',
          instalments: 1,
          new_rate: null,
          effective_on: day,
          reason: 'r',
          status: 'REJECTED',
          requested_by: 'a',
          requested_at: at,
          decided_by: 'b',
          decided_at: at,
          from_version: null,
          to_version: null,
          idempotency_key: null,
        })
        .execute();
      await svc.db
        .insertInto('loan_delinquency')
        .values({
          loan_id: loanId,
          as_of: `2026-03-0${i + 1}`,
          dpd: i,
          bucket: i ? 'DPD_1_30' : 'CURRENT',
          risk_class: 'NORMAL',
          outstanding_principal: '1000.00',
          overdue_amount: '0',
          penalty: `0.${i}0`,
        })
        .execute();
    }
  }

  it('pages every nested connection of several loans at once, without gaps or repeats, ties on the sort key included', async () => {
    await g.customer('pg-c');
    const loans: string[] = [];
    for (let n = 0; n < 2; n++) {
      const loan = await g.storedLoan({ customerId: 'pg-c', productCode: 'PG-1', disbursedOn: '2026-01-01' });
      await fiveOfEverything(loan.id);
      loans.push(loan.id);
    }
    type Node = { id: string } & Record<LoanField, Page<Record<string, unknown>>>;
    for (const field of Object.keys(LOAN_FIELDS) as LoanField[]) {
      for (const id of loans) {
        await crawl(async (after) => {
          const data = await ok<{ loans: { edges: { node: Node }[] } }>(nested(field), { first: 2, after });
          const node = data.loans.edges.find((e) => e.node.id === id)?.node;
          if (!node) throw new Error('loan missing');
          return node[field];
        }, 5);
      }
    }
    const all = await ok<{ loans: { edges: { node: Node }[] } }>(nested(null), { first: 10 });
    const node = all.loans.edges.find((e) => e.node.id === loans[0])?.node;
    expect(node?.repayments.edges.map((e) => e.node.paidOn)).toEqual(['2026-02-01', '2026-02-01', '2026-02-01', '2026-02-03', '2026-02-04']);
    expect(node?.delinquencyHistory.edges.map((e) => [e.node.asOf, e.node.daysPastDue, e.node.bucket, e.node.penalty])).toEqual([
      ['2026-03-05', 4, 'DPD_1_30', '0.40'],
      ['2026-03-04', 3, 'DPD_1_30', '0.30'],
      ['2026-03-03', 2, 'DPD_1_30', '0.20'],
      ['2026-03-02', 1, 'DPD_1_30', '0.10'],
      ['2026-03-01', 0, 'CURRENT', '0.00'],
    ]);
    const ranged = await ok<{ loan: { delinquencyHistory: Page<{ asOf: string }> } }>(
      `query($id: ID!) { loan(id: $id) { delinquencyHistory(from: "2026-03-02", to: "2026-03-03") { totalCount edges { node { asOf } } } } }`,
      { id: loans[0] },
    );
    expect(ranged.loan.delinquencyHistory.totalCount).toBe(2);

    // the customer's loans and warnings (Customer.loanConnection, riskWarningConnection)
    const CUSTOMER = `query($after: String) { _entities(representations: [{ __typename: "Customer", id: "pg-c" }]) { ... on Customer {
      loanConnection(first: 1, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } } }`;
    const customerLoans = await crawl(
      async (after) =>
        (await ok<{ _entities: { loanConnection: Page<{ id: string }> }[] }>(CUSTOMER, { after }))._entities[0]?.loanConnection ?? {
          edges: [],
          pageInfo: { hasNextPage: false, endCursor: null },
        },
      2,
    );
    expect(customerLoans.map((l) => l.id)).toEqual([...loans].reverse());
    const WARNINGS = `query($after: String) { _entities(representations: [{ __typename: "Customer", id: "pg-c" }]) { ... on Customer {
      riskWarningConnection(first: 3, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } } }`;
    await crawl(
      async (after) =>
        (await ok<{ _entities: { riskWarningConnection: Page<{ id: string }> }[] }>(WARNINGS, { after }))._entities[0]?.riskWarningConnection ?? {
          edges: [],
          pageInfo: { hasNextPage: false, endCursor: null },
        },
      10,
    );
    const bad = await svc.graphql(nested('repayments'), { first: 2, after: 'not-a-cursor' }, staff.admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  }, 180_000);

  it('lists instalments, repayments, warnings, reviews and restructurings with filters and keyset paging (ties on the sort key)', async () => {
    // three loans whose instalments fall due on the same dates: ties on the due date
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      const loan = await g.storedLoan({
        productCode: 'TL-1',
        currency: 'KES',
        instalments: [
          { dueDate: '2026-04-10', principal: '100.00', interest: '5.00', payments: [{ paidOn: '2026-04-10', principal: '100.00', interest: '5.00' }] },
          { dueDate: '2026-05-10', principal: '100.00', interest: '5.00' },
        ],
      });
      ids.push(loan.id);
    }
    await svc.db.updateTable('instalment').set({ paid_on: '2026-04-10' }).where('loan_id', 'in', ids).where('number', '=', 1).execute();
    const INSTALMENTS = `query($f: InstalmentFilter, $after: String) { instalments(filter: $f, first: 2, after: $after) {
      totalCount edges { cursor node { loanId number dueDate status } } pageInfo { hasNextPage endCursor } } }`;
    const all = await crawl(
      async (after) =>
        (
          await ok<{ instalments: Page<{ loanId: string; number: number; dueDate: string; status: string }> }>(INSTALMENTS, {
            f: { productCode: 'TL-1' },
            after,
          })
        ).instalments,
      6,
    );
    expect(all.map((i) => i.dueDate)).toEqual(['2026-04-10', '2026-04-10', '2026-04-10', '2026-05-10', '2026-05-10', '2026-05-10']);
    const paid = await ok<{ instalments: Page<{ status: string }> }>(INSTALMENTS, { f: { currency: 'KES', status: ['PAID'], dueTo: '2026-04-30' } });
    expect(paid.instalments.totalCount).toBe(3);
    expect(paid.instalments.edges.map((e) => e.node.status)).toEqual(['PAID', 'PAID']);

    const REPAYMENTS = `query($f: RepaymentFilter, $after: String) { repayments(filter: $f, first: 2, after: $after) {
      totalCount edges { cursor node { id loanId paidOn amount { amount currency } } } pageInfo { hasNextPage endCursor } } }`;
    const repayments = await crawl(
      async (after) =>
        (await ok<{ repayments: Page<{ loanId: string; paidOn: string }> }>(REPAYMENTS, { f: { productCode: 'TL-1', paidFrom: '2026-04-01' }, after }))
          .repayments,
      3,
    );
    expect(new Set(repayments.map((r) => r.loanId))).toEqual(new Set(ids));

    // warnings, reviews and restructurings of the PG-1 loans (first test): 10 each, ties on the timestamp / date
    const WARNINGS = `query($after: String) { riskWarnings(filter: { productCode: "PG-1", raisedFrom: "2026-02-01", raisedTo: "2026-02-01" }, first: 3, after: $after) {
      totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    await crawl(async (after) => (await ok<{ riskWarnings: Page<{ id: string }> }>(WARNINGS, { after })).riskWarnings, 10);
    const REVIEWS = `query($after: String) { creditReviews(filter: { productCode: "PG-1", reviewedTo: "2026-02-03" }, first: 3, after: $after) {
      totalCount edges { cursor node { id loanId } } pageInfo { hasNextPage endCursor } } }`;
    await crawl(async (after) => (await ok<{ creditReviews: Page<{ id: string }> }>(REVIEWS, { after })).creditReviews, 8);
    const RESTRUCTURINGS = `query($after: String) { restructurings(filter: { productCode: "PG-1", status: [REJECTED] }, first: 4, after: $after) {
      totalCount edges { cursor node { id loanId } } pageInfo { hasNextPage endCursor } } }`;
    await crawl(async (after) => (await ok<{ restructurings: Page<{ id: string }> }>(RESTRUCTURINGS, { after })).restructurings, 10);

    // branch scope: a manager of another branch sees none of them (their customer is not in the branch)
    const other: Identity = { userId: 'bm-x', roles: ['branch_manager'], branchId: 'BR-OTHER' };
    const scoped = await ok<{ instalments: Page<unknown> }>(INSTALMENTS, { f: { productCode: 'TL-1' } }, other);
    expect(scoped.instalments.totalCount).toBe(0);
  }, 180_000);

  it('reads loans, instalments and repayments incrementally with changedSince: everything once, then only what changed', async () => {
    await g.customer('feed-c');
    const bm = manager;
    const product = await g.product({ code: 'FEED-1', overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS' });
    const loanIds = [await g.activeLoan('feed-c', product.code), await g.activeLoan('feed-c', product.code)];
    const FEED = (list: string, filter: string) => /* GraphQL */ `
      query($since: String!) { ${list}(filter: ${filter}, first: 2, changedSince: $since) { edges { cursor node { __typename ${list === 'instalments' ? 'loanId number' : 'id'} } } pageInfo { hasNextPage endCursor } } }`;
    type R = Record<string, Page<{ id?: string; loanId?: string; number?: number }>>;
    async function pull(list: string, filter: string, since: string): Promise<{ seen: string[]; next: string }> {
      const seen: string[] = [];
      let cursor = since;
      for (let guard = 0; guard < 100; guard++) {
        const data = await ok<R>(FEED(list, filter), { since: cursor }, bm);
        const page = data[list];
        if (!page) throw new Error('no page');
        seen.push(...page.edges.map((e) => e.node.id ?? `${e.node.loanId}#${e.node.number}`));
        cursor = page.pageInfo.endCursor ?? cursor;
        if (!page.pageInfo.hasNextPage) return { seen, next: cursor };
      }
      throw new Error('feed did not end');
    }
    /**
     * `pull` again from the same cursor until it brings `count` rows: the feed holds back rows
     * committed after the oldest transaction still open on the server (its horizon), and on a
     * shared PostgreSQL other suites' transactions keep it behind for a moment.
     */
    async function pullUntil(list: string, filter: string, since: string, count: number): Promise<{ seen: string[]; next: string }> {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const got = await pull(list, filter, since);
        if (got.seen.length >= count || Date.now() > deadline) return got;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const filter = '{ productCode: "FEED-1" }';
    const loans0 = await pullUntil('loans', filter, '*', 2);
    expect(loans0.seen.sort()).toEqual([...loanIds].sort());
    expect(await pull('loans', filter, loans0.next)).toEqual({ seen: [], next: loans0.next });
    const inst0 = await pullUntil('instalments', filter, '*', 6);
    expect(inst0.seen).toHaveLength(6);
    const rep0 = await pull('repayments', filter, '*');
    expect(rep0.seen).toEqual([]);

    // a repayment: one new repayment, the instalment it paid, nothing else
    const paid = await g.repay({ loanId: loanIds[0], amount: '10.00', channel: 'CASH', externalReference: `feed-${uuidv7()}` });
    expect(paid.userErrors).toEqual([]);
    expect((await pullUntil('repayments', filter, rep0.next, 1)).seen).toEqual([paid.repayment?.id]);
    expect((await pullUntil('instalments', filter, inst0.next, 1)).seen).toEqual([`${loanIds[0]}#1`]);

    const bad = await svc.graphql(FEED('loans', filter), { since: 'not-a-cursor' }, bm);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const both = await svc.graphql(`query { loans(first: 2, changedSince: "*", after: "x") { edges { cursor } } }`, {}, bm);
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    // warnings follow their workflow: the feed brings a warning back once per change
    const w0 = await pull('riskWarnings', '{ customerId: "feed-c" }', '*');
    expect(w0.seen).toEqual([]);
  }, 180_000);

  it.runIf(onPostgres)(
    'misses no repayment while writers book repayments during the crawl (GraphQL, PostgreSQL)',
    async () => {
      await g.customer('sync-c');
      const bm = manager;
      const product = await g.product({ code: 'SYNC-1', overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS' });
      const loanIds: string[] = [];
      for (let i = 0; i < 4; i++) loanIds.push(await g.activeLoan('sync-c', product.code, { principal: '5000.00', termCount: 12 }));
      const FEED = `query($since: String!) { repayments(filter: { productCode: "SYNC-1" }, first: 7, changedSince: $since) { edges { node { id } } pageInfo { endCursor } } }`;
      const pull = async (since: string) => (await ok<{ repayments: Page<{ id: string }> }>(FEED, { since }, bm)).repayments;
      let cursor = '*';
      const created: string[] = [];
      let done = false;
      const writers = Promise.all(
        loanIds.map(async (loanId) => {
          for (let i = 0; i < 8; i++) {
            const r = await g.repay({ loanId, amount: '1.00', channel: 'CASH', externalReference: `sync-${uuidv7()}` });
            expect(r.userErrors).toEqual([]);
            created.push(r.repayment?.id ?? '');
          }
        }),
      ).then(() => {
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
      expect(created).toHaveLength(32);
      expect(seen).toHaveLength(32);
      expect(new Set(seen)).toEqual(new Set(created));
    },
    240_000,
  );

  it('portfolioSummary as of a past date says what it said on that date', async () => {
    const SUMMARY = `query($f: PortfolioFilter) { portfolioSummary(filter: $f) { asOf activeLoans outstandingPrincipal par30 par90 nonPerformingRatio collectionRate repeatBorrowerRate } }`;
    const RUN = `mutation($input: RunEndOfDayInput!) { runEndOfDay(input: $input) { userErrors { code } } }`;
    const book = { productCode: 'PS-1', currency: 'GHS' };
    await g.storedLoan({
      customerId: 'ps-a',
      productCode: 'PS-1',
      currency: 'GHS',
      disbursedOn: '2026-07-01',
      instalments: [
        { dueDate: '2026-08-01', principal: '500.00', interest: '50.00', payments: [{ paidOn: '2026-08-01', principal: '500.00', interest: '50.00' }] },
        { dueDate: '2026-09-01', principal: '500.00', interest: '40.00' },
      ],
    });
    const late = await g.storedLoan({
      customerId: 'ps-b',
      productCode: 'PS-1',
      currency: 'GHS',
      disbursedOn: '2026-06-01',
      instalments: [
        { dueDate: '2026-07-01', principal: '800.00', interest: '80.00' },
        { dueDate: '2026-09-05', principal: '800.00', interest: '60.00' },
      ],
    });
    await ok(RUN, { input: { asOf: '2026-09-10' } });
    const d1 = await ok<{ portfolioSummary: Record<string, unknown> }>(SUMMARY, { f: { ...book, asOf: '2026-09-10' } });
    expect(d1.portfolioSummary).toMatchObject({ asOf: '2026-09-10', activeLoans: 2, outstandingPrincipal: '2100.00', par30: '0.7619' });
    // the next day: a repayment, a new loan of a repeat borrower, a run
    const repaymentId = uuidv7();
    await svc.db
      .insertInto('repayment')
      .values({
        id: repaymentId,
        loan_id: late.id,
        amount: '880.00',
        currency: 'GHS',
        paid_on: '2026-09-11',
        channel: 'CASH',
        external_reference: `ps-${uuidv7()}`,
        penalty_paid: '0',
        interest_paid: '80.00',
        principal_paid: '800.00',
        prepaid_principal: '0',
        recorded_by: 'test',
      })
      .execute();
    await svc.db
      .insertInto('repayment_allocation')
      .values({
        repayment_id: repaymentId,
        loan_id: late.id,
        version: 1,
        number: 1,
        paid_on: '2026-09-11',
        penalty: '0',
        interest: '80.00',
        principal: '800.00',
      })
      .execute();
    await svc.db
      .updateTable('instalment')
      .set({ principal_paid: '800.00', interest_paid: '80.00' })
      .where('loan_id', '=', late.id)
      .where('number', '=', 1)
      .execute();
    await g.storedLoan({
      customerId: 'ps-a',
      productCode: 'PS-1',
      currency: 'GHS',
      disbursedOn: '2026-09-11',
      instalments: [{ dueDate: '2026-10-11', principal: '300.00', interest: '30.00' }],
    });
    await ok(RUN, { input: { asOf: '2026-09-11' } });
    const d2 = await ok<{ portfolioSummary: Record<string, unknown> }>(SUMMARY, { f: { ...book, asOf: '2026-09-11' } });
    expect(d2.portfolioSummary).not.toEqual(d1.portfolioSummary);
    const again = await ok<{ portfolioSummary: Record<string, unknown> }>(SUMMARY, { f: { ...book, asOf: '2026-09-10' } });
    expect(again.portfolioSummary).toEqual(d1.portfolioSummary);
  }, 180_000);

  it('computes the roll-rate matrix of a known book', async () => {
    // bucket on 31 Jan 2024 -> state on 29 Feb 2024, outstanding on 31 Jan
    const book: [string, string, string, string | null, { closed?: string; writtenOff?: string }][] = [
      ['rr-1', 'CURRENT', '1000.00', 'CURRENT', {}],
      ['rr-2', 'CURRENT', '2000.00', 'DPD_1_30', {}],
      ['rr-3', 'CURRENT', '1000.00', null, { closed: '2024-02-15' }],
      ['rr-4', 'DPD_1_30', '500.00', 'DPD_31_60', {}],
      ['rr-5', 'DPD_1_30', '1500.00', 'CURRENT', {}],
      ['rr-6', 'DPD_61_90', '800.00', null, { writtenOff: '2024-02-20' }],
    ];
    for (const [key, from, outstanding, to, off] of book) {
      const loan = await g.storedLoan({ id: `${key}-${uuidv7()}`, productCode: 'RR-1', disbursedOn: '2023-12-01' });
      await svc.db
        .updateTable('loan')
        .set({ closed_on: off.closed ?? null, written_off_on: off.writtenOff ?? null })
        .where('id', '=', loan.id)
        .execute();
      await snapshot(loan.id, '2024-01-31', from, outstanding);
      if (to) await snapshot(loan.id, '2024-02-29', to, outstanding);
    }
    const Q = `query { rollRates(from: "2024-02-05", to: "2024-03-03", filter: { productCode: "RR-1" }) { fromAsOf toAsOf cells { fromBucket toState loans outstanding countRate outstandingRate } } }`;
    const { rollRates } = await ok<{ rollRates: { fromAsOf: string; toAsOf: string; cells: unknown[] } }>(Q, {});
    expect(rollRates.fromAsOf).toBe('2024-01-31');
    expect(rollRates.toAsOf).toBe('2024-02-29');
    expect(rollRates.cells).toEqual([
      { fromBucket: 'CURRENT', toState: 'CURRENT', loans: 1, outstanding: '1000.00', countRate: '0.3333', outstandingRate: '0.2500' },
      { fromBucket: 'CURRENT', toState: 'DPD_1_30', loans: 1, outstanding: '2000.00', countRate: '0.3333', outstandingRate: '0.5000' },
      { fromBucket: 'CURRENT', toState: 'CLOSED', loans: 1, outstanding: '1000.00', countRate: '0.3333', outstandingRate: '0.2500' },
      { fromBucket: 'DPD_1_30', toState: 'CURRENT', loans: 1, outstanding: '1500.00', countRate: '0.5000', outstandingRate: '0.7500' },
      { fromBucket: 'DPD_1_30', toState: 'DPD_31_60', loans: 1, outstanding: '500.00', countRate: '0.5000', outstandingRate: '0.2500' },
      { fromBucket: 'DPD_61_90', toState: 'WRITTEN_OFF', loans: 1, outstanding: '800.00', countRate: '1.0000', outstandingRate: '1.0000' },
    ]);
  });

  it('computes vintage curves of a known book: PAR30 and write-offs by months on book', async () => {
    const v1 = await g.storedLoan({ productCode: 'VG-1', principal: '1000.00', disbursedOn: '2024-01-10' });
    const v2 = await g.storedLoan({
      productCode: 'VG-1',
      principal: '3000.00',
      disbursedOn: '2024-01-20',
      instalments: ['2024-02-20', '2024-03-20', '2024-04-20'].map((dueDate, i) => ({
        dueDate,
        principal: '1000.00',
        interest: '0.00',
        payments: i === 0 ? [{ paidOn: '2024-02-20', principal: '100.00', interest: '0.00' }] : [],
      })),
    });
    await svc.db.updateTable('instalment').set({ principal_paid: '100.00' }).where('loan_id', '=', v2.id).where('number', '=', 1).execute();
    await svc.db.updateTable('loan').set({ status: 'WRITTEN_OFF', written_off_on: '2024-03-20' }).where('id', '=', v2.id).execute();
    const v3 = await g.storedLoan({ productCode: 'VG-1', principal: '2000.00', disbursedOn: '2024-02-05' });
    for (const [id, asOf, dpd, outstanding] of [
      [v1.id, '2024-01-31', 0, '1000.00'],
      [v1.id, '2024-02-29', 0, '800.00'],
      [v1.id, '2024-03-31', 45, '700.00'],
      [v2.id, '2024-01-31', 0, '3000.00'],
      [v2.id, '2024-02-15', 10, '2900.00'],
      [v2.id, '2024-02-29', 35, '2900.00'],
      [v3.id, '2024-02-29', 0, '2000.00'],
      [v3.id, '2024-03-31', 0, '1500.00'],
    ] as const)
      await snapshot(id, asOf, dpd > 30 ? 'DPD_31_60' : dpd > 0 ? 'DPD_1_30' : 'CURRENT', outstanding, dpd);
    const Q = `query { vintages(filter: { productCode: "VG-1" }) { vintage monthsOnBook loans disbursedPrincipal outstanding par30Outstanding writtenOffPrincipal par30Rate writeOffRate } }`;
    const { vintages } = await ok<{ vintages: { vintage: string; monthsOnBook: number }[] }>(Q, {});
    const point = (vintage: string, monthsOnBook: number) => vintages.find((p) => p.vintage === vintage && p.monthsOnBook === monthsOnBook);
    expect(point('2024-01', 0)).toEqual({
      vintage: '2024-01',
      monthsOnBook: 0,
      loans: 2,
      disbursedPrincipal: '4000.00',
      outstanding: '4000.00',
      par30Outstanding: '0',
      writtenOffPrincipal: '0',
      par30Rate: '0.0000',
      writeOffRate: '0.0000',
    });
    expect(point('2024-01', 1)).toMatchObject({ outstanding: '3700.00', par30Outstanding: '2900.00', par30Rate: '0.7250', writeOffRate: '0.0000' });
    expect(point('2024-01', 2)).toMatchObject({
      outstanding: '700.00',
      par30Outstanding: '700.00',
      writtenOffPrincipal: '2900.00',
      par30Rate: '0.1750',
      writeOffRate: '0.7250',
    });
    expect(point('2024-02', 0)).toMatchObject({ loans: 1, disbursedPrincipal: '2000.00', outstanding: '2000.00', par30Rate: '0.0000' });
    expect(point('2024-02', 1)).toMatchObject({ outstanding: '1500.00', par30Rate: '0.0000' });
    expect(vintages.some((p) => p.vintage === '2024-02' && p.monthsOnBook < 0)).toBe(false);
  });

  it('computes each KPI on a small known data set, grouped, and within the caller branch', async () => {
    await g.customer('kpi-c1', { branchId: 'BR-K1' });
    await g.customer('kpi-c2', { branchId: 'BR-K2' });
    const k1 = await g.storedLoan({
      customerId: 'kpi-c1',
      productCode: 'KPI-1',
      officerId: 'off-a',
      disbursedOn: '2024-04-01',
      instalments: [
        { dueDate: '2024-07-10', principal: '100.00', interest: '10.00', payments: [{ paidOn: '2024-07-10', principal: '100.00', interest: '10.00' }] },
        { dueDate: '2024-08-10', principal: '100.00', interest: '10.00', payments: [{ paidOn: '2024-08-12', principal: '45.00', interest: '10.00' }] },
      ],
    });
    const k2 = await g.storedLoan({
      customerId: 'kpi-c2',
      productCode: 'KPI-2',
      officerId: 'off-b',
      disbursedOn: '2024-04-01',
      instalments: [{ dueDate: '2024-07-15', principal: '200.00', interest: '20.00' }],
    });
    await svc.db.updateTable('loan').set({ branch_id: 'BR-K1' }).where('id', '=', k1.id).execute();
    await svc.db.updateTable('loan').set({ branch_id: 'BR-K2' }).where('id', '=', k2.id).execute();
    const warning = async (loanId: string, customerId: string, raised: string, resolved: string | null) =>
      svc.db
        .insertInto('risk_warning')
        .values({
          id: uuidv7(),
          loan_id: loanId,
          customer_id: customerId,
          rule_code: `K-${uuidv7()}`,
          severity: 'HIGH',
          indicators: '{}',
          status: resolved ? 'RESOLVED' : 'OPEN',
          officer_id: null,
          raised_at: new Date(raised),
          response_due_at: new Date(raised),
          acknowledged_at: null,
          action_taken_at: null,
          resolved_at: resolved ? new Date(resolved) : null,
          escalated_at: null,
          note: null,
        })
        .execute();
    await warning(k1.id, 'kpi-c1', '2024-05-01T08:00:00Z', '2024-05-01T20:00:00Z'); // 12 h
    await warning(k1.id, 'kpi-c1', '2024-05-02T00:00:00Z', '2024-05-03T06:00:00Z'); // 30 h
    await warning(k2.id, 'kpi-c2', '2024-05-10T00:00:00Z', '2024-06-01T00:00:00Z'); // 528 h, resolved in June
    await warning(k2.id, 'kpi-c2', '2024-05-20T00:00:00Z', null);
    // K1 over 30 DPD on 15 Jun (within 90 days of both its warnings; the same day as the first does not count);
    // K2 over 30 DPD on the day of its first warning and 97 days after it, 30 (not over) 90 days after its second
    await snapshot(k1.id, '2024-05-01', 'DPD_31_60', '500.00', 40);
    await snapshot(k1.id, '2024-06-15', 'DPD_31_60', '500.00', 31);
    await snapshot(k2.id, '2024-05-10', 'DPD_31_60', '1000.00', 60);
    await snapshot(k2.id, '2024-08-18', 'DPD_1_30', '1000.00', 30);
    await snapshot(k2.id, '2024-08-25', 'DPD_31_60', '1000.00', 45);
    await snapshot(k1.id, '2024-08-25', 'CURRENT', '3000.00', 0);

    const KPI = `query($m: CreditKpiMetric!, $g: [KpiDimension!], $from: Date!, $to: Date!) { creditKpi(metric: $m, groupBy: $g, from: $from, to: $to) { group { dimension value } value numerator denominator } }`;
    type Row = { group: { dimension: string; value: string | null }[]; value: string | null; numerator: string | null; denominator: string | null };
    const kpi = async (m: string, from: string, to: string, groupBy: string[] = [], as: Identity = staff.analyst) =>
      (await ok<{ creditKpi: Row[] }>(KPI, { m, g: groupBy, from, to }, as)).creditKpi.map((r) => [
        ...r.group.map((x) => x.value),
        r.value,
        r.numerator,
        r.denominator,
      ]);

    expect(await kpi('WARNING_RESOLUTION_TIME', '2024-05-01', '2024-05-31')).toEqual([['21', '42', '2']]);
    expect(await kpi('WARNING_RESOLUTION_TIME', '2024-05-01', '2024-06-30', ['MONTH'])).toEqual([
      ['2024-05', '21', '42', '2'],
      ['2024-06', '528', '528', '1'],
    ]);
    expect(await kpi('WARNING_HIT_RATE', '2024-05-01', '2024-05-31')).toEqual([['0.5', '2', '4']]);
    expect(await kpi('WARNING_HIT_RATE', '2024-05-01', '2024-05-31', ['BRANCH', 'OFFICER'])).toEqual([
      ['BR-K1', 'off-a', '1', '2', '2'],
      ['BR-K2', 'off-b', '0', '0', '2'],
    ]);
    expect(await kpi('PAR30', '2024-06-01', '2024-08-31')).toEqual([['0.25', '1000', '4000']]);
    expect(await kpi('PAR30', '2024-06-01', '2024-08-31', ['MONTH'])).toEqual([
      ['2024-06', '1', '500', '500'],
      ['2024-08', '0.25', '1000', '4000'],
    ]);
    expect(await kpi('PAR30', '2024-08-01', '2024-08-31', ['PRODUCT'])).toEqual([
      ['KPI-1', '0', '0', '3000'],
      ['KPI-2', '1', '1000', '1000'],
    ]);
    expect(await kpi('COLLECTION_RATE', '2024-07-01', '2024-08-31')).toEqual([['0.375', '165', '440']]);
    expect(await kpi('COLLECTION_RATE', '2024-07-01', '2024-08-31', ['MONTH'])).toEqual([
      ['2024-07', '0.3333', '110', '330'],
      ['2024-08', '0.5', '55', '110'],
    ]);
    expect(await kpi('COLLECTION_RATE', '2024-07-01', '2024-08-11')).toEqual([['0.25', '110', '440']]);
    // a branch manager sees the rows of their branch only
    const bmK1: Identity = { ...manager, userId: 'bm-k1', branchId: 'BR-K1' };
    expect(await kpi('WARNING_HIT_RATE', '2024-05-01', '2024-05-31', [], bmK1)).toEqual([['1', '2', '2']]);
    // bad requests: BAD_USER_INPUT on the argument at fault
    const bad = await svc.graphql(KPI, { m: 'PAR30', g: ['TIER'], from: '2024-01-01', to: '2024-02-01' }, staff.analyst);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  async function snapshot(loanId: string, asOf: string, bucket: string, outstanding: string, dpd = bucket === 'CURRENT' ? 0 : 10) {
    await svc.db
      .insertInto('loan_delinquency')
      .values({
        loan_id: loanId,
        as_of: asOf,
        dpd,
        bucket: bucket as DB['loan_delinquency']['bucket'],
        risk_class: 'NORMAL',
        outstanding_principal: outstanding,
        overdue_amount: '0',
        penalty: '0',
      })
      .execute();
  }
});
