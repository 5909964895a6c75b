/**
 * Journeys across the four services through the gateway, with no event injected by hand: every
 * effect travels from one service's outbox to another's inbox over the configured transport
 * (in-process, or Kafka in the real-infrastructure run).
 */
import { Decimal, type Identity } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

const manager: Identity = { userId: 'bm-7', roles: ['branch_manager'], branchId: 'BR-KMS' };

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const CONSENT = `mutation($input: SetCustomerConsentInput!) { setCustomerConsent(input: $input) { userErrors { field code } } }`;
const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { field code } } }`;
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { userErrors { field code } } }`;
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id } userErrors { field code } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { userErrors { field code } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { status } userErrors { field code } } }`;
const VIEW = `query($id: ID!) { customer(id: $id) {
  valueScore { total components { code value } }
  tasks(first: 20) { edges { node { type } } }
  loyalty { pointsBalance ledger(first: 10) { edges { node { kind points reason } } } }
} }`;

interface View {
  customer: {
    valueScore: { total: string; components: { code: string; value: string }[] };
    tasks: { edges: { node: { type: string } }[] };
    loyalty: { pointsBalance: number; ledger: { edges: { node: { kind: string; points: number; reason: string } }[] } } | null;
  } | null;
}

describe(`journeys across the four services on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let customerId = '';

  beforeAll(async () => {
    stack = await startTestStack();
    const reg = await stack.query<{ registerCustomer: { customer: { id: string } | null } }>(REGISTER, {
      input: {
        kind: 'INDIVIDUAL',
        branchId: 'BR-KMS',
        relationshipManagerId: 'officer-kms',
        individual: { firstName: 'Yaa', lastName: 'Asantewaa', birthDate: '1984-10-07' },
      },
    });
    customerId = reg.data?.registerCustomer.customer?.id ?? '';
    // Engagement, credit and loyalty learn of the customer from CustomerRegistered.
    await eventually(async () => {
      const v = (await stack.query<View>(VIEW, { id: customerId })).data?.customer;
      return v?.loyalty && v.tasks.edges.length ? v : undefined;
    }, 45_000);
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('a consent granted then withdrawn in customers opens then closes marketing contact in engagement', async () => {
    const marketingCall = (key: string) =>
      stack.query<{ logInteraction: { interaction: { id: string } | null; userErrors: { field: string; code: string }[] } }>(LOG, {
        input: { customerId, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'MARKETING', summary: 'Offer of a seasonal top-up loan', idempotencyKey: key },
      });
    const before = await marketingCall('mkt-before');
    expect(before.data?.logInteraction.userErrors).toEqual([{ field: 'purpose', code: 'CONSENT_REQUIRED' }]);

    const granted = await stack.query<{ setCustomerConsent: { userErrors: unknown[] } }>(CONSENT, {
      input: { customerId, purpose: 'MARKETING_CONTACT', granted: true, channel: 'BRANCH' },
    });
    expect(granted.data?.setCustomerConsent.userErrors).toEqual([]);
    const allowed = await eventually(async () => (await marketingCall('mkt-granted')).data?.logInteraction.interaction?.id, 30_000);
    expect(allowed).toBeTruthy();

    await stack.query(CONSENT, { input: { customerId, purpose: 'MARKETING_CONTACT', granted: false, channel: 'SMS' } });
    // Each attempt has its own key: a call accepted before the withdrawal arrived must not be replayed.
    let attempt = 0;
    const refused = await eventually(async () => {
      const res = await marketingCall(`mkt-withdrawn-${attempt++}`);
      const errors = res.data?.logInteraction.userErrors ?? [];
      return errors.length ? errors : undefined;
    }, 60_000);
    expect(refused).toEqual([{ field: 'purpose', code: 'CONSENT_REQUIRED' }]);
  }, 150_000);

  it('a loan disbursed in credit moves the value score in customers and plans the post-loan visit in engagement', async () => {
    const scoreBefore = (await stack.query<View>(VIEW, { id: customerId })).data?.customer?.valueScore.total ?? '';
    expect(scoreBefore).toMatch(/^\d+\.\d{2}$/);

    const product = await stack.query<{ createLoanProduct: { userErrors: unknown[] } }>(
      PRODUCT,
      {
        input: {
          code: 'JOURNEY-MONTHLY',
          name: 'Market trader monthly',
          type: 'MICRO_BUSINESS',
          currency: 'GHS',
          minPrincipal: '500',
          maxPrincipal: '50000',
          minRate: '0.10',
          maxRate: '0.40',
          minTerm: 3,
          maxTerm: 12,
          frequency: 'MONTHLY',
          amortisation: 'EQUAL_PRINCIPAL',
          penaltyRate: '0.20',
          graceDays: 3,
          overpaymentPolicy: 'REFUSE',
        },
      },
      staff.admin,
    );
    expect(product.data?.createLoanProduct.userErrors).toEqual([]);
    const applied = await stack.query<{ applyForLoan: { loan: { id: string } | null; userErrors: unknown[] } }>(APPLY, {
      input: { customerId, productCode: 'JOURNEY-MONTHLY', principal: '6000.00', annualRate: '0.30', termCount: 6, purpose: 'Stock for the market stall' },
    });
    expect(applied.data?.applyForLoan.userErrors).toEqual([]);
    const loanId = applied.data?.applyForLoan.loan?.id ?? '';
    expect((await stack.query<{ approveLoan: { userErrors: unknown[] } }>(APPROVE, { input: { loanId } }, manager)).data?.approveLoan.userErrors).toEqual([]);
    // disbursedOn defaults to credit's business date (the wall clock's date while none was set).
    const disbursed = await stack.query<{ disburseLoan: { loan: { status: string } | null; userErrors: unknown[] } }>(DISBURSE, {
      input: { loanId },
    });
    expect(disbursed.data?.disburseLoan).toEqual({ loan: { status: 'ACTIVE' }, userErrors: [] });

    const view = await eventually(async () => {
      const v = (await stack.query<View>(VIEW, { id: customerId })).data?.customer;
      return v && v.valueScore.total !== scoreBefore && v.tasks.edges.some((e) => e.node.type === 'POST_LOAN_VISIT') ? v : undefined;
    }, 45_000);
    // LoanDisbursed fed customers' aggregates: the balance component is no longer zero.
    expect(new Decimal(view.valueScore.total).greaterThan(scoreBefore)).toBe(true);
    expect(view.valueScore.components.find((c) => c.code === 'BALANCE')?.value).not.toBe('0.00');
    expect(view.tasks.edges.filter((e) => e.node.type === 'POST_LOAN_VISIT')).toHaveLength(1);
  }, 120_000);
});
