import { buildSubgraphSchema } from '@apollo/subgraph';
import { createEvent } from '@crm/events';
import { fieldsWithoutRoleRule, type Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { typeDefs } from '../src/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager, riskOfficer } from './given.ts';

const manager2: Identity = { userId: 'bm-9', roles: ['branch_manager'], branchId: 'BR-001' };
const managerBr2: Identity = { userId: 'bm-2', roles: ['branch_manager'], branchId: 'BR-002' };
const riskOfficer2: Identity = { userId: 'risk-2', roles: ['risk_officer'], branchId: 'BR-001' };
const auditor: Identity = { userId: 'aud-1', roles: ['auditor'] };
/** A BR-001 loan officer who manages none of the fixture customers (they are all assigned to officer-1). */
const officerBr1: Identity = { userId: 'lo-1', roles: ['loan_officer'], branchId: 'BR-001' };

const APPLY = `mutation($i: ApplyForLoanInput!) { applyForLoan(input: $i) { loan { id officerId appliedBy } userErrors { field code } } }`;
const APPROVE = `mutation($i: ApproveLoanInput!) { approveLoan(input: $i) { loan { id status approvedBy } userErrors { field code } } }`;
const DISBURSE = `mutation($i: DisburseLoanInput!) { disburseLoan(input: $i) { loan { id status disbursedBy } userErrors { field code } } }`;
const WRITE_OFF = `mutation($i: WriteOffLoanInput!) { writeOffLoan(input: $i) { loan { id status writtenOffBy } userErrors { field code } } }`;
const LOANS = `{ loans(first: 100) { edges { node { id } } } }`;
const TRAIL = `query($f: AuditFilter) { creditAuditTrail(filter: $f, first: 100) { edges { node { actorId action outcome entityId } } } }`;

type Payload = {
  loan: { id: string; status?: string; officerId?: string; appliedBy?: string; disbursedBy?: string; writtenOffBy?: string } | null;
  userErrors: { field: string | null; code: string }[];
};

describe('credit access: roles, scope, four eyes, audit', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  let loanBr1: string;
  let loanBr2: string;
  beforeAll(async () => {
    svc = await startTestService(creditService);
    g = given(svc);
    await g.customer('c-br1');
    await g.customer('c-br2', { branchId: 'BR-002' });
    await g.product({ maxPrincipal: '10000000.00' });
    loanBr1 = await g.activeLoan('c-br1', 'MICRO-M');
    const applied = await svc.graphql<{ applyForLoan: Payload }>(
      APPLY,
      { i: { customerId: 'c-br2', productCode: 'MICRO-M', principal: '1200.00', annualRate: '0.12', termCount: 3, purpose: 'Stock' } },
      managerBr2,
    );
    loanBr2 = applied.data?.applyForLoan.loan?.id ?? '';
    expect(loanBr2).not.toBe('');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('has a role rule on every Query and Mutation field', () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers });
    expect(fieldsWithoutRoleRule(schema)).toEqual([]);
  });

  it('keeps a BR-001 officer and manager to their branch; a risk officer and an administrator see both', async () => {
    for (const who of [officerBr1, manager]) {
      const list = await svc.graphql<{ loans: { edges: { node: { id: string } }[] } }>(LOANS, {}, who);
      const ids = list.data?.loans.edges.map((e) => e.node.id) ?? [];
      expect(ids).toContain(loanBr1);
      expect(ids).not.toContain(loanBr2);
      const byId = await svc.graphql(`query($id: ID!) { loan(id: $id) { id } }`, { id: loanBr2 }, who);
      expect(byId.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const ref = await svc.graphql<{ _entities: unknown[] }>(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Loan { id } ... on Customer { loans { id } } } }`,
        {
          r: [
            { __typename: 'Loan', id: loanBr2 },
            { __typename: 'Customer', id: 'c-br2' },
          ],
        },
        who,
      );
      expect(ref.data?._entities).toEqual([null, { loans: [] }]);
    }
    const before = await svc.db.selectFrom('loan').select('id').execute();
    const apply = await svc.graphql(
      APPLY,
      { i: { customerId: 'c-br2', productCode: 'MICRO-M', principal: '1200.00', annualRate: '0.12', termCount: 3, purpose: 'Stock' } },
      officerBr1,
    );
    expect(apply.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const approve = await svc.graphql(APPROVE, { i: { loanId: loanBr2 } }, manager);
    expect(approve.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await svc.db.selectFrom('loan').select('id').execute()).toHaveLength(before.length);
    const row = await svc.db.selectFrom('loan').select(['status', 'approved_by']).where('id', '=', loanBr2).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'APPLIED', approved_by: null });
    for (const who of [riskOfficer, staff.admin]) {
      const list = await svc.graphql<{ loans: { edges: { node: { id: string } }[] } }>(LOANS, {}, who);
      expect(list.data?.loans.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining([loanBr1, loanBr2]));
    }
  });

  it('follows a customer moved to another branch (CustomerProfileUpdated, idempotent) and a new relationship manager', async () => {
    const moved = createEvent('CustomerProfileUpdated', {
      subject: 'c-br2',
      data: {
        customerId: 'c-br2',
        changes: [{ field: 'branchId', oldValue: 'BR-002', newValue: 'BR-001' }],
        updatedBy: 'bm-2',
        updatedAt: new Date(Date.now() + 1000).toISOString(),
      },
    });
    for (let i = 0; i < 2; i++) await svc.consumer.handle({ topic: 'crm.customers.v1', key: 'c-br2', value: JSON.stringify(moved) });
    const seen = await svc.graphql(`query($id: ID!) { loan(id: $id) { id } }`, { id: loanBr2 }, manager);
    expect(seen.errors).toBeUndefined();
    const assigned = createEvent('RelationshipManagerAssigned', {
      subject: 'c-br2',
      data: {
        customerId: 'c-br2',
        relationshipManagerId: 'lo-7',
        previousRelationshipManagerId: 'officer-1',
        branchId: 'BR-002',
        assignedAt: new Date(Date.now() + 2000).toISOString(),
      },
    });
    await svc.consumer.handle({ topic: 'crm.customers.v1', key: 'c-br2', value: JSON.stringify(assigned) });
    const replica = await svc.db
      .selectFrom('customer_replica')
      .select(['branch_id', 'relationship_manager_id'])
      .where('id', '=', 'c-br2')
      .executeTakeFirstOrThrow();
    expect(replica).toEqual({ branch_id: 'BR-002', relationship_manager_id: 'lo-7' });
    const assignedOfficer: Identity = { userId: 'lo-7', roles: ['loan_officer'], branchId: 'BR-009' };
    expect((await svc.graphql(`query($id: ID!) { loan(id: $id) { id } }`, { id: loanBr2 }, assignedOfficer)).errors).toBeUndefined();
    expect((await svc.graphql(`query($id: ID!) { loan(id: $id) { id } }`, { id: loanBr2 }, manager)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('records the caller as officer and refuses one manager approving and writing off their own 5,000,000 loan, which needs two approvers and an administrator to write off', async () => {
    const applied = await svc.graphql<{ applyForLoan: Payload }>(
      APPLY,
      {
        i: {
          customerId: 'c-br1',
          productCode: 'MICRO-M',
          principal: '5000000.00',
          annualRate: '0.12',
          termCount: 12,
          purpose: 'Stock',
          officerId: 'someone-else',
        },
      },
      manager,
    );
    const loan = applied.data?.applyForLoan.loan;
    expect(loan).toMatchObject({ officerId: manager.userId, appliedBy: manager.userId });
    const id = loan?.id ?? '';
    const self = await svc.graphql<{ approveLoan: Payload }>(APPROVE, { i: { loanId: id } }, manager);
    expect(self.data?.approveLoan.userErrors).toEqual([{ field: 'loanId', code: 'SAME_PERSON' }]);
    // 5,000,000 USD is above the seeded approval policy (25,000.00): a second approver is needed.
    const other = await svc.graphql<{ approveLoan: Payload }>(APPROVE, { i: { loanId: id } }, manager2);
    expect(other.data?.approveLoan).toMatchObject({ loan: { status: 'APPLIED' }, userErrors: [] });
    const second = await svc.graphql<{ approveLoan: Payload }>(APPROVE, { i: { loanId: id } }, riskOfficer2);
    expect(second.data?.approveLoan).toMatchObject({ loan: { status: 'APPROVED', approvedBy: riskOfficer2.userId }, userErrors: [] });
    const disbursed = await svc.graphql<{ disburseLoan: Payload }>(DISBURSE, { i: { loanId: id } }, manager);
    expect(disbursed.data?.disburseLoan).toMatchObject({ loan: { status: 'ACTIVE', disbursedBy: manager.userId }, userErrors: [] });
    for (const who of [manager, manager2, riskOfficer2]) {
      const refused = await svc.graphql<{ writeOffLoan: Payload }>(WRITE_OFF, { i: { loanId: id, reason: 'Absconded' } }, who);
      expect(refused.data?.writeOffLoan.userErrors).toEqual([{ field: 'loanId', code: 'SAME_PERSON' }]);
    }
    // Above the policy's write-off limit (10,000.00 USD): administrators only.
    const notAdmin = await svc.graphql<{ writeOffLoan: Payload }>(WRITE_OFF, { i: { loanId: id, reason: 'Absconded' } }, riskOfficer);
    expect(notAdmin.data?.writeOffLoan.userErrors).toEqual([{ field: 'loanId', code: 'ADMINISTRATOR_REQUIRED' }]);
    const done = await svc.graphql<{ writeOffLoan: Payload }>(WRITE_OFF, { i: { loanId: id, reason: 'Absconded' } }, staff.admin);
    expect(done.data?.writeOffLoan).toMatchObject({ loan: { status: 'WRITTEN_OFF', writtenOffBy: staff.admin.userId }, userErrors: [] });

    const byAdmin = await svc.graphql<{ applyForLoan: Payload }>(
      APPLY,
      { i: { customerId: 'c-br1', productCode: 'MICRO-M', principal: '1000.00', annualRate: '0.12', termCount: 3, purpose: 'Stock', officerId: 'officer-1' } },
      staff.admin,
    );
    expect(byAdmin.data?.applyForLoan.loan).toMatchObject({ officerId: 'officer-1', appliedBy: staff.admin.userId });
  });

  it('hides the guarantor name from analysts (null and FORBIDDEN on that path only)', async () => {
    const added = await svc.graphql<{ addGuarantor: { userErrors: unknown[] } }>(
      `mutation($i: AddGuarantorInput!) { addGuarantor(input: $i) { userErrors { code } } }`,
      { i: { loanId: loanBr1, name: 'Awa Diop', guaranteedAmount: '500.00' } },
      manager,
    );
    expect(added.data?.addGuarantor.userErrors).toEqual([]);
    const Q = `query($id: ID!) { loan(id: $id) { id guarantors { edges { node { name guaranteedAmount { amount } } } } } }`;
    type G = { edges: { node: { name: string | null } }[] };
    const analyst = await svc.graphql<{ loan: { id: string; guarantors: G } }>(Q, { id: loanBr1 }, staff.analyst);
    expect(analyst.data?.loan).toEqual({ id: loanBr1, guarantors: { edges: [{ node: { name: null, guaranteedAmount: { amount: '500.00' } } }] } });
    expect(analyst.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['loan.guarantors.edges.0.node.name', 'FORBIDDEN']]);
    const risk = await svc.graphql<{ loan: { guarantors: G } }>(Q, { id: loanBr1 }, riskOfficer);
    expect(risk.data?.loan.guarantors.edges[0]?.node.name).toBe('Awa Diop');
  });

  it('keeps an audit trail of who did what, readable by administrators and auditors only, append-only', async () => {
    const trail = await svc.graphql<{ creditAuditTrail: { edges: { node: { actorId: string; action: string; outcome: string } }[] } }>(TRAIL, {}, auditor);
    expect(trail.errors).toBeUndefined();
    const nodes = trail.data?.creditAuditTrail.edges.map((e) => e.node) ?? [];
    expect(nodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorId: manager.userId, action: 'approveLoan', outcome: 'REJECTED' }),
        expect.objectContaining({ actorId: manager2.userId, action: 'approveLoan', outcome: 'SUCCEEDED' }),
        expect.objectContaining({ actorId: riskOfficer2.userId, action: 'approveLoan', outcome: 'SUCCEEDED' }),
        expect.objectContaining({ actorId: riskOfficer.userId, action: 'writeOffLoan', outcome: 'REJECTED' }),
        expect.objectContaining({ actorId: staff.admin.userId, action: 'writeOffLoan', outcome: 'SUCCEEDED' }),
      ]),
    );
    const refusal = await svc.graphql(`mutation { setIndustryWatchList(input: { industries: ["x"] }) { industries } }`, {}, staff.officer);
    expect(refusal.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const after = await svc.graphql<{ creditAuditTrail: { edges: { node: { actorId: string; outcome: string } }[] } }>(
      TRAIL,
      { f: { action: 'setIndustryWatchList' } },
      staff.admin,
    );
    expect(after.data?.creditAuditTrail.edges.map((e) => e.node)).toEqual([expect.objectContaining({ actorId: staff.officer.userId, outcome: 'FORBIDDEN' })]);
    const outside = await svc.graphql<{ creditAuditTrail: { edges: { node: { actorId: string; outcome: string; entityId: string | null } }[] } }>(
      TRAIL,
      { f: { action: 'approveLoan', actorId: manager.userId } },
      staff.admin,
    );
    expect(outside.data?.creditAuditTrail.edges.map((e) => e.node.outcome)).toEqual(expect.arrayContaining(['FORBIDDEN', 'REJECTED']));
    const writeOff = await svc.graphql<{ creditAuditTrail: { edges: { node: { outcome: string; changes: { field: string; after: string | null }[] } }[] } }>(
      `query($f: AuditFilter) { creditAuditTrail(filter: $f) { edges { node { outcome changes { field after } } } } }`,
      { f: { action: 'writeOffLoan', actorId: staff.admin.userId } },
      staff.admin,
    );
    expect(writeOff.data?.creditAuditTrail.edges[0]?.node.changes).toEqual(
      expect.arrayContaining([
        { field: 'status', after: '"WRITTEN_OFF"' },
        { field: 'writtenOffBy', after: `"${staff.admin.userId}"` },
      ]),
    );
    const analyst = await svc.graphql(TRAIL, {}, staff.analyst);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await expect(svc.db.updateTable('audit_log').set({ actor_id: 'x' }).execute()).rejects.toThrow();
    await expect(svc.db.deleteFrom('audit_log').execute()).rejects.toThrow();
  });
  it('counts only the loans in scope in the portfolio summary', async () => {
    expect((await svc.graphql<{ approveLoan: Payload }>(APPROVE, { i: { loanId: loanBr2 } }, riskOfficer)).data?.approveLoan.userErrors).toEqual([]);
    expect((await svc.graphql<{ disburseLoan: Payload }>(DISBURSE, { i: { loanId: loanBr2 } }, managerBr2)).data?.disburseLoan.userErrors).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    const run = await svc.graphql(`mutation($a: Date!) { runEndOfDay(input: { asOf: $a }) { loansEvaluated userErrors { code } } }`, { a: today }, riskOfficer);
    expect(run.errors).toBeUndefined();
    const active = async (who: Identity) => {
      const res = await svc.graphql<{ portfolioSummary: { activeLoans: number } }>(`{ portfolioSummary { activeLoans } }`, {}, who);
      expect(res.errors).toBeUndefined();
      return res.data?.portfolioSummary.activeLoans;
    };
    expect(await active(managerBr2)).toBe(1);
    expect(await active(manager)).toBe(1);
    expect(await active(riskOfficer)).toBe(2);
  });
});
