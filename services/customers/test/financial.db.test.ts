import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { counts, eventsOf, given } from './given.ts';

type Errors = { field: string | null; code: string }[];

const SNAPSHOT = /* GraphQL */ `
  mutation($input: RecordFinancialSnapshotInput!) {
    recordFinancialSnapshot(input: $input) {
      snapshot { id asOf monthlyIncome incomeBand debtRatio riskAppetite externalCreditScore }
      customer { financialProfile { asOf monthlyIncome } }
      userErrors { field code }
    }
  }
`;
const CONSENT = /* GraphQL */ `
  mutation($input: SetCustomerConsentInput!) {
    setCustomerConsent(input: $input) { consent { purpose granted channel changedBy } userErrors { field code } }
  }
`;

describe('financial snapshots, consent, special care and the customer file', () => {
  let svc: TestService<DB>;
  let make: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(customersService);
    make = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('records dated snapshots, keeps the newest as current and emits the income change', async () => {
    const id = await make.customer();
    type R = {
      recordFinancialSnapshot: {
        snapshot: { incomeBand: string; debtRatio: string } | null;
        customer: { financialProfile: { asOf: string } };
        userErrors: Errors;
      };
    };
    const first = await svc.graphql<R>(
      SNAPSHOT,
      {
        input: {
          customerId: id,
          asOf: '2026-06-30',
          currency: 'XAF',
          monthlyIncome: '300000',
          assets: '3000000',
          liabilities: '1000000',
          externalCreditScore: 640,
          riskAppetite: 'BALANCED',
        },
      },
      staff.officer,
    );
    expect(first.data?.recordFinancialSnapshot.userErrors).toEqual([]);
    // 1 000 000 / 3 000 000 = 0.3333 (4 decimals, half-up); 300 000 a month is UPPER_MIDDLE.
    expect(first.data?.recordFinancialSnapshot.snapshot).toMatchObject({ incomeBand: 'UPPER_MIDDLE', debtRatio: '0.3333' });
    const second = await svc.graphql<R>(
      SNAPSHOT,
      { input: { customerId: id, asOf: '2026-10-31', currency: 'XAF', monthlyIncome: '210000', externalCreditScore: 590 } },
      staff.officer,
    );
    expect(second.data?.recordFinancialSnapshot.customer.financialProfile).toEqual({ asOf: '2026-10-31', monthlyIncome: '210000.00' });
    // A back-dated snapshot does not become current.
    const older = await svc.graphql<R>(SNAPSHOT, { input: { customerId: id, asOf: '2026-01-31', currency: 'XAF', monthlyIncome: '250000' } }, staff.officer);
    expect(older.data?.recordFinancialSnapshot.customer.financialProfile.asOf).toBe('2026-10-31');

    const events = (await eventsOf(svc, id, 'FinancialSnapshotRecorded')).map((e) => e.data);
    // (210 000 - 300 000) / 300 000 = -0.3000
    expect(events[1]).toMatchObject({
      monthlyIncome: '210000.00',
      previousMonthlyIncome: '300000.00',
      incomeChangeRatio: '-0.3000',
      externalCreditScore: 590,
      previousExternalCreditScore: 640,
    });
    expect(events[0]).toMatchObject({ previousMonthlyIncome: null, incomeChangeRatio: null, debtRatio: '0.3333' });

    const LIST = `query { customers(filter: { incomeBand: [LOWER_MIDDLE], branchId: "BR-001" }) { edges { node { id } } } }`;
    const listed = await svc.graphql<{ customers: { edges: { node: { id: string } }[] } }>(LIST);
    expect(listed.data?.customers.edges.map((e) => e.node.id)).toContain(id);
  });

  it('refuses negative income and an unknown customer, writing nothing; repeats an idempotent snapshot', async () => {
    const id = await make.customer();
    const before = await counts(svc);
    const negative = await svc.graphql<{ recordFinancialSnapshot: { userErrors: Errors } }>(
      SNAPSHOT,
      { input: { customerId: id, asOf: '2026-10-31', currency: 'XAF', monthlyIncome: '-5' } },
      staff.officer,
    );
    expect(negative.data?.recordFinancialSnapshot.userErrors).toEqual([{ field: 'monthlyIncome', code: 'NEGATIVE_AMOUNT' }]);
    const unknown = await svc.graphql<{ recordFinancialSnapshot: { userErrors: Errors } }>(
      SNAPSHOT,
      { input: { customerId: 'nobody', asOf: '2026-10-31', currency: 'XAF', monthlyIncome: '5' } },
      staff.officer,
    );
    expect(unknown.data?.recordFinancialSnapshot.userErrors).toEqual([{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND' }]);
    expect(await counts(svc)).toEqual(before);
    const input = { customerId: id, asOf: '2026-10-31', currency: 'XAF', monthlyIncome: '5', idempotencyKey: 'snap-1' };
    const a = await svc.graphql<{ recordFinancialSnapshot: { snapshot: { id: string } } }>(SNAPSHOT, { input }, staff.officer);
    const b = await svc.graphql<{ recordFinancialSnapshot: { snapshot: { id: string } } }>(SNAPSHOT, { input }, staff.officer);
    expect(b.data?.recordFinancialSnapshot.snapshot.id).toBe(a.data?.recordFinancialSnapshot.snapshot.id);
    expect((await counts(svc)).snapshots).toBe(before.snapshots + 1);
  });

  it('grants and withdraws consent per purpose with time and channel, emitting ConsentChanged only on a change', async () => {
    const id = await make.customer();
    const set = (purpose: string, granted: boolean, channel: string) =>
      svc.graphql<{ setCustomerConsent: { consent: { granted: boolean; channel: string }; userErrors: Errors } }>(
        CONSENT,
        { input: { customerId: id, purpose, granted, channel } },
        staff.officer,
      );
    expect((await set('MARKETING_CONTACT', true, 'BRANCH')).data?.setCustomerConsent.userErrors).toEqual([]);
    await set('MARKETING_CONTACT', true, 'BRANCH');
    expect((await set('MARKETING_CONTACT', false, 'SMS')).data?.setCustomerConsent.consent).toMatchObject({ granted: false, channel: 'SMS' });
    const events = (await eventsOf(svc, id, 'ConsentChanged')).map((e) => [e.data.purpose, e.data.granted, e.data.channel]);
    expect(events).toEqual([
      ['MARKETING_CONTACT', true, 'BRANCH'],
      ['MARKETING_CONTACT', false, 'SMS'],
    ]);
    const view = await svc.graphql<{
      customer: { consents: { purpose: string; granted: boolean; channel: string | null }[]; consentHistory: { edges: { node: unknown }[] } };
    }>(`query($id: ID!) { customer(id: $id) { consents { purpose granted channel } consentHistory { edges { node { purpose granted } } } } }`, { id });
    expect(view.data?.customer.consents).toEqual([
      { purpose: 'MARKETING_CONTACT', granted: false, channel: 'SMS' },
      { purpose: 'DATA_SHARING', granted: false, channel: null },
      { purpose: 'PROFILING', granted: false, channel: null },
    ]);
    expect(view.data?.customer.consentHistory.edges.map((e) => e.node)).toEqual([
      { purpose: 'MARKETING_CONTACT', granted: false },
      { purpose: 'MARKETING_CONTACT', granted: true },
    ]);
    const badPurpose = await svc.graphql(CONSENT, { input: { customerId: id, purpose: 'SPAM', granted: true, channel: 'SMS' } }, staff.officer);
    expect(badPurpose.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('sets special-care flags (history recorded, filterable) and files documents by category', async () => {
    const id = await make.customer({ branchId: 'BR-CARE' });
    // Branch scope: the officer serving this customer works at its branch.
    const careOfficer = { ...staff.officer, branchId: 'BR-CARE' };
    const care = await svc.graphql<{ setCustomerSpecialCare: { customer: { specialCare: { flags: string[]; note: string; priority: boolean } } } }>(
      `mutation($input: SetCustomerSpecialCareInput!) { setCustomerSpecialCare(input: $input) { customer { specialCare { flags note priority } } userErrors { code } } }`,
      { input: { customerId: id, flags: ['LOW_LITERACY', 'ELDERLY'], note: 'Read documents aloud' } },
      careOfficer,
    );
    expect(care.data?.setCustomerSpecialCare.customer.specialCare).toEqual({
      flags: ['ELDERLY', 'LOW_LITERACY'],
      note: 'Read documents aloud',
      priority: true,
    });
    const listed = await svc.graphql<{ customers: { totalCount: number } }>(`{ customers(filter: { branchId: "BR-CARE", specialCare: true }) { totalCount } }`);
    expect(listed.data?.customers.totalCount).toBe(1);

    const ADD = `mutation($input: AddCustomerDocumentInput!) { addCustomerDocument(input: $input) { document { id category documentType title storageRef sizeBytes addedBy } userErrors { field code } } }`;
    await svc.graphql(
      ADD,
      { input: { customerId: id, category: 'BASIC', documentType: 'identity', title: 'National id card', storageRef: 's3://files/id.pdf', sizeBytes: 120000 } },
      careOfficer,
    );
    await svc.graphql(
      ADD,
      { input: { customerId: id, category: 'DEVELOPMENT', documentType: 'VISIT_PLAN', title: 'Q1 visits', storageRef: 's3://files/v.pdf' } },
      careOfficer,
    );
    const docs = await svc.graphql<{
      customer: { basic: { edges: { node: { documentType: string; sizeBytes: number } }[] }; all: { totalCount: number; edges: unknown[] } };
    }>(
      `query($id: ID!) { customer(id: $id) { basic: documents(category: BASIC) { edges { node { documentType sizeBytes } } } all: documents { totalCount edges { node { id } } } } }`,
      { id },
    );
    expect(docs.data?.customer.basic.edges.map((e) => e.node)).toEqual([{ documentType: 'IDENTITY', sizeBytes: 120000 }]);
    expect(docs.data?.customer.all.edges).toHaveLength(2);
    expect(docs.data?.customer.all.totalCount).toBe(2);
    const before = await counts(svc);
    const bad = await svc.graphql<{ addCustomerDocument: { userErrors: Errors } }>(
      ADD,
      { input: { customerId: 'nobody', category: 'BASIC', documentType: 'X', title: 'x', storageRef: 'x' } },
      careOfficer,
    );
    expect(bad.data?.addCustomerDocument.userErrors).toEqual([{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND' }]);
    expect(await counts(svc)).toEqual(before);
  });

  it('resolves references with their consents, snapshots and grade in batches through _entities', async () => {
    const a = await make.customer();
    const b = await make.customer();
    await svc.graphql(CONSENT, { input: { customerId: b, purpose: 'PROFILING', granted: true, channel: 'APP' } }, staff.officer);
    await svc.graphql(SNAPSHOT, { input: { customerId: a, asOf: '2026-05-31', currency: 'XAF', monthlyIncome: '80000' } }, staff.officer);
    const res = await svc.graphql<{
      _entities: ({
        id: string;
        grade: string | null;
        financialProfile: { incomeBand: string } | null;
        consents: { purpose: string; granted: boolean }[];
      } | null)[];
    }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id grade financialProfile { incomeBand } consents { purpose granted } } } }`,
      {
        reps: [
          { __typename: 'Customer', id: a },
          { __typename: 'Customer', id: b },
          { __typename: 'Customer', id: 'missing' },
        ],
      },
    );
    expect(res.data?._entities[0]).toMatchObject({ id: a, grade: null, financialProfile: { incomeBand: 'LOW' } });
    expect(res.data?._entities[1]?.consents.find((c) => c.purpose === 'PROFILING')).toEqual({ purpose: 'PROFILING', granted: true });
    expect(res.data?._entities[1]?.financialProfile).toBeNull();
    expect(res.data?._entities[2]).toBeNull();
  });
});
