import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { fieldsWithoutRoleRule, type Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { typeDefs } from '../src/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

const ADJUST = `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { entry { points actorId } account { id pointsBalance } userErrors { field code } } }`;
const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { redemption { id status } userErrors { field code } } }`;
const CANCEL = `mutation($input: CancelRedemptionInput!) { cancelRedemption(input: $input) { redemption { id status } userErrors { field code } } }`;
const ACCOUNT = `query($id: ID!) { loyaltyAccount(id: $id) { id pointsBalance ledger { edges { node { points } } } } }`;
const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id loyalty { id } } ... on LoyaltyAccount { id pointsBalance } } }`;
const SUMMARY = `query($filter: LoyaltyProgramSummaryFilter!) { loyaltyProgramSummary(filter: $filter) { membersPerTier { tier members } byBranch { branchId members } } }`;
const TRAIL = `query($filter: AuditFilter) { loyaltyAuditTrail(filter: $filter, first: 100) { edges { node { action actorId actorRoles actorBranch entityType entityId outcome changes { field before after } detail } } } }`;

type AuditNode = {
  action: string;
  actorId: string;
  actorRoles: string[];
  actorBranch: string | null;
  entityType: string | null;
  entityId: string | null;
  outcome: string;
  changes: { field: string; before: string | null; after: string | null }[];
  detail: string | null;
};

const who = (userId: string, roles: Identity['roles'], branchId?: string): Identity => ({ userId, roles, ...(branchId ? { branchId } : {}) });
const managerBr1 = who('bm-1', ['branch_manager'], 'BR-001');
const agentBr1 = who('sa-1', ['service_agent'], 'BR-001');
const risk = who('risk-1', ['risk_officer']);
const auditor = who('auditor-1', ['auditor']);
const dkrManager = who('bm-dkr', ['branch_manager'], 'DKR');

describe('access rules of the loyalty subgraph', () => {
  it('puts a role rule on every Query and Mutation field', () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
    expect(fieldsWithoutRoleRule(schema)).toEqual([]);
  });
});

describe('branch scope and the audit trail (DB-backed)', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  let mugId = '';
  const accounts: Record<string, string> = {};

  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_access' });
    g = given(svc);
    for (const [id, branchId] of [
      ['m-1', 'BR-001'],
      ['m-2', 'BR-002'],
      ['dkr-1', 'DKR'],
      ['ths-1', 'THS'],
    ] as const) {
      accounts[id] = (await g.member(id, { branchId })).id;
    }
    const res = await svc.graphql<{ upsertReward: { reward: { id: string } | null } }>(
      `mutation($input: UpsertRewardInput!) { upsertReward(input: $input) { reward { id } userErrors { code } } }`,
      { input: { code: 'MUG', name: 'Mug', kind: 'GIFT', pointsCost: 10, stock: 100 } },
    );
    mugId = res.data?.upsertReward.reward?.id ?? '';
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const ledgerRows = (customerId: string) => g.entries(customerId);

  it('refuses a DKR branch manager adjusting a THS member, and audits who, the account and the amount on a DKR member', async () => {
    const before = await ledgerRows('ths-1');
    const refused = await svc.graphql(ADJUST, { input: { customerId: 'ths-1', points: 100_000, reason: 'Goodwill' } }, dkrManager);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await ledgerRows('ths-1')).toEqual(before);

    const ok = await svc.graphql<{ adjustPoints: { entry: { points: number; actorId: string }; account: { id: string; pointsBalance: number } } }>(
      ADJUST,
      { input: { customerId: 'dkr-1', points: 100_000, reason: 'Goodwill' } },
      dkrManager,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.adjustPoints.entry).toEqual({ points: 100_000, actorId: 'bm-dkr' });
    expect(ok.data?.adjustPoints.account.pointsBalance).toBe(100_100);

    const trail = await svc.graphql<{ loyaltyAuditTrail: { edges: { node: AuditNode }[] } }>(TRAIL, { filter: { actorId: 'bm-dkr' } }, staff.admin);
    const records = trail.data?.loyaltyAuditTrail.edges.map((e) => e.node) ?? [];
    expect(records.map((r) => [r.action, r.outcome])).toEqual([
      ['adjustPoints', 'SUCCEEDED'],
      ['adjustPoints', 'FORBIDDEN'],
    ]);
    const [success] = records;
    expect(success).toMatchObject({
      actorId: 'bm-dkr',
      actorRoles: ['branch_manager'],
      actorBranch: 'DKR',
      entityType: 'LoyaltyAccount',
      entityId: accounts['dkr-1'],
    });
    expect(success?.changes).toEqual([{ field: 'pointsBalance', before: '100', after: '100100' }]);
    expect(JSON.parse(success?.detail ?? '{}')).toMatchObject({ customerId: 'dkr-1', points: 100_000 });
  });

  it('keeps a BR-001 loan officer and branch manager to their branch; a risk officer and an administrator see both', async () => {
    for (const caller of [staff.officer, managerBr1]) {
      const own = await svc.graphql<{ loyaltyAccount: { id: string } | null }>(ACCOUNT, { id: accounts['m-1'] }, caller);
      expect(own.data?.loyaltyAccount?.id).toBe(accounts['m-1']);
      const other = await svc.graphql<{ loyaltyAccount: unknown }>(ACCOUNT, { id: accounts['m-2'] }, caller);
      expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(other.data?.loyaltyAccount ?? null).toBeNull();

      const refs = await svc.graphql<{ _entities: ({ id: string; loyalty?: { id: string } | null; pointsBalance?: number } | null)[] }>(
        ENTITIES,
        {
          reps: [
            { __typename: 'Customer', id: 'm-1' },
            { __typename: 'Customer', id: 'm-2' },
            { __typename: 'LoyaltyAccount', id: accounts['m-1'] },
            { __typename: 'LoyaltyAccount', id: accounts['m-2'] },
          ],
        },
        caller,
      );
      expect(refs.errors).toBeUndefined();
      expect(refs.data?._entities).toEqual([
        { id: 'm-1', loyalty: { id: accounts['m-1'] } },
        { id: 'm-2', loyalty: null },
        { id: accounts['m-1'], pointsBalance: 100 },
        null,
      ]);
    }
    for (const caller of [risk, staff.admin]) {
      const both = await svc.graphql<{ _entities: { loyalty: { id: string } | null }[] }>(
        ENTITIES,
        { reps: ['m-1', 'm-2'].map((id) => ({ __typename: 'Customer', id })) },
        caller,
      );
      expect(both.data?._entities.map((e) => e.loyalty?.id)).toEqual([accounts['m-1'], accounts['m-2']]);
      const byId = await svc.graphql<{ loyaltyAccount: { id: string } | null }>(ACCOUNT, { id: accounts['m-2'] }, caller);
      expect(byId.data?.loyaltyAccount?.id).toBe(accounts['m-2']);
    }
  });

  it('refuses mutations on a member of another branch and writes nothing', async () => {
    const before = await ledgerRows('m-2');
    const adjust = await svc.graphql(ADJUST, { input: { customerId: 'm-2', points: 5, reason: 'Goodwill' } }, managerBr1);
    expect(adjust.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const caller of [staff.officer, managerBr1, agentBr1]) {
      const redeem = await svc.graphql(REDEEM, { input: { customerId: 'm-2', rewardId: mugId } }, caller);
      expect(redeem.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await ledgerRows('m-2')).toEqual(before);
    expect(
      await svc.db
        .selectFrom('redemption')
        .select('id')
        .where('account_id', '=', accounts['m-2'] ?? '')
        .execute(),
    ).toEqual([]);

    // A redemption made for the member by someone allowed cannot be cancelled from another branch.
    const made = await svc.graphql<{ redeemReward: { redemption: { id: string } } }>(REDEEM, { input: { customerId: 'm-2', rewardId: mugId } }, risk);
    expect(made.errors?.[0]?.extensions?.code).toBe('FORBIDDEN'); // risk officers see every branch but may not redeem (role rule)
    const byAdmin = await svc.graphql<{ redeemReward: { redemption: { id: string } } }>(REDEEM, { input: { customerId: 'm-2', rewardId: mugId } });
    const redemptionId = byAdmin.data?.redeemReward.redemption.id ?? '';
    expect(redemptionId).not.toBe('');
    const cancel = await svc.graphql(CANCEL, { input: { redemptionId, reason: 'Changed mind' } }, managerBr1);
    expect(cancel.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const status = await svc.db.selectFrom('redemption').select('status').where('id', '=', redemptionId).executeTakeFirstOrThrow();
    expect(status.status).toBe('ACTIVE');

    // In scope, the same mutations go through.
    const ownRedeem = await svc.graphql<{ redeemReward: { redemption: { id: string } | null } }>(
      REDEEM,
      { input: { customerId: 'm-1', rewardId: mugId } },
      staff.officer,
    );
    expect(ownRedeem.data?.redeemReward.redemption?.id).toBeTruthy();
    const ownCancel = await svc.graphql<{ cancelRedemption: { redemption: { status: string } } }>(
      CANCEL,
      { input: { redemptionId: ownRedeem.data?.redeemReward.redemption?.id, reason: 'Changed mind' } },
      agentBr1,
    );
    expect(ownCancel.data?.cancelRedemption.redemption.status).toBe('CANCELLED');
  });

  it('lets a loan officer see the members assigned to them in another branch (RelationshipManagerAssigned)', async () => {
    const assign = () =>
      g.deliver('RelationshipManagerAssigned', 'm-2', {
        customerId: 'm-2',
        relationshipManagerId: 'officer-1',
        previousRelationshipManagerId: null,
        branchId: 'BR-002',
        assignedAt: '2026-11-25T08:00:00.000Z',
      });
    await assign();
    await assign(); // redelivered: same result
    const row = await svc.db
      .selectFrom('loyalty_account')
      .select(['branch_id', 'relationship_manager_id'])
      .where('customer_id', '=', 'm-2')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ branch_id: 'BR-002', relationship_manager_id: 'officer-1' });
    const officer = await svc.graphql<{ loyaltyAccount: { id: string } | null }>(ACCOUNT, { id: accounts['m-2'] }, staff.officer);
    expect(officer.data?.loyaltyAccount?.id).toBe(accounts['m-2']);
    const manager = await svc.graphql(ACCOUNT, { id: accounts['m-2'] }, managerBr1);
    expect(manager.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps the member branch current from CustomerProfileUpdated, idempotently', async () => {
    const move = () =>
      g.deliver('CustomerProfileUpdated', 'ths-1', {
        customerId: 'ths-1',
        changes: [{ field: 'branchId', oldValue: 'THS', newValue: 'DKR' }],
        updatedBy: 'officer-1',
        updatedAt: '2026-12-01T10:00:00.000Z',
      });
    await move();
    await move();
    const moved = await svc.graphql<{ loyaltyAccount: { id: string } | null }>(ACCOUNT, { id: accounts['ths-1'] }, dkrManager);
    expect(moved.data?.loyaltyAccount?.id).toBe(accounts['ths-1']);
  });

  it('counts only the members of their branch in the programme figures of a branch manager', async () => {
    const res = await svc.graphql<{ loyaltyProgramSummary: { membersPerTier: { members: number }[]; byBranch: { branchId: string; members: number }[] } }>(
      SUMMARY,
      { filter: { from: '2026-11-01', to: '2026-12-31' } },
      managerBr1,
    );
    expect(res.data?.loyaltyProgramSummary.byBranch).toEqual([{ branchId: 'BR-001', members: 1 }]);
    expect(res.data?.loyaltyProgramSummary.membersPerTier.reduce((n, t) => n + t.members, 0)).toBe(1);
    const other = await svc.graphql(SUMMARY, { filter: { from: '2026-11-01', to: '2026-12-31', branchId: 'BR-002' } }, managerBr1);
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('audits mutations of two users with their outcome; only administrators and auditors read the trail, and nobody rewrites it', async () => {
    const rejected = await svc.graphql<{ adjustPoints: { userErrors: unknown[] } }>(
      ADJUST,
      { input: { customerId: 'm-1', points: -1_000_000, reason: 'Correction' } },
      managerBr1,
    );
    expect(rejected.data?.adjustPoints.userErrors).toEqual([{ field: 'points', code: 'INSUFFICIENT_POINTS' }]);
    const roleRefused = await svc.graphql(ADJUST, { input: { customerId: 'm-1', points: 5, reason: 'x' } }, staff.officer);
    expect(roleRefused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const tier = await svc.graphql(
      `mutation($input: UpdateLoyaltySettingsInput!) { updateLoyaltySettings(input: $input) { settings { tierGraceDays } userErrors { code } } }`,
      { input: { tierGraceDays: 45 } },
    );
    expect(tier.errors).toBeUndefined();
    const settingsByManager = await svc.graphql(
      `mutation($input: UpdateLoyaltySettingsInput!) { updateLoyaltySettings(input: $input) { settings { tierGraceDays } } }`,
      { input: { tierGraceDays: 1 } },
      managerBr1,
    );
    expect(settingsByManager.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    for (const reader of [staff.admin, auditor]) {
      const trail = await svc.graphql<{ loyaltyAuditTrail: { edges: { node: AuditNode }[] } }>(TRAIL, {}, reader);
      expect(trail.errors).toBeUndefined();
      const records = trail.data?.loyaltyAuditTrail.edges.map((e) => e.node) ?? [];
      const find = (actorId: string, action: string, outcome: string) =>
        records.find((r) => r.actorId === actorId && r.action === action && r.outcome === outcome);
      expect(find('bm-1', 'adjustPoints', 'REJECTED')?.detail).toContain('INSUFFICIENT_POINTS');
      expect(find('officer-1', 'adjustPoints', 'FORBIDDEN')).toBeTruthy();
      expect(find('admin-1', 'updateLoyaltySettings', 'SUCCEEDED')?.changes).toEqual([{ field: 'tier_grace_days', before: '30', after: '45' }]);
      expect(find('bm-1', 'updateLoyaltySettings', 'FORBIDDEN')).toBeTruthy();
    }
    const analyst = await svc.graphql(TRAIL, {}, staff.analyst);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await expect(svc.db.updateTable('audit_log').set({ actor_id: 'someone-else' }).execute()).rejects.toThrow();
    await expect(svc.db.deleteFrom('audit_log').execute()).rejects.toThrow();
  });
});
