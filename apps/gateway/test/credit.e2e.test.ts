import type { Identity } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

const manager: Identity = { userId: 'bm-1', roles: ['branch_manager'], branchId: 'BR-DKR' };
const riskOfficer: Identity = { userId: 'risk-1', roles: ['risk_officer'], branchId: 'BR-DKR' };

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { product { code } userErrors { field code } } }`;
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id status } userErrors { field code } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { loan { status } userErrors { field code } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { status schedule { number dueDate total } } userErrors { field code } } }`;
const REPAY = `mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) { repayment { interestPaid principalPaid } userErrors { field code } } }`;
const EOD = `mutation($input: RunEndOfDayInput!) { runEndOfDay(input: $input) { bucketChanges overdueInstalments warningsRaised userErrors { field code } } }`;
const VIEW = `query($id: ID!) { customer(id: $id) {
  id
  loans { id status daysPastDue delinquencyBucket riskClass schedule { number status daysPastDue } }
  riskWarnings { ruleCode severity status }
  tasks(first: 20) { edges { node { type title } } }
  loyalty { pointsBalance ledger(first: 10) { edges { node { kind points } } } }
} }`;

interface View {
  customer: {
    loans: {
      id: string;
      status: string;
      daysPastDue: number;
      delinquencyBucket: string;
      riskClass: string;
      schedule: { number: number; status: string; daysPastDue: number }[];
    }[];
    riskWarnings: { ruleCode: string; severity: string; status: string }[];
    tasks: { edges: { node: { type: string; title: string } }[] };
    loyalty: { pointsBalance: number; ledger: { edges: { node: { kind: string; points: number } }[] } } | null;
  } | null;
}

describe(`credit end to end through the gateway on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    // Only Date is faked (and keeps ticking, for the transports' own timing): the product lives on 5 January 2026, then jumps on.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date('2026-01-05T09:00:00Z'));
    stack = await startTestStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    vi.useRealTimers();
  });

  it('disburses, takes a payment, misses one, and the end-of-day run shows the bucket, the warning and the other services react', async () => {
    const reg = await stack.query<{ registerCustomer: { customer: { id: string } | null } }>(REGISTER, {
      input: {
        kind: 'INDIVIDUAL',
        branchId: 'BR-DKR',
        relationshipManagerId: 'officer-1',
        individual: { firstName: 'Aminata', lastName: 'Diallo', birthDate: '1988-04-02' },
      },
    });
    const customerId = reg.data?.registerCustomer.customer?.id ?? '';
    expect(customerId).not.toBe('');

    const product = await stack.query<{ createLoanProduct: { userErrors: unknown[] } }>(
      PRODUCT,
      {
        input: {
          code: 'E2E-MONTHLY',
          name: 'Micro monthly',
          type: 'MICRO_BUSINESS',
          currency: 'XOF',
          minPrincipal: '50000',
          maxPrincipal: '5000000',
          minRate: '0.10',
          maxRate: '0.30',
          minTerm: 3,
          maxTerm: 24,
          frequency: 'MONTHLY',
          amortisation: 'EQUAL_INSTALMENT',
          penaltyRate: '0.365',
          graceDays: 0,
          overpaymentPolicy: 'REFUSE',
        },
      },
      staff.admin,
    );
    expect(product.data?.createLoanProduct.userErrors).toEqual([]);

    const input = { customerId, productCode: 'E2E-MONTHLY', principal: '300000', annualRate: '0.24', termCount: 3, purpose: 'Sewing machines' };
    const bad = await stack.query<{ applyForLoan: { userErrors: unknown[] } }>(APPLY, { input: { ...input, principal: '300000.5' } });
    // XOF has no minor unit: half a franc is refused, and nothing is written.
    expect(bad.data?.applyForLoan.userErrors).toEqual([{ field: 'principal', code: 'TOO_MANY_DECIMALS' }]);
    // Credit learns of the customer through CustomerRegistered: apply once its replica is there.
    const loanId = await eventually(async () => {
      const res = await stack.query<{ applyForLoan: { loan: { id: string } | null } }>(APPLY, { input: { ...input, idempotencyKey: `e2e-${customerId}` } });
      return res.data?.applyForLoan.loan?.id;
    }, 45_000);
    expect((await stack.query<{ approveLoan: { userErrors: unknown[] } }>(APPROVE, { input: { loanId } }, manager)).data?.approveLoan.userErrors).toEqual([]);
    const disbursed = await stack.query<{ disburseLoan: { loan: { status: string; schedule: { number: number; dueDate: string; total: string }[] } } }>(
      DISBURSE,
      {
        input: { loanId, disbursedOn: '2026-01-05' },
      },
    );
    // A = 300000 * 0.02 / (1 - 1.02^-3) = 104026.42... -> 104026 (XOF: no minor unit); interest 6000, 4039 (of 201974),
    // 2040 (of 101987); the last instalment takes the remaining principal 101987: 104027.
    expect(disbursed.data?.disburseLoan.loan).toEqual({
      status: 'ACTIVE',
      schedule: [
        { number: 1, dueDate: '2026-02-05', total: '104026.00' },
        { number: 2, dueDate: '2026-03-05', total: '104026.00' },
        { number: 3, dueDate: '2026-04-05', total: '104027.00' },
      ],
    });

    vi.setSystemTime(new Date('2026-02-04T10:00:00Z'));
    const paid = await stack.query<{ recordRepayment: { repayment: { interestPaid: string; principalPaid: string } | null; userErrors: unknown[] } }>(REPAY, {
      input: { loanId, amount: '104026', paidOn: '2026-02-04', channel: 'MOBILE_MONEY', externalReference: `om-${loanId}-1` },
    });
    expect(paid.data?.recordRepayment).toEqual({ repayment: { interestPaid: '6000.00', principalPaid: '98026.00' }, userErrors: [] });

    // Instalment 2 (due 5 March) is missed; the run for 15 March sees it 10 days past due.
    vi.setSystemTime(new Date('2026-03-16T06:00:00Z'));
    const eod = await stack.query<{ runEndOfDay: unknown }>(EOD, { input: { asOf: '2026-03-15' } }, riskOfficer);
    expect(eod.data?.runEndOfDay).toEqual({ bucketChanges: 1, overdueInstalments: 1, warningsRaised: 1, userErrors: [] });
    const again = await stack.query<{ runEndOfDay: unknown }>(EOD, { input: { asOf: '2026-03-15' } }, riskOfficer);
    expect(again.data?.runEndOfDay).toEqual({ bucketChanges: 0, overdueInstalments: 0, warningsRaised: 0, userErrors: [] });

    const view = await eventually(async () => {
      const res = await stack.query<View>(VIEW, { id: customerId });
      const c = res.data?.customer;
      const types = c?.tasks.edges.map((e) => e.node.type) ?? [];
      const earned = c?.loyalty?.ledger.edges.length ?? 0;
      return c && types.includes('CREDIT_REVIEW') && types.includes('COLLECTION_REMINDER') && earned >= 2 ? c : undefined;
    }, 45_000);
    expect(view.loans).toEqual([
      {
        id: loanId,
        status: 'ACTIVE',
        daysPastDue: 10,
        delinquencyBucket: 'DPD_1_30',
        riskClass: 'NORMAL',
        schedule: [
          { number: 1, status: 'PAID', daysPastDue: 0 },
          { number: 2, status: 'OVERDUE', daysPastDue: 10 },
          { number: 3, status: 'PENDING', daysPastDue: 0 },
        ],
      },
    ]);
    expect(view.riskWarnings).toEqual([{ ruleCode: 'DPD_OVER_7', severity: 'MEDIUM', status: 'OPEN' }]);
    // Loyalty rewarded the on-time instalment (InstalmentPaid), engagement planned the collection call
    // (DelinquencyBucketChanged) and the warning review (RiskWarningRaised).
    expect(view.loyalty?.ledger.edges.map((e) => e.node.kind)).toContain('EARN');
    expect(view.tasks.edges.map((e) => e.node.type)).toEqual(expect.arrayContaining(['COLLECTION_REMINDER', 'CREDIT_REVIEW']));

    // Customers' contribution counts the interest InstalmentPaid carries (6000 of instalment 1, no penalty), not the
    // 104026 repaid: 6000 / 2 000 000 x 100 = 0.30; x 0.15 = 0.045 -> 0.05 (half-up). The old proxy gave 5.20 and 0.78.
    const contribution = await eventually(async () => {
      const res = await stack.query<{ customer: { valueScore: { components: { code: string; value: string; contribution: string }[] } } | null }>(
        `query($id: ID!) { customer(id: $id) { valueScore { components { code value contribution } } } }`,
        { id: customerId },
      );
      const c = res.data?.customer?.valueScore.components.find((x) => x.code === 'CONTRIBUTION');
      return c && c.value !== '0.00' ? c : undefined;
    }, 45_000);
    expect(contribution).toEqual({ code: 'CONTRIBUTION', value: '0.30', contribution: '0.05' });
  }, 120_000);
});
