import type { Identity } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const SET_DATE = `mutation($date: Date!) { setBusinessDate(input: { date: $date }) { businessDate { date managed } userErrors { field code } } }`;
const CLOSE_DAY = `mutation($date: Date!) { closeBusinessDay(input: { businessDate: $date }) {
  businessDate { date lastClosedOn } run { asOf counts { name value } } userErrors { field code } } }`;

/**
 * The story's dates: credit's business date moves through them by the API (setBusinessDate,
 * closeBusinessDay), the system clock is left alone. They lie in the last months before today
 * because the other services keep the wall clock: customers' value score counts the interest paid
 * in the 12 months before today. Disbursed on the 5th three months ago, instalments due on the 5th
 * of the next three months (regular 30/360 months: the same amounts whatever the months).
 */
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const monthDay = (months: number, day: number) => {
  const now = new Date();
  return isoDate(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, day)));
};
const DISBURSED = monthDay(-3, 5);
const DUE = [monthDay(-2, 5), monthDay(-1, 5), monthDay(0, 5)];
const PAID = monthDay(-2, 4);
const RUN_ON = monthDay(-1, 15);
const VIEW = `query($id: ID!) { customer(id: $id) {
  id
  loanConnection(first: 5) { totalCount edges { node { id status daysPastDue delinquencyBucket riskClass schedule { number status daysPastDue } } } }
  riskWarningConnection(first: 5) { edges { node { ruleCode severity status } } }
  tasks(first: 20) { edges { node { type title } } }
  loyalty { pointsBalance ledger(first: 10) { edges { node { kind points } } } }
} }`;

interface View {
  customer: {
    loanConnection: {
      totalCount: number;
      edges: {
        node: {
          id: string;
          status: string;
          daysPastDue: number;
          delinquencyBucket: string;
          riskClass: string;
          schedule: { number: number; status: string; daysPastDue: number }[];
        };
      }[];
    };
    riskWarningConnection: { edges: { node: { ruleCode: string; severity: string; status: string } }[] };
    tasks: { edges: { node: { type: string; title: string } }[] };
    loyalty: { pointsBalance: number; ledger: { edges: { node: { kind: string; points: number } }[] } } | null;
  } | null;
}

describe(`credit end to end through the gateway on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
  });
  /** Moves credit's business date (administrators, outside production only). */
  const businessDate = async (date: string) => {
    const res = await stack.query<{ setBusinessDate: unknown }>(SET_DATE, { date }, staff.admin);
    expect(res.data?.setBusinessDate).toEqual({ businessDate: { date, managed: true }, userErrors: [] });
  };

  it('disburses, takes a payment, misses one, and the end-of-day run shows the bucket, the warning and the other services react', async () => {
    // The product lives on the business date of the disbursement, then moves on.
    await businessDate(DISBURSED);
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
        // disbursedOn defaults to the business date
        input: { loanId },
      },
    );
    // A = 300000 * 0.02 / (1 - 1.02^-3) = 104026.42... -> 104026 (XOF: no minor unit); interest 6000, 4039 (of 201974),
    // 2040 (of 101987); the last instalment takes the remaining principal 101987: 104027.
    expect(disbursed.data?.disburseLoan.loan).toEqual({
      status: 'ACTIVE',
      schedule: [
        { number: 1, dueDate: DUE[0], total: '104026.00' },
        { number: 2, dueDate: DUE[1], total: '104026.00' },
        { number: 3, dueDate: DUE[2], total: '104027.00' },
      ],
    });

    // The day before instalment 1 falls due: paidOn defaults to the business date.
    await businessDate(PAID);
    const paid = await stack.query<{ recordRepayment: { repayment: { interestPaid: string; principalPaid: string } | null; userErrors: unknown[] } }>(REPAY, {
      input: { loanId, amount: '104026', channel: 'MOBILE_MONEY', externalReference: `om-${loanId}-1` },
    });
    expect(paid.data?.recordRepayment).toEqual({ repayment: { interestPaid: '6000.00', principalPaid: '98026.00' }, userErrors: [] });

    // Instalment 2 (due on the 5th) is missed; the close of business on the 15th (its end-of-day run) sees it 10 days past due.
    await businessDate(RUN_ON);
    type Closed = {
      closeBusinessDay: {
        businessDate: { date: string; lastClosedOn: string };
        run: { asOf: string; counts: { name: string; value: number }[] };
        userErrors: unknown[];
      };
    };
    const closed = (await stack.query<Closed>(CLOSE_DAY, { date: RUN_ON }, riskOfficer)).data?.closeBusinessDay;
    expect(closed?.userErrors).toEqual([]);
    expect(closed?.businessDate).toEqual({ date: monthDay(-1, 16), lastClosedOn: RUN_ON });
    expect(closed?.run.asOf).toBe(RUN_ON);
    const counts = Object.fromEntries((closed?.run.counts ?? []).map((c) => [c.name, c.value]));
    expect(counts).toMatchObject({ bucketChanges: 1, overdueInstalments: 1, warningsRaised: 1 });
    // Closed once: the date is not closed again; an explicit re-run of it is repeatable and changes nothing.
    const twice = await stack.query<Closed>(CLOSE_DAY, { date: RUN_ON }, riskOfficer);
    expect(twice.data?.closeBusinessDay.userErrors).toEqual([{ field: 'businessDate', code: 'BUSINESS_DATE_MISMATCH' }]);
    const again = await stack.query<{ runEndOfDay: unknown }>(EOD, { input: { asOf: RUN_ON } }, riskOfficer);
    expect(again.data?.runEndOfDay).toEqual({ bucketChanges: 0, overdueInstalments: 0, warningsRaised: 0, userErrors: [] });

    const view = await eventually(async () => {
      const res = await stack.query<View>(VIEW, { id: customerId });
      const c = res.data?.customer;
      const types = c?.tasks.edges.map((e) => e.node.type) ?? [];
      const earned = c?.loyalty?.ledger.edges.length ?? 0;
      return c && types.includes('CREDIT_REVIEW') && types.includes('COLLECTION_REMINDER') && earned >= 2 ? c : undefined;
    }, 45_000);
    expect(view.loanConnection.totalCount).toBe(1);
    expect(view.loanConnection.edges.map((e) => e.node)).toEqual([
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
    expect(view.riskWarningConnection.edges.map((e) => e.node)).toEqual([{ ruleCode: 'DPD_OVER_7', severity: 'MEDIUM', status: 'OPEN' }]);
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
