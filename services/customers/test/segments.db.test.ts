import { createEvent } from '@crm/events';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { branchManager, counts, given } from './given.ts';

type Errors = { field: string | null; code: string }[];
const CREATE = /* GraphQL */ `
  mutation($input: CreateCustomerSegmentInput!) {
    createCustomerSegment(input: $input) { segment { id name rule customerCount } userErrors { field code } }
  }
`;
const SEGMENT = /* GraphQL */ `
  query($id: ID!, $after: String) {
    segment(id: $id) { name customerCount members(first: 2, after: $after) { edges { node { id displayName } } pageInfo { hasNextPage endCursor } } }
  }
`;

describe('segments', () => {
  let svc: TestService<DB>;
  let make: ReturnType<typeof given>;
  const ids: Record<string, string> = {};
  // The customers of these tests are in BR-SEG: so is the branch manager who counts them.
  const segManager = { ...branchManager, branchId: 'BR-SEG' };
  beforeAll(async () => {
    svc = await startTestService(customersService);
    make = given(svc);
    const year = new Date().getUTCFullYear();
    ids.young = await make.customer({
      branchId: 'BR-SEG',
      tags: ['market'],
      individual: { firstName: 'Young', lastName: 'Trader', birthDate: `${year - 22}-01-01`, occupation: 'Trader' },
    });
    ids.mid = await make.customer({
      branchId: 'BR-SEG',
      individual: { firstName: 'Mid', lastName: 'Farmer', birthDate: `${year - 40}-01-01`, occupation: 'Farmer' },
    });
    ids.old = await make.customer({
      branchId: 'BR-SEG',
      tags: ['market', 'vip'],
      individual: { firstName: 'Old', lastName: 'Trader', birthDate: `${year - 70}-01-01`, occupation: 'trader' },
    });
    ids.firm = await make.customer({
      branchId: 'BR-SEG',
      kind: 'ENTERPRISE',
      individual: null,
      enterprise: { legalName: 'Agro Firm', registrationNumber: 'RC-1', industry: 'Agriculture' },
    });
    await svc.graphql(
      `mutation($input: RecordFinancialSnapshotInput!) { recordFinancialSnapshot(input: $input) { userErrors { code } } }`,
      { input: { customerId: ids.mid, asOf: '2026-01-31', currency: 'XAF', monthlyIncome: '1500000' } },
      { ...staff.officer, branchId: 'BR-SEG' },
    );
    // Credit told us the farmer's loan is 31-60 days past due.
    const disbursed = createEvent('LoanDisbursed', {
      subject: ids.mid,
      data: {
        loanId: 'loan-seg',
        customerId: ids.mid,
        productCode: 'MICRO',
        principal: '500000.00',
        currency: 'XAF',
        disbursedOn: '2026-01-10',
        firstDueDate: '2026-02-10',
        instalmentCount: 12,
        officerId: 'officer-7',
        loanCycle: 1,
      },
    });
    const bucket = createEvent('DelinquencyBucketChanged', {
      subject: ids.mid,
      data: { loanId: 'loan-seg', customerId: ids.mid, previousBucket: 'DPD_1_30', bucket: 'DPD_31_60', daysPastDue: 35, asOf: '2026-03-20' },
    });
    for (const e of [disbursed, bucket]) await svc.consumer.handle({ topic: 'crm.credit.v1', key: ids.mid, value: JSON.stringify(e) });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function members(rule: unknown): Promise<string[]> {
    const created = await svc.graphql<{ createCustomerSegment: { segment: { id: string } | null; userErrors: Errors } }>(
      CREATE,
      { input: { name: `s-${Math.random()}`, rule: { all: [{ attribute: 'branchId', op: 'eq', value: 'BR-SEG' }, rule] } } },
      staff.admin,
    );
    expect(created.data?.createCustomerSegment.userErrors).toEqual([]);
    const id = created.data?.createCustomerSegment.segment?.id;
    const res = await svc.graphql<{ customers: { edges: { node: { id: string } }[] } }>(
      `query($s: ID!) { customers(filter: { segmentId: $s }, first: 50) { edges { node { id } } } }`,
      {
        s: id,
      },
    );
    return (res.data?.customers.edges ?? []).map((e) => e.node.id).sort();
  }
  const sorted = (...names: string[]) => names.map((n) => ids[n] ?? '').sort();

  it('evaluates each attribute kind live: text (case-insensitive), age, tags, income band, credit behaviour, kind, industry', async () => {
    expect(await members({ attribute: 'occupation', op: 'eq', value: 'TRADER' })).toEqual(sorted('young', 'old'));
    expect(await members({ attribute: 'ageBand', op: 'eq', value: 'UNDER_25' })).toEqual(sorted('young'));
    expect(await members({ attribute: 'age', op: 'gte', value: 65 })).toEqual(sorted('old'));
    expect(await members({ attribute: 'tags', op: 'contains', value: 'market' })).toEqual(sorted('young', 'old'));
    expect(await members({ attribute: 'incomeBand', op: 'eq', value: 'HIGH' })).toEqual(sorted('mid'));
    expect(await members({ attribute: 'delinquencyBucket', op: 'in', value: ['DPD_31_60', 'DPD_61_90'] })).toEqual(sorted('mid'));
    expect(await members({ attribute: 'activeLoans', op: 'gte', value: 1 })).toEqual(sorted('mid'));
    expect(await members({ attribute: 'industry', op: 'contains', value: 'agri' })).toEqual(sorted('firm'));
    expect(await members({ not: { attribute: 'kind', op: 'eq', value: 'INDIVIDUAL' } })).toEqual(sorted('firm'));
    expect(
      await members({
        any: [
          { attribute: 'tags', op: 'contains', value: 'vip' },
          {
            all: [
              { attribute: 'kind', op: 'eq', value: 'ENTERPRISE' },
              { attribute: 'region', op: 'eq', value: 'centre' },
            ],
          },
        ],
      }),
    ).toEqual(sorted('old', 'firm'));
  });

  it('filters customers by age band and delinquency bucket with the same compiler', async () => {
    const q = async (filter: string) =>
      (
        await svc.graphql<{ customers: { edges: { node: { id: string } }[] } }>(
          `{ customers(filter: { branchId: "BR-SEG", ${filter} }) { edges { node { id } } } }`,
        )
      ).data?.customers.edges
        .map((e) => e.node.id)
        .sort();
    expect(await q('ageBand: [FROM_65, UNDER_25]')).toEqual(sorted('young', 'old'));
    expect(await q('delinquencyBucket: [DPD_31_60]')).toEqual(sorted('mid'));
    expect(await q('delinquencyBucket: [CURRENT]')).toEqual(sorted('young', 'old', 'firm'));
  });

  it('counts and pages members, lists segments, updates the rule and deletes', async () => {
    const created = await svc.graphql<{ createCustomerSegment: { segment: { id: string; customerCount: number } } }>(
      CREATE,
      {
        input: {
          name: 'Seg traders',
          rule: {
            all: [
              { attribute: 'branchId', op: 'eq', value: 'BR-SEG' },
              { attribute: 'kind', op: 'eq', value: 'INDIVIDUAL' },
            ],
          },
        },
      },
      segManager,
    );
    const id = created.data?.createCustomerSegment.segment.id;
    expect(created.data?.createCustomerSegment.segment.customerCount).toBe(3);
    type S = { segment: { customerCount: number; members: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } };
    const p1 = await svc.graphql<S>(SEGMENT, { id });
    expect(p1.data?.segment.members.edges.map((e) => e.node.id)).toEqual([ids.young, ids.mid]);
    const p2 = await svc.graphql<S>(SEGMENT, { id, after: p1.data?.segment.members.pageInfo.endCursor });
    expect(p2.data?.segment.members.edges.map((e) => e.node.id)).toEqual([ids.old]);
    expect(p2.data?.segment.members.pageInfo.hasNextPage).toBe(false);

    const UPDATE = `mutation($input: UpdateCustomerSegmentInput!) { updateCustomerSegment(input: $input) { segment { customerCount } userErrors { field code } } }`;
    const updated = await svc.graphql<{ updateCustomerSegment: { segment: { customerCount: number } } }>(
      UPDATE,
      { input: { id, rule: { attribute: 'tags', op: 'contains', value: 'vip' } } },
      segManager,
    );
    expect(updated.data?.updateCustomerSegment.segment.customerCount).toBe(1);
    const listed = await svc.graphql<{ segments: { name: string }[] }>(`{ segments { name } }`);
    expect(listed.data?.segments.map((s) => s.name)).toContain('Seg traders');
    const DELETE = `mutation($input: DeleteCustomerSegmentInput!) { deleteCustomerSegment(input: $input) { deletedId userErrors { field code } } }`;
    expect(
      (await svc.graphql<{ deleteCustomerSegment: { deletedId: string } }>(DELETE, { input: { id } }, segManager)).data?.deleteCustomerSegment.deletedId,
    ).toBe(id);
    const gone = await svc.graphql<{ deleteCustomerSegment: { userErrors: Errors } }>(DELETE, { input: { id } }, segManager);
    expect(gone.data?.deleteCustomerSegment.userErrors).toEqual([{ field: 'id', code: 'SEGMENT_NOT_FOUND' }]);
    const none = await svc.graphql<{ customers: { totalCount: number } }>(`query($s: ID!) { customers(filter: { segmentId: $s }) { totalCount } }`, { s: id });
    expect(none.data?.customers.totalCount).toBe(0);
  });

  it('refuses an unknown attribute, a wrong value type and a taken name, writing nothing', async () => {
    const before = await counts(svc);
    const unknown = await svc.graphql<{ createCustomerSegment: { segment: null; userErrors: Errors } }>(
      CREATE,
      {
        input: {
          name: 'Bad',
          rule: {
            all: [
              { attribute: 'favouriteColour', op: 'eq', value: 'blue' },
              { attribute: 'activeLoans', op: 'gt', value: '2' },
            ],
          },
        },
      },
      staff.admin,
    );
    expect(unknown.data?.createCustomerSegment).toEqual({
      segment: null,
      userErrors: [
        { field: 'rule.all.0.attribute', code: 'UNKNOWN_ATTRIBUTE' },
        { field: 'rule.all.1.value', code: 'INVALID_VALUE_TYPE' },
      ],
    });
    await svc.graphql(CREATE, { input: { name: 'Taken', rule: { attribute: 'kind', op: 'eq', value: 'INDIVIDUAL' } } }, staff.admin);
    const mid = await counts(svc);
    const taken = await svc.graphql<{ createCustomerSegment: { userErrors: Errors } }>(
      CREATE,
      { input: { name: 'Taken', rule: { attribute: 'kind', op: 'eq', value: 'INDIVIDUAL' } } },
      staff.admin,
    );
    expect(taken.data?.createCustomerSegment.userErrors).toEqual([{ field: 'name', code: 'NAME_TAKEN' }]);
    expect(await counts(svc)).toEqual(mid);
    expect(mid.segments).toBe(before.segments + 1);
    const officer = await svc.graphql(CREATE, { input: { name: 'X', rule: { attribute: 'kind', op: 'eq', value: 'INDIVIDUAL' } } }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
