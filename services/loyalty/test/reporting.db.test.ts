import type { Identity } from '@crm/service-kit';
import { eventually, staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB, PointsEntryKind } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Issue 12 (BI reads) for loyalty: the account's nested connections paged without gaps or repeats
 * (ties on the sort key included), the top-level lists of accounts, ledger entries and redemptions
 * with their filters, `changedSince` feeds (with concurrent writers on PostgreSQL), the point value
 * setting, and the KPIs on a small data set computed by hand.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

type Page<T> = { totalCount?: number; edges: { cursor: string; node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

const SELECTIONS = {
  ledger: 'id kind points createdAt',
  redemptions: 'id status redeemedAt',
  referrals: 'referredCustomer { id } registeredAt',
} as const;
type NestedField = keyof typeof SELECTIONS;
/** Every nested connection of the accounts of several customers; `$after` goes to one field, the others start at the top. */
const nested = (pagedField: NestedField | null) => /* GraphQL */ `
  query($reps: [_Any!]!, $first: Int!${pagedField ? ', $after: String' : ''}) {
    _entities(representations: $reps) { ... on Customer { id loyalty {
      ${(Object.keys(SELECTIONS) as NestedField[])
        .map(
          (f) =>
            `${f}(first: $first${f === pagedField ? ', after: $after' : ''}) { totalCount edges { cursor node { ${SELECTIONS[f]} } } pageInfo { hasNextPage endCursor } }`,
        )
        .join('\n      ')}
    } } }
  }
`;

const ADJUST = /* GraphQL */ `
  mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { userErrors { code } } }
`;
const REDEEM = /* GraphQL */ `
  mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { redemption { id } userErrors { code } } }
`;
const CANCEL = /* GraphQL */ `
  mutation($input: CancelRedemptionInput!) { cancelRedemption(input: $input) { userErrors { code } } }
`;

describe('loyalty for BI tools', () => {
  let svc: TestService<DB>;
  let rewardId = '';
  beforeAll(async () => {
    svc = await startTestService(loyaltyService);
    const reward = await svc.graphql<{ upsertReward: { reward: { id: string } } }>(
      `mutation($input: UpsertRewardInput!) { upsertReward(input: $input) { reward { id } userErrors { code } } }`,
      { input: { code: 'BI_GIFT', name: 'Umbrella', kind: 'GIFT', pointsCost: 10 } },
      staff.admin,
    );
    rewardId = reward.data?.upsertReward.reward.id ?? '';
    expect(rewardId).not.toBe('');
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

  async function accountOf(customerId: string): Promise<string> {
    return (await svc.db.selectFrom('loyalty_account').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).id;
  }

  /** Ledger entries written straight to the table, at chosen instants (ids given: ties on the instant are broken by id). */
  async function insertEntries(rows: [customerId: string, kind: PointsEntryKind, points: number, at: string][]) {
    const values = [];
    for (const [i, [customerId, kind, points, at]] of rows.entries()) {
      values.push({
        id: `bi-${customerId}-${i}`,
        account_id: await accountOf(customerId),
        kind,
        points,
        reason: 'test',
        source_id: `bi-src-${customerId}-${i}`,
        created_at: new Date(at),
        expires_at: null,
      });
    }
    await svc.db.insertInto('points_entry').values(values).execute();
  }

  async function insertRedemptions(rows: [customerId: string, at: string, status?: 'ACTIVE' | 'CANCELLED'][]) {
    const values = [];
    for (const [i, [customerId, at, status]] of rows.entries()) {
      values.push({
        id: `bi-red-${customerId}-${i}`,
        account_id: await accountOf(customerId),
        reward_id: rewardId,
        points: 10,
        status: status ?? 'ACTIVE',
        idempotency_key: null,
        redeemed_by: 'agent-1',
        redeemed_at: new Date(at),
        cancelled_at: status === 'CANCELLED' ? new Date(at) : null,
        cancel_reason: null,
      });
    }
    await svc.db.insertInto('redemption').values(values).execute();
  }

  it('pages the ledger, redemptions and referrals of several accounts at once, without gaps or repeats, ties on the sort key included', async () => {
    const g = given(svc);
    const members = ['pg-1', 'pg-2'];
    const same = '2026-12-01T10:00:00.000Z';
    for (const id of members) {
      const account = await g.member(id, { branchId: 'BR-PAGE', at: '2026-11-01T08:00:00.000Z' });
      // five referred customers, three of them registered at the same instant
      for (const [n, at] of [same, same, same, '2026-11-15T08:00:00.000Z', '2026-12-05T08:00:00.000Z'].entries()) {
        await g.member(`${id}-ref-${n}`, { branchId: 'BR-PAGE', referralCode: account.referral_code, at });
      }
    }
    // the welcome entry and four more, three at the same instant; five redemptions, three at the same instant
    await insertEntries(
      members.flatMap((id): [string, PointsEntryKind, number, string][] => [
        [id, 'ADJUST', 5, same],
        [id, 'ADJUST', 6, same],
        [id, 'ADJUST', 7, same],
        [id, 'ADJUST', 8, '2026-12-02T00:00:00.000Z'],
      ]),
    );
    await insertRedemptions(
      members.flatMap((id): [string, string, ('ACTIVE' | 'CANCELLED')?][] => [
        [id, same],
        [id, same],
        [id, same],
        [id, '2026-11-20T00:00:00.000Z'],
        [id, '2026-12-03T00:00:00.000Z', 'CANCELLED'],
      ]),
    );

    type Account = {
      ledger: Page<{ id: string; createdAt: string }>;
      redemptions: Page<{ id: string; redeemedAt: string }>;
      referrals: Page<{ registeredAt: string }>;
    };
    type R = { _entities: { id: string; loyalty: Account }[] };
    const reps = members.map((id) => ({ __typename: 'Customer', id }));
    for (const field of Object.keys(SELECTIONS) as NestedField[]) {
      for (const id of members) {
        const seen: string[] = [];
        const times: string[] = [];
        let after: string | null = null;
        for (let guard = 0; guard < 10; guard++) {
          const data: R = await ok(nested(field), { reps, first: 2, after });
          const account = data._entities.find((e) => e.id === id)?.loyalty;
          if (!account) throw new Error('account missing');
          const page: Page<{ createdAt?: string; redeemedAt?: string; registeredAt?: string }> = account[field];
          expect(page.totalCount, field).toBe(5);
          seen.push(...page.edges.map((e) => e.cursor));
          times.push(...page.edges.map((e) => e.node.createdAt ?? e.node.redeemedAt ?? e.node.registeredAt ?? ''));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(seen, field).toHaveLength(5);
        expect(new Set(seen).size, field).toBe(5);
        // newest first
        expect(times, field).toEqual([...times].sort().reverse());
      }
    }
    // the pages of one member never hold another's rows
    const all = await ok<R>(nested(null), { reps, first: 10 });
    const ids = all._entities.flatMap((e) => e.loyalty.redemptions.edges.map((r) => r.node.id));
    expect(new Set(ids).size).toBe(10);
  });

  it('lists accounts, ledger entries and redemptions with filters and keyset paging (ties on the sort key), and counts them', async () => {
    const g = given(svc);
    const at = '2026-10-01T08:00:00.000Z';
    for (const id of ['ls-1', 'ls-2', 'ls-3']) await g.member(id, { branchId: 'BR-LIST', at });
    await g.member('ls-other', { branchId: 'BR-ELSEWHERE', at });
    await svc.db.updateTable('loyalty_account').set({ tier: 'GOLD', relationship_manager_id: 'officer-ls' }).where('customer_id', '=', 'ls-3').execute();
    await insertEntries([
      ['ls-1', 'ADJUST', 10, at],
      ['ls-2', 'ADJUST', 20, at],
      ['ls-3', 'EXPIRE', -5, '2026-10-20T00:00:00.000Z'],
    ]);
    await insertRedemptions([
      ['ls-1', at],
      ['ls-2', at, 'CANCELLED'],
      ['ls-3', '2026-10-15T00:00:00.000Z'],
    ]);

    async function crawl<N>(field: string, filterType: string, filter: Record<string, unknown>, selection: string) {
      const Q = `query($filter: ${filterType}, $after: String) { ${field}(filter: $filter, first: 1, after: $after) { totalCount edges { cursor node { ${selection} } } pageInfo { hasNextPage endCursor } } }`;
      const nodes: N[] = [];
      const cursors: string[] = [];
      let total = -1;
      let after: string | null = null;
      for (let guard = 0; guard < 20; guard++) {
        const data: Record<string, Page<N>> = await ok(Q, { filter, after });
        const page = data[field];
        if (!page) throw new Error(`no ${field}`);
        total = page.totalCount ?? -1;
        nodes.push(...page.edges.map((e) => e.node));
        cursors.push(...page.edges.map((e) => e.cursor));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(new Set(cursors).size).toBe(nodes.length);
      return { nodes, total };
    }

    const accounts = await crawl<{ customer: { id: string }; branchId: string; openedAt: string; tier: string }>(
      'loyaltyAccounts',
      'LoyaltyAccountFilter',
      { branchId: 'BR-LIST' },
      'customer { id } branchId openedAt tier pointsBalance',
    );
    expect(accounts.total).toBe(3);
    expect(accounts.nodes.map((a) => a.customer.id).sort()).toEqual(['ls-1', 'ls-2', 'ls-3']);
    expect(new Set(accounts.nodes.map((a) => a.openedAt))).toEqual(new Set([at]));
    const gold = await crawl<{ customer: { id: string } }>(
      'loyaltyAccounts',
      'LoyaltyAccountFilter',
      { tier: ['GOLD'], relationshipManagerId: 'officer-ls' },
      'customer { id }',
    );
    expect(gold.nodes).toEqual([{ customer: { id: 'ls-3' } }]);

    // three welcome entries at the same instant, two adjustments at it too, an expiry
    const entries = await crawl<{ id: string; kind: string; points: number; createdAt: string; account: { customer: { id: string } } }>(
      'pointsEntries',
      'PointsEntryFilter',
      { branchId: 'BR-LIST' },
      'id kind points createdAt account { customer { id } }',
    );
    expect(entries.total).toBe(6);
    expect(entries.nodes.map((e) => e.createdAt)).toEqual([at, at, at, at, at, '2026-10-20T00:00:00.000Z']);
    const stored = await svc.db
      .selectFrom('points_entry as e')
      .innerJoin('loyalty_account as a', 'a.id', 'e.account_id')
      .select('e.id')
      .where('a.branch_id', '=', 'BR-LIST')
      .execute();
    expect(entries.nodes.map((e) => e.id).sort()).toEqual(stored.map((e) => e.id).sort());
    const adjustments = await crawl<{ points: number }>(
      'pointsEntries',
      'PointsEntryFilter',
      { branchId: 'BR-LIST', kind: ['ADJUST', 'EXPIRE'], createdFrom: '2026-10-01', createdTo: '2026-10-19' },
      'points',
    );
    expect(adjustments.nodes.map((e) => e.points).sort()).toEqual([10, 20]);
    const ofCustomer = await crawl<{ kind: string }>('pointsEntries', 'PointsEntryFilter', { customerId: 'ls-3' }, 'kind');
    expect(ofCustomer.nodes.map((e) => e.kind)).toEqual(['EARN', 'EXPIRE']);

    const redemptions = await crawl<{ status: string; account: { customer: { id: string } } }>(
      'loyaltyRedemptions',
      'LoyaltyRedemptionFilter',
      { branchId: 'BR-LIST' },
      'status account { customer { id } }',
    );
    expect(redemptions.total).toBe(3);
    // two at the same instant (by id), then the later one
    expect(redemptions.nodes.map((r) => r.account.customer.id)).toEqual(['ls-1', 'ls-2', 'ls-3']);
    const active = await crawl<{ status: string }>(
      'loyaltyRedemptions',
      'LoyaltyRedemptionFilter',
      { branchId: 'BR-LIST', status: ['ACTIVE'], redeemedFrom: '2026-10-01', redeemedTo: '2026-10-01' },
      'status',
    );
    expect(active.nodes).toEqual([{ status: 'ACTIVE' }]);

    // branch scope: a loan officer of BR-001 sees none of BR-LIST; analysts read no free text in the top-level list either
    const officer = await ok<{ pointsEntries: Page<unknown> }>(
      `{ pointsEntries(filter: { branchId: "BR-LIST" }) { totalCount edges { cursor } } }`,
      {},
      staff.officer,
    );
    expect(officer.pointsEntries).toMatchObject({ totalCount: 0, edges: [] });
    const analyst = await svc.graphql<{ pointsEntries: Page<{ reason: string | null }> }>(
      `{ pointsEntries(filter: { branchId: "BR-LIST" }, first: 1) { edges { node { points reason } } } }`,
      {},
      staff.analyst,
    );
    expect(analyst.data?.pointsEntries.edges[0]?.node.reason).toBeNull();
    expect(analyst.errors?.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  });

  it('reads accounts, entries and redemptions incrementally with changedSince: everything once, then only what changed', async () => {
    const bm: Identity = { userId: 'bm-feed', roles: ['branch_manager'], branchId: 'BR-FEED' };
    const agent: Identity = { userId: 'sa-feed', roles: ['service_agent'], branchId: 'BR-FEED' };
    const g = given(svc);
    const ids = ['fd-1', 'fd-2', 'fd-3', 'fd-4', 'fd-5'];
    for (const id of ids) await g.member(id, { branchId: 'BR-FEED' });
    const FEED = (field: string, selection: string) => /* GraphQL */ `
      query($since: String!, $after: String) {
        ${field}(filter: { branchId: "BR-FEED" }, first: 2, changedSince: $since, after: $after) { edges { cursor node { ${selection} } } pageInfo { hasNextPage endCursor } }
      }
    `;
    async function crawl(field: string, selection: string, since: string): Promise<{ seen: string[]; next: string }> {
      const seen: string[] = [];
      let cursor = since;
      for (let guard = 0; guard < 100; guard++) {
        const data: Record<string, Page<{ id: string }>> = await ok(FEED(field, selection), { since: cursor }, bm);
        const page = data[field];
        if (!page) throw new Error(`no ${field}`);
        seen.push(...page.edges.map((e) => e.node.id));
        cursor = page.pageInfo.endCursor ?? cursor;
        if (!page.pageInfo.hasNextPage) return { seen, next: cursor };
      }
      throw new Error('feed did not end');
    }
    /**
     * The feed shows a row once every older transaction of the server has ended (the horizon): on a
     * shared PostgreSQL another suite's open transaction may hold it back a moment, so a pull that
     * expects `count` rows is repeated from the same cursor until they are there.
     */
    const crawlUntil = (field: string, selection: string, since: string, count: number) =>
      eventually(async () => {
        const result = await crawl(field, selection, since);
        return result.seen.length >= count ? result : undefined;
      }, 60_000);
    const accounts0 = await crawlUntil('loyaltyAccounts', 'id', '*', 5);
    expect(accounts0.seen).toHaveLength(5);
    const entries0 = await crawlUntil('pointsEntries', 'id', '*', 5);
    expect(entries0.seen).toHaveLength(5); // the welcome points
    const redemptions0 = await crawl('loyaltyRedemptions', 'id', '*');
    expect(redemptions0.seen).toEqual([]);
    // nothing new: the same cursor comes back
    expect(await crawl('loyaltyAccounts', 'id', accounts0.next)).toEqual({ seen: [], next: accounts0.next });

    // a redemption: a new redemption and a new entry; its cancellation: the redemption again, and the refund
    const redeemed = await ok<{ redeemReward: { redemption: { id: string } } }>(REDEEM, { input: { customerId: 'fd-2', rewardId } }, agent);
    const redemptionId = redeemed.redeemReward.redemption.id;
    const redemptions1 = await crawlUntil('loyaltyRedemptions', 'id', redemptions0.next, 1);
    expect(redemptions1.seen).toEqual([redemptionId]);
    await ok(CANCEL, { input: { redemptionId, reason: 'changed mind' } }, bm);
    const redemptions2 = await crawlUntil('loyaltyRedemptions', 'id status', redemptions1.next, 1);
    expect(redemptions2.seen).toEqual([redemptionId]);
    const entries1 = await crawlUntil('pointsEntries', 'id kind', entries0.next, 2);
    expect(entries1.seen).toHaveLength(2); // the debit and the refund
    // a tier change moves the account to the end of the feed, once
    await svc.db.updateTable('loyalty_account').set({ tier: 'SILVER' }).where('customer_id', '=', 'fd-4').execute();
    const accounts1 = await crawlUntil('loyaltyAccounts', 'id', accounts0.next, 1);
    expect(accounts1.seen).toEqual([await accountOf('fd-4')]);

    const bad = await svc.graphql(FEED('pointsEntries', 'id'), { since: 'not-a-cursor' }, bm);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const both = await svc.graphql(FEED('loyaltyRedemptions', 'id'), { since: '*', after: 'x' }, bm);
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it.runIf(onPostgres)(
    'misses no entry or redemption while writers adjust, redeem and cancel during the crawl (GraphQL, PostgreSQL)',
    async () => {
      const bm: Identity = { userId: 'bm-sync', roles: ['branch_manager'], branchId: 'BR-SYNC' };
      const g = given(svc);
      const members = Array.from({ length: 5 }, (_, i) => `sync-${i}`);
      for (const id of members) {
        await g.member(id, { branchId: 'BR-SYNC' });
        await ok(ADJUST, { input: { customerId: id, points: 1000, reason: 'stock up' } }, bm);
      }
      const existing: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await ok<{ redeemReward: { redemption: { id: string } } }>(REDEEM, { input: { customerId: members[i % 5], rewardId } }, bm);
        existing.push(r.redeemReward.redemption.id);
      }
      const FEED = (field: string) =>
        `query($since: String!) { ${field}(filter: { branchId: "BR-SYNC" }, first: 7, changedSince: $since) { edges { node { id } } pageInfo { endCursor } } }`;
      const pull = async (field: string, since: string) => (await ok<Record<string, Page<{ id: string }>>>(FEED(field), { since }, bm))[field];
      const cursors: Record<string, string> = { pointsEntries: '*', loyaltyRedemptions: '*' };
      const seen: Record<string, string[]> = { pointsEntries: [], loyaltyRedemptions: [] };
      async function drain(field: string, record: boolean) {
        for (;;) {
          const page = await pull(field, cursors[field] ?? '*');
          if (!page) throw new Error(`no ${field}`);
          if (record) seen[field]?.push(...page.edges.map((e) => e.node.id));
          cursors[field] = page.pageInfo.endCursor ?? cursors[field] ?? '*';
          if (!page.edges.length) return;
        }
      }
      await drain('pointsEntries', false);
      await drain('loyaltyRedemptions', false);
      const created: string[] = [];
      let done = false;
      const writers = Promise.all([
        ...members.slice(0, 3).map(async (id) => {
          for (let i = 0; i < 8; i++) await ok(ADJUST, { input: { customerId: id, points: i + 1, reason: 'during the crawl' } }, bm);
        }),
        (async () => {
          for (let i = 0; i < 10; i++) {
            const r = await ok<{ redeemReward: { redemption: { id: string } } }>(REDEEM, { input: { customerId: members[i % 5], rewardId } }, bm);
            created.push(r.redeemReward.redemption.id);
          }
        })(),
        (async () => {
          for (const redemptionId of existing) await ok(CANCEL, { input: { redemptionId, reason: 'during the crawl' } }, bm);
        })(),
      ]).then(() => {
        done = true;
      });
      let pullsDuringWrites = 0;
      while (!done) {
        pullsDuringWrites++;
        for (const field of ['pointsEntries', 'loyaltyRedemptions']) {
          const page = await pull(field, cursors[field] ?? '*');
          if (!page) throw new Error(`no ${field}`);
          seen[field]?.push(...page.edges.map((e) => e.node.id));
          cursors[field] = page.pageInfo.endCursor ?? cursors[field] ?? '*';
        }
      }
      await writers;
      expect(pullsDuringWrites).toBeGreaterThan(1); // the crawl really ran alongside the writers
      // drained until everything written is there (another suite's open transaction may hold the horizon back a moment)
      for (const [field, count] of [
        ['pointsEntries', 44],
        ['loyaltyRedemptions', 20],
      ] as const) {
        await eventually(async () => {
          await drain(field, true);
          return (seen[field]?.length ?? 0) >= count ? true : undefined;
        }, 60_000);
      }
      // 24 adjustments, 10 redemption debits, 10 refunds: each once
      const entries = seen.pointsEntries ?? [];
      expect(entries).toHaveLength(44);
      expect(new Set(entries).size).toBe(44);
      const stored = await svc.db
        .selectFrom('points_entry as e')
        .innerJoin('loyalty_account as a', 'a.id', 'e.account_id')
        .select('e.id')
        .where('a.branch_id', '=', 'BR-SYNC')
        .orderBy('e.id')
        .execute();
      expect(new Set(entries).size + 5 + 5 + 10).toBe(stored.length); // welcome, stock-up and the first 10 debits were read before
      // 10 new redemptions and 10 cancelled ones: each once
      expect(new Set(seen.loyaltyRedemptions)).toEqual(new Set([...created, ...existing]));
      expect(seen.loyaltyRedemptions).toHaveLength(20);
    },
    300_000,
  );

  describe('the point value setting', () => {
    const SETTINGS = /* GraphQL */ `
      mutation($input: UpdateLoyaltySettingsInput!) {
        updateLoyaltySettings(input: $input) { settings { pointValue pointValueCurrency } userErrors { field code } }
      }
    `;
    type R = {
      updateLoyaltySettings: {
        settings: { pointValue: string | null; pointValueCurrency: string | null } | null;
        userErrors: { field: string; code: string }[];
      };
    };

    it('refuses a value without a currency, a bad amount and a bad currency, and changes nothing', async () => {
      for (const [input, field, code] of [
        [{ pointValue: '0.5' }, 'pointValueCurrency', 'REQUIRED'],
        [{ pointValue: '0', pointValueCurrency: 'KES' }, 'pointValue', 'INVALID_AMOUNT'],
        [{ pointValue: '0.1234567', pointValueCurrency: 'KES' }, 'pointValue', 'INVALID_AMOUNT'],
        [{ pointValue: '0.5', pointValueCurrency: 'kes' }, 'pointValueCurrency', 'INVALID_CURRENCY'],
      ] as const) {
        const res = await ok<R>(SETTINGS, { input });
        expect(res.updateLoyaltySettings.settings, JSON.stringify(input)).toBeNull();
        expect(res.updateLoyaltySettings.userErrors, JSON.stringify(input)).toEqual([{ field, code }]);
      }
      const settings = await ok<{ loyaltySettings: { pointValue: string | null } }>(`{ loyaltySettings { pointValue pointValueCurrency } }`, {});
      expect(settings.loyaltySettings).toEqual({ pointValue: null, pointValueCurrency: null });
    });
  });

  describe('KPIs on a known data set', () => {
    const KPI = /* GraphQL */ `
      query($metric: LoyaltyKpiMetric!, $groupBy: [KpiDimension!], $from: Date!, $to: Date!) {
        loyaltyKpi(metric: $metric, groupBy: $groupBy, from: $from, to: $to) { metric group { dimension value } value numerator denominator }
      }
    `;
    type Row = { group: { dimension: string; value: string | null }[]; value: string | null; numerator: string | null; denominator: string | null };
    const kpi = async (variables: Record<string, unknown>, as: Identity = staff.analyst) =>
      (await ok<{ loyaltyKpi: Row[] }>(KPI, variables, as)).loyaltyKpi.map((r) => [...r.group.map((g) => g.value), r.numerator, r.denominator, r.value]);
    /** Rows of the KPI branches only (the other tests' members are elsewhere). */
    const ours = (rows: unknown[][]) => rows.filter((r) => String(r[0]).startsWith('KPI-') || String(r[0]).startsWith('off-k'));
    const period = { from: '2026-01-01', to: '2026-02-28' };

    beforeAll(async () => {
      const g = given(svc);
      // three members opened in December 2025 with their 100 welcome points
      const at = '2025-12-15T08:00:00.000Z';
      await g.member('k1', { branchId: 'KPI-1', at });
      await g.member('k2', { branchId: 'KPI-1', at });
      await g.member('k3', { branchId: 'KPI-2', at });
      for (const [id, tier, officer] of [
        ['k1', 'SILVER', 'off-k1'],
        ['k2', 'BRONZE', 'off-k1'],
        ['k3', 'GOLD', 'off-k2'],
      ] as const) {
        await svc.db.updateTable('loyalty_account').set({ tier, relationship_manager_id: officer }).where('customer_id', '=', id).execute();
      }
      await insertEntries([
        ['k1', 'EARN', 500, '2026-01-10T09:00:00.000Z'],
        ['k1', 'REDEEM', -200, '2026-01-20T09:00:00.000Z'],
        ['k1', 'EARN', 300, '2026-02-05T09:00:00.000Z'],
        ['k1', 'REVERSE', 200, '2026-02-10T09:00:00.000Z'], // refund of a cancelled redemption
        ['k1', 'REDEEM', -100, '2026-02-12T09:00:00.000Z'],
        ['k2', 'EARN', 200, '2026-01-15T09:00:00.000Z'],
        ['k2', 'EXPIRE', -50, '2026-02-01T00:00:00.000Z'],
        ['k2', 'ADJUST', -30, '2026-02-20T09:00:00.000Z'], // a debit by hand: neither earned nor redeemed
        ['k3', 'ADJUST', 400, '2026-01-05T09:00:00.000Z'],
        ['k3', 'REDEEM', -250, '2026-02-15T09:00:00.000Z'],
        ['k3', 'EARN', 1000, '2026-03-05T09:00:00.000Z'], // after the period
      ]);
    }, 120_000);

    it('POINTS_EARNED: EARN and positive adjustments in the period, by branch, month, officer', async () => {
      // KPI-1: k1 500 + 300, k2 200 (2 members); KPI-2: k3 400
      expect(ours(await kpi({ ...period, metric: 'POINTS_EARNED', groupBy: ['BRANCH'] }))).toEqual([
        ['KPI-1', '1000', '2', '1000'],
        ['KPI-2', '400', '1', '400'],
      ]);
      expect(ours(await kpi({ ...period, metric: 'POINTS_EARNED', groupBy: ['BRANCH', 'MONTH'] }))).toEqual([
        ['KPI-1', '2026-01', '700', '2', '700'],
        ['KPI-1', '2026-02', '300', '1', '300'],
        ['KPI-2', '2026-01', '400', '1', '400'],
      ]);
      expect(ours(await kpi({ ...period, metric: 'POINTS_EARNED', groupBy: ['OFFICER'] }))).toEqual([
        ['off-k1', '1000', '2', '1000'],
        ['off-k2', '400', '1', '400'],
      ]);
    });

    it('POINTS_REDEEMED and POINTS_EXPIRED: debits less refunds, expiries, by branch and tier', async () => {
      // KPI-1: k1 200 + 100 - 200 refunded, 2 redemptions; KPI-2: k3 250, 1
      expect(ours(await kpi({ ...period, metric: 'POINTS_REDEEMED', groupBy: ['BRANCH', 'TIER'] }))).toEqual([
        ['KPI-1', 'SILVER', '100', '2', '100'],
        ['KPI-2', 'GOLD', '250', '1', '250'],
      ]);
      expect(ours(await kpi({ ...period, metric: 'POINTS_EXPIRED', groupBy: ['BRANCH', 'MONTH'] }))).toEqual([['KPI-1', '2026-02', '50', '1', '50']]);
    });

    it('REDEMPTION_RATE: points redeemed per point earned, by branch and month', async () => {
      expect(ours(await kpi({ ...period, metric: 'REDEMPTION_RATE', groupBy: ['BRANCH'] }))).toEqual([
        ['KPI-1', '100', '1000', '0.1'],
        ['KPI-2', '250', '400', '0.625'],
      ]);
      expect(ours(await kpi({ ...period, metric: 'REDEMPTION_RATE', groupBy: ['BRANCH', 'MONTH'] }))).toEqual([
        ['KPI-1', '2026-01', '200', '700', '0.2857'],
        ['KPI-1', '2026-02', '-100', '300', '-0.3333'], // more refunded than redeemed that month
        ['KPI-2', '2026-01', '0', '400', '0'],
        ['KPI-2', '2026-02', '250', '0', null], // nothing earned
      ]);
      // a branch manager sees their branch only
      const manager: Identity = { userId: 'bm-k2', roles: ['branch_manager'], branchId: 'KPI-2' };
      expect(await kpi({ ...period, metric: 'REDEMPTION_RATE', groupBy: [] }, manager)).toEqual([['250', '400', '0.625']]);
    });

    it('POINTS_OUTSTANDING: balances at the end of the period, or of each month of it', async () => {
      // k1 100+500-200+300+200-100 = 800, k2 100+200-50-30 = 220, k3 100+400-250 = 250
      expect(ours(await kpi({ ...period, metric: 'POINTS_OUTSTANDING', groupBy: ['BRANCH', 'TIER'] }))).toEqual([
        ['KPI-1', 'BRONZE', '220', '1', '220'],
        ['KPI-1', 'SILVER', '800', '1', '800'],
        ['KPI-2', 'GOLD', '250', '1', '250'],
      ]);
      // end of January: k1 400, k2 300, k3 500; the last month ends on `to` (10 February: k1 900, k2 250)
      expect(ours(await kpi({ from: '2026-01-01', to: '2026-02-10', metric: 'POINTS_OUTSTANDING', groupBy: ['BRANCH', 'MONTH'] }))).toEqual([
        ['KPI-1', '2026-01', '700', '2', '700'],
        ['KPI-1', '2026-02', '1150', '2', '1150'],
        ['KPI-2', '2026-01', '500', '1', '500'],
        ['KPI-2', '2026-02', '500', '1', '500'],
      ]);
    });

    it('POINTS_LIABILITY: refused without a point value; then the outstanding points valued, rounded to the minor unit', async () => {
      const refused = await svc.graphql(KPI, { ...period, metric: 'POINTS_LIABILITY', groupBy: ['BRANCH'] }, staff.analyst);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metric' });
      const set = await ok<{ updateLoyaltySettings: { userErrors: unknown[] } }>(
        `mutation { updateLoyaltySettings(input: { pointValue: "0.125", pointValueCurrency: "XAF" }) { settings { pointValue } userErrors { code } } }`,
        {},
      );
      expect(set.updateLoyaltySettings.userErrors).toEqual([]);
      const audited = await svc.db
        .selectFrom('programme_change')
        .select(['entity', 'after'])
        .where('entity', '=', 'SETTINGS')
        .orderBy('changed_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(audited.after)).toContain('XAF');
      // KPI-1: 1020 points x 0.125 = 127.5 -> 128 XAF (half to even); KPI-2: 250 x 0.125 = 31.25 -> 31
      expect(ours(await kpi({ ...period, metric: 'POINTS_LIABILITY', groupBy: ['BRANCH', 'CURRENCY'] }))).toEqual([
        ['KPI-1', 'XAF', '128', '1020', '128'],
        ['KPI-2', 'XAF', '31', '250', '31'],
      ]);
    });

    it('refuses a dimension the metric does not support, and a reversed period, as bad input; loan officers may not call it', async () => {
      const res = await svc.graphql(KPI, { ...period, metric: 'POINTS_EARNED', groupBy: ['CURRENCY'] }, staff.analyst);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      const reversed = await svc.graphql(KPI, { metric: 'POINTS_EARNED', from: '2026-03-01', to: '2026-02-28' }, staff.analyst);
      expect(reversed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      const officerCall = await svc.graphql(KPI, { ...period, metric: 'POINTS_EARNED' }, staff.officer);
      expect(officerCall.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });
});
