import { readFileSync } from 'node:fs';
import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { type FieldDefinitionNode, Kind, parse, type TypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { branchManager, given } from './given.ts';

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

const officer: Identity = staff.officer;
const admin: Identity = staff.admin;
const analyst: Identity = staff.analyst;

type Case = { as: Identity; input: () => Promise<Record<string, unknown>> };

describe('every customers mutation leaves an audit record of its own', () => {
  let svc: TestService<DB>;
  let make: ReturnType<typeof given>;
  let customerId: string;

  const segment = async (name: string) => {
    const res = await svc.graphql<{ createCustomerSegment: { segment: { id: string } | null } }>(
      `mutation($input: CreateCustomerSegmentInput!) { createCustomerSegment(input: $input) { segment { id } } }`,
      { input: { name, rule: { attribute: 'status', op: 'eq', value: 'ACTIVE' } } },
      analyst,
    );
    const id = res.data?.createCustomerSegment.segment?.id;
    if (!id) throw new Error(`segment fixture failed: ${JSON.stringify(res)}`);
    return id;
  };

  /** One valid call per mutation; a mutation added to the schema without a case here fails the first test. */
  const cases: Record<string, Case> = {
    registerCustomer: {
      as: officer,
      input: async () => ({
        kind: 'INDIVIDUAL',
        branchId: 'BR-001',
        individual: { firstName: 'Audit', lastName: 'Trail', birthDate: '1990-01-01' },
        contact: { address: { region: 'Centre', city: 'Yaoundé' } },
      }),
    },
    updateCustomerProfile: { as: officer, input: async () => ({ customerId, tags: ['audited'] }) },
    markCustomerProfileReviewed: { as: officer, input: async () => ({ customerId }) },
    changeCustomerStatus: { as: officer, input: async () => ({ customerId, status: 'ACTIVE' }) },
    assignRelationshipManager: { as: branchManager, input: async () => ({ customerId, managerId: 'officer-9', reason: 'rotation' }) },
    recordFinancialSnapshot: { as: officer, input: async () => ({ customerId, asOf: '2026-01-31', currency: 'XAF', monthlyIncome: '250000' }) },
    setCustomerConsent: { as: officer, input: async () => ({ customerId, purpose: 'MARKETING_CONTACT', granted: true, channel: 'PHONE' }) },
    setCustomerSpecialCare: { as: officer, input: async () => ({ customerId, flags: ['ELDERLY'], note: 'prefers mornings' }) },
    addCustomerDocument: {
      as: officer,
      input: async () => ({ customerId, category: 'BASIC', documentType: 'IDENTITY', title: 'ID card', storageRef: 'files/id-card.pdf' }),
    },
    createCustomerSegment: { as: analyst, input: async () => ({ name: 'audit-created', rule: { attribute: 'status', op: 'eq', value: 'ACTIVE' } }) },
    updateCustomerSegment: { as: analyst, input: async () => ({ id: await segment('audit-to-update'), description: 'changed' }) },
    deleteCustomerSegment: { as: branchManager, input: async () => ({ id: await segment('audit-to-delete') }) },
    setCustomerGradeThresholds: {
      as: admin,
      input: async () => ({
        thresholds: [
          { grade: 'VIP', minScore: '80' },
          { grade: 'PREMIUM', minScore: '60' },
          { grade: 'STANDARD', minScore: '40' },
          { grade: 'BASIC', minScore: '0' },
        ],
      }),
    },
    updateCustomerPolicy: { as: admin, input: async () => ({ staleAfterDays: 365 }) },
    runGradeEvaluation: { as: admin, input: async () => ({ asOf: '2026-11-30' }) },
    runCustomersJob: { as: admin, input: async () => ({ job: 'GRADE_EVALUATION', asOf: '2026-11-30' }) },
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
    svc = await startTestService(customersService);
    make = given(svc);
    customerId = await make.customer({ tags: ['audit-coverage'] });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const mutations = mutationsOfSchema();

  it('has a case for every Mutation field of the schema', () => {
    expect(mutations.length).toBeGreaterThan(10);
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
