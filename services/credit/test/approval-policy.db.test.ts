import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, manager, riskOfficer } from './given.ts';

const POLICIES = `{ approvalPolicies { currency secondApprovalAbove writeOffAdministratorAbove updatedBy } }`;
const SET = `mutation($input: SetApprovalPolicyInput!) { setApprovalPolicy(input: $input) {
  policy { currency secondApprovalAbove writeOffAdministratorAbove updatedBy } userErrors { field code message } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) {
  loan { id status awaitingSecondApproval firstApprovedBy approvedBy } userErrors { field code } } }`;
const WRITE_OFF = `mutation($input: WriteOffLoanInput!) { writeOffLoan(input: $input) { loan { status writtenOffBy } userErrors { field code } } }`;
const TRAIL = `query($f: AuditFilter) { creditAuditTrail(filter: $f, first: 100) { edges { node { actorId action outcome entityId changes { field before after } } } } }`;

type Approve = {
  approveLoan: {
    loan: { status: string; awaitingSecondApproval: boolean; firstApprovedBy: string | null; approvedBy: string | null } | null;
    userErrors: { field: string; code: string }[];
  };
};

describe('approval limits as data', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const manager2 = { userId: 'bm-2', roles: ['branch_manager' as const], branchId: 'BR-001' };
  const approve = async (loanId: string, who: typeof manager) => (await svc.graphql<Approve>(APPROVE, { input: { loanId } }, who)).data?.approveLoan;
  const set = (input: Record<string, unknown>, who: Identity = staff.admin) =>
    svc.graphql<{ setApprovalPolicy: { policy: Record<string, unknown> | null; userErrors: { field: string; code: string }[] } }>(SET, { input }, who);
  const applied = async (principal: string) => {
    const res = await g.apply({ customerId: 'c-ap', productCode: 'MICRO-M', principal, annualRate: '0.12', termCount: 3, purpose: 'Stock' });
    expect(res.userErrors).toEqual([]);
    return res.loan?.id ?? '';
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-15T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_approval' });
    g = given(svc);
    await g.customer('c-ap');
    await g.product();
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('reads the seeded policy', async () => {
    const res = await svc.graphql<{ approvalPolicies: { currency: string; secondApprovalAbove: string; writeOffAdministratorAbove: string | null }[] }>(
      POLICIES,
      {},
      riskOfficer,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.approvalPolicies).toContainEqual({
      currency: 'USD',
      secondApprovalAbove: '25000.00',
      writeOffAdministratorAbove: '10000.00',
      updatedBy: 'seed',
    });
    expect(res.data?.approvalPolicies).toContainEqual({
      currency: 'KWD',
      secondApprovalAbove: '7500.000',
      writeOffAdministratorAbove: '3000.000',
      updatedBy: 'seed',
    });
  });

  it('lets only administrators set a policy, refusing bad input field by field, and audits before/after', async () => {
    const forbidden = await set({ currency: 'USD', secondApprovalAbove: '1.00' }, riskOfficer);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await set({ currency: 'usd', secondApprovalAbove: '-1', writeOffAdministratorAbove: '-5' });
    expect(bad.data?.setApprovalPolicy.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['currency', 'UNSUPPORTED_CURRENCY'],
      ['secondApprovalAbove', 'NEGATIVE'],
      ['writeOffAdministratorAbove', 'NEGATIVE'],
    ]);
    const decimals = await set({ currency: 'USD', secondApprovalAbove: '1000.001' });
    expect(decimals.data?.setApprovalPolicy.userErrors.map((e) => [e.field, e.code])).toEqual([['secondApprovalAbove', 'TOO_MANY_DECIMALS']]);
    const xof = await set({ currency: 'XOF', secondApprovalAbove: '1000000.5' });
    expect(xof.data?.setApprovalPolicy.userErrors.map((e) => [e.field, e.code])).toEqual([['secondApprovalAbove', 'TOO_MANY_DECIMALS']]);
    const ok = await set({ currency: 'USD', secondApprovalAbove: '1000', writeOffAdministratorAbove: '100.5' });
    expect(ok.data?.setApprovalPolicy).toEqual({
      policy: { currency: 'USD', secondApprovalAbove: '1000.00', writeOffAdministratorAbove: '100.50', updatedBy: 'admin-1' },
      userErrors: [],
    });
    const trail = await svc.graphql<{
      creditAuditTrail: { edges: { node: { outcome: string; entityId: string; changes: { field: string; before: string; after: string }[] } }[] };
    }>(TRAIL, { f: { action: 'setApprovalPolicy' } }, staff.admin);
    const nodes = trail.data?.creditAuditTrail.edges.map((e) => e.node) ?? [];
    expect(nodes.map((n) => n.outcome).sort()).toEqual(['FORBIDDEN', 'REJECTED', 'REJECTED', 'REJECTED', 'SUCCEEDED']);
    const done = nodes.find((n) => n.outcome === 'SUCCEEDED');
    expect(done?.entityId).toBe('USD');
    expect(done?.changes).toEqual(
      expect.arrayContaining([
        { field: 'secondApprovalAbove', before: '"25000.00"', after: '"1000.00"' },
        { field: 'writeOffAdministratorAbove', before: '"10000.00"', after: '"100.50"' },
      ]),
    );
  });

  it('keeps a loan above the limit awaiting a second, different approver; one below is approved at once', async () => {
    const big = await applied('1200.00');
    const first = await approve(big, manager);
    expect(first).toEqual({ loan: { id: big, status: 'APPLIED', awaitingSecondApproval: true, firstApprovedBy: 'bm-1', approvedBy: null }, userErrors: [] });
    expect(await eventsOf(svc, big)).toEqual(['LoanApplied']);
    expect((await g.disburse(big, '2026-01-15')).userErrors.map((e) => e.code)).toEqual(['INVALID_LOAN_STATUS']);
    const again = await approve(big, manager);
    expect(again?.userErrors).toEqual([{ field: 'loanId', code: 'SAME_PERSON' }]);
    const officer = await svc.graphql(APPROVE, { input: { loanId: big } }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const second = await approve(big, riskOfficer);
    expect(second).toEqual({
      loan: { id: big, status: 'APPROVED', awaitingSecondApproval: false, firstApprovedBy: 'bm-1', approvedBy: 'risk-1' },
      userErrors: [],
    });
    expect(await eventsOf(svc, big)).toEqual(['LoanApplied', 'LoanApproved']);

    const small = await applied('1000.00');
    expect(await approve(small, manager2)).toEqual({
      loan: { id: small, status: 'APPROVED', awaitingSecondApproval: false, firstApprovedBy: null, approvedBy: 'bm-2' },
      userErrors: [],
    });
  });

  it('needs an administrator to write off more than the policy allows', async () => {
    const id = await applied('500.00');
    expect((await approve(id, manager))?.loan?.status).toBe('APPROVED');
    expect((await g.disburse(id, '2026-01-15')).userErrors).toEqual([]);
    const refused = await svc.graphql<{ writeOffLoan: { userErrors: { field: string; code: string }[] } }>(
      WRITE_OFF,
      { input: { loanId: id, reason: 'Fraud' } },
      riskOfficer,
    );
    expect(refused.data?.writeOffLoan.userErrors).toEqual([{ field: 'loanId', code: 'ADMINISTRATOR_REQUIRED' }]);
    const done = await svc.graphql<{ writeOffLoan: { loan: { status: string } | null } }>(WRITE_OFF, { input: { loanId: id, reason: 'Fraud' } }, staff.admin);
    expect(done.data?.writeOffLoan.loan?.status).toBe('WRITTEN_OFF');
  });
});
