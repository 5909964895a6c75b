import { readFileSync } from 'node:fs';
import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { type FieldDefinitionNode, Kind, parse, type TypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

/** Every Mutation field of the SDL, with the named type of its `input` argument. */
function mutationsOfSchema(): { name: string; inputType: string }[] {
  const doc = parse(readFileSync(new URL('../src/schema.graphql', import.meta.url), 'utf8'));
  const fields: FieldDefinitionNode[] = [];
  for (const def of doc.definitions) {
    if ((def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) && def.name.value === 'Mutation')
      fields.push(...(def.fields ?? []));
  }
  const typeName = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : typeName(t.type));
  return fields.map((f) => {
    const input = f.arguments?.find((a) => a.name.value === 'input');
    if (!input) throw new Error(`Mutation.${f.name.value} takes no input argument: give it a case below by hand`);
    return { name: f.name.value, inputType: typeName(input.type) };
  });
}

const admin: Identity = staff.admin;
const manager: Identity = { userId: 'bm-audit', roles: ['branch_manager'], branchId: 'BR-001' };
const agent: Identity = { userId: 'sa-audit', roles: ['service_agent'], branchId: 'BR-001' };

type Case = { as: Identity; input: () => Promise<Record<string, unknown>> };

describe('every loyalty mutation leaves an audit record of its own (DB-backed)', () => {
  let svc: TestService<DB>;
  const member = 'audit-member-1';

  const reward = async (code: string) => {
    const res = await svc.graphql<{ upsertReward: { reward: { id: string } | null } }>(
      `mutation($input: UpsertRewardInput!) { upsertReward(input: $input) { reward { id } } }`,
      { input: { code, name: `Gift ${code}`, kind: 'GIFT', pointsCost: 10, stock: 10 } },
      admin,
    );
    const id = res.data?.upsertReward.reward?.id;
    if (!id) throw new Error(`reward fixture failed: ${JSON.stringify(res)}`);
    return id;
  };
  const redemption = async () => {
    const res = await svc.graphql<{ redeemReward: { redemption: { id: string } | null } }>(
      `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { redemption { id } } }`,
      { input: { customerId: member, rewardId: await reward('AUDIT_TO_CANCEL') } },
      agent,
    );
    const id = res.data?.redeemReward.redemption?.id;
    if (!id) throw new Error(`redemption fixture failed: ${JSON.stringify(res)}`);
    return id;
  };

  /** One valid call per mutation; a mutation added to the schema without a case here fails the first test. */
  const cases: Record<string, Case> = {
    adjustPoints: { as: manager, input: async () => ({ customerId: member, points: 50, reason: 'goodwill' }) },
    redeemReward: { as: agent, input: async () => ({ customerId: member, rewardId: await reward('AUDIT_TO_REDEEM') }) },
    cancelRedemption: { as: agent, input: async () => ({ redemptionId: await redemption(), reason: 'changed their mind' }) },
    upsertReward: { as: admin, input: async () => ({ code: 'AUDIT_GIFT', name: 'Audit gift', kind: 'GIFT', pointsCost: 20, stock: 3 }) },
    upsertEarningRule: { as: admin, input: async () => ({ code: 'AUDIT_RULE', description: 'Audit rule', calculation: 'FIXED', points: 10 }) },
    upsertLoyaltyTier: {
      as: admin,
      input: async () => ({
        code: 'AUDIT_TIER',
        name: 'Audit tier',
        rank: 99,
        threshold: 9_999_999,
        multiplier: '2',
        rateDiscountBps: 0,
        feeWaiversPerYear: 0,
        priorityService: false,
        dedicatedManager: false,
        birthdayGift: false,
      }),
    },
    updateLoyaltySettings: { as: admin, input: async () => ({ expiryWarningDays: 21 }) },
    runLoyaltyJob: { as: admin, input: async () => ({ job: 'TIER_EVALUATION', asOf: '2026-12-01' }) },
  };

  /** Records a command wrote (the access layer's fallback for a mutation that wrote none has no entity type). */
  const commandRecords = async (action: string, actorId: string) =>
    svc.db
      .selectFrom('audit_log')
      .select(['id', 'entity_type', 'entity_id', 'outcome'])
      .where('kind', '=', 'MUTATION')
      .where('action', '=', action)
      .where('actor_id', '=', actorId)
      .where('outcome', '=', 'SUCCEEDED')
      .where('entity_type', 'is not', null)
      .orderBy('seq')
      .execute();

  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_audit' });
    await given(svc).member(member, { branchId: 'BR-001' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const mutations = mutationsOfSchema();

  it('has a case for every Mutation field of the schema', () => {
    expect(mutations.length).toBeGreaterThan(5);
    expect(mutations.map((m) => m.name).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const { name, inputType } of mutations) {
    it(`${name} writes an audit record with the caller's user id`, async () => {
      const c = cases[name];
      if (!c) throw new Error(`No audit case for Mutation.${name}`);
      const input = await c.input();
      const before = (await commandRecords(name, c.as.userId)).length;
      const res = await svc.graphql<Record<string, { userErrors: unknown[] }>>(
        `mutation($input: ${inputType}!) { ${name}(input: $input) { userErrors { field code message } } }`,
        { input },
        c.as,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.[name]?.userErrors).toEqual([]);
      const after = await commandRecords(name, c.as.userId);
      expect(after.length).toBe(before + 1);
      expect(after.at(-1)?.entity_id).toBeTruthy();
    });
  }
});
