import { type Identity, isoDate } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

/**
 * Issue 15 end to end, through the gateway, with real flows only (every event is produced by a
 * service from a mutation or a job): loyalty pricing (a customer reaches a tier with a rate
 * discount and the next loan is priced with it), next-best offers (made with their reason, the
 * customer's answer recorded, reported), risk-warning outcomes, and a crisis measure declared and
 * approved that restructures the loans in its scope only.
 */

const manager: Identity = { userId: 'bm-1', roles: ['branch_manager'], branchId: 'BR-DKR' };
const riskOfficer: Identity = { userId: 'risk-1', roles: ['risk_officer'], branchId: 'BR-DKR' };
const riskOfficer2: Identity = { userId: 'risk-2', roles: ['risk_officer'], branchId: 'BR-DKR' };

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const CONSENT = `mutation($input: SetCustomerConsentInput!) { setCustomerConsent(input: $input) { userErrors { field code } } }`;
const TIER = `mutation($input: UpsertLoyaltyTierInput!) { upsertLoyaltyTier(input: $input) { userErrors { field code } } }`;
const LOYALTY_JOB = `mutation($input: RunLoyaltyJobInput!) { runLoyaltyJob(input: $input) { userErrors { field code } } }`;
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { userErrors { field code } } }`;
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id annualRate } userErrors { field code } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { userErrors { field code } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { status schedule { number dueDate interest } } userErrors { field code } } }`;
const ENGAGEMENT_JOB = `mutation($input: RunEngagementJobInput!) { runEngagementJob(input: $input) { counts { name value } userErrors { field code } } }`;
const OUTCOME = `mutation($input: RecordOfferOutcomeInput!) { recordOfferOutcome(input: $input) { offer { status } userErrors { field code } } }`;
const DECLARE = `mutation($input: DeclareCrisisMeasureInput!) { declareCrisisMeasure(input: $input) { measure { id status inScope { loans } } userErrors { field code } } }`;
const DECIDE = `mutation($input: DecideCrisisMeasureInput!) { decideCrisisMeasure(input: $input) {
  measure { status effect { loansAffected loansSkipped byCurrency { currency loans principalAffected amountDeferred } } } userErrors { field code } } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { currentScheduleVersion schedule { number dueDate }
  restructurings(first: 5) { edges { node { kind status crisisMeasureId } } } } }`;

describe(`offers, loyalty pricing and crisis measures end to end on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const today = isoDate(new Date());
  beforeAll(async () => {
    stack = await startTestStack();
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const register = async (firstName: string, region: string) => {
    const res = await stack.query<{ registerCustomer: { customer: { id: string } | null; userErrors: unknown[] } }>(REGISTER, {
      input: {
        kind: 'INDIVIDUAL',
        branchId: 'BR-DKR',
        relationshipManagerId: 'officer-1',
        status: 'ACTIVE',
        individual: { firstName, lastName: 'Ndiaye', birthDate: '1985-06-01' },
        contact: { address: { region, city: region } },
      },
    });
    expect(res.data?.registerCustomer.userErrors).toEqual([]);
    return res.data?.registerCustomer.customer?.id ?? '';
  };
  /** Applies (once credit knows the customer), approves and disburses on the business date; returns the loan id and its rate. */
  const loanFor = async (customerId: string, key: string) => {
    const applied = await eventually(async () => {
      const res = await stack.query<{ applyForLoan: { loan: { id: string; annualRate: string } | null } }>(APPLY, {
        input: { customerId, productCode: 'E2E-NBO', principal: '1200.00', annualRate: '0.18', termCount: 3, purpose: 'Stock', idempotencyKey: key },
      });
      return res.data?.applyForLoan.loan ?? undefined;
    }, 45_000);
    expect(
      (await stack.query<{ approveLoan: { userErrors: unknown[] } }>(APPROVE, { input: { loanId: applied.id } }, manager)).data?.approveLoan.userErrors,
    ).toEqual([]);
    const disbursed = await stack.query<{
      disburseLoan: { loan: { status: string; schedule: { number: number; dueDate: string; interest: string }[] }; userErrors: unknown[] };
    }>(DISBURSE, { input: { loanId: applied.id } });
    expect(disbursed.data?.disburseLoan.userErrors).toEqual([]);
    return { loanId: applied.id, annualRate: applied.annualRate, schedule: disbursed.data?.disburseLoan.loan.schedule ?? [] };
  };

  let kaolack = '';
  let dakar = '';
  let kaolackLoan = '';
  let dakarLoan = '';

  it('a customer reaching a tier with a rate discount gets the next loan priced with it, and the schedule charges that rate', async () => {
    kaolack = await register('Awa', 'Kaolack');
    dakar = await register('Moussa', 'Dakar');
    // loyalty: the welcome points (100) now reach SILVER, whose rate discount becomes 150 basis points
    const tier = await stack.query<{ upsertLoyaltyTier: { userErrors: unknown[] } }>(
      TIER,
      {
        input: {
          code: 'SILVER',
          name: 'Silver',
          rank: 2,
          threshold: 100,
          multiplier: '1.25',
          rateDiscountBps: 150,
          feeWaiversPerYear: 1,
          priorityService: false,
          dedicatedManager: false,
          birthdayGift: true,
        },
      },
      staff.admin,
    );
    expect(tier.data?.upsertLoyaltyTier.userErrors).toEqual([]);
    // the welcome points are there once loyalty opened the account
    await eventually(async () => {
      const res = await stack.query<{ customer: { loyalty: { pointsBalance: number } | null } }>(
        `query($id: ID!) { customer(id: $id) { loyalty { pointsBalance } } }`,
        {
          id: kaolack,
        },
      );
      return (res.data?.customer.loyalty?.pointsBalance ?? 0) >= 100 ? true : undefined;
    }, 45_000);
    const job = await stack.query<{ runLoyaltyJob: { userErrors: unknown[] } }>(LOYALTY_JOB, { input: { job: 'TIER_EVALUATION', asOf: today } }, staff.admin);
    expect(job.data?.runLoyaltyJob.userErrors).toEqual([]);
    // credit learns the tier and its discount from loyalty's TierChanged
    const discount = await eventually(async () => {
      const res = await stack.query<{ customer: { loyaltyRateDiscount: { tier: string; rateDiscountBps: number } | null } }>(
        `query($id: ID!) { customer(id: $id) { loyaltyRateDiscount { tier rateDiscountBps } } }`,
        { id: kaolack },
      );
      return res.data?.customer.loyaltyRateDiscount ?? undefined;
    }, 45_000);
    expect(discount).toEqual({ tier: 'SILVER', rateDiscountBps: 150 });

    const product = await stack.query<{ createLoanProduct: { userErrors: unknown[] } }>(
      PRODUCT,
      {
        input: {
          code: 'E2E-NBO',
          name: 'Micro monthly',
          type: 'MICRO_BUSINESS',
          currency: 'USD',
          minPrincipal: '100.00',
          maxPrincipal: '50000.00',
          minRate: '0.10',
          maxRate: '0.30',
          minTerm: 3,
          maxTerm: 24,
          frequency: 'MONTHLY',
          amortisation: 'EQUAL_PRINCIPAL',
          penaltyRate: '0.365',
          graceDays: 0,
          overpaymentPolicy: 'REFUSE',
        },
      },
      staff.admin,
    );
    expect(product.data?.createLoanProduct.userErrors).toEqual([]);
    const priced = await loanFor(kaolack, `nbo-${kaolack}`);
    kaolackLoan = priced.loanId;
    // 0.18 asked, 150 bp off: 0.165; the first month's interest on 1,200.00 at 16.5 % / 12 = 16.50
    expect(priced.annualRate).toBe('0.165000');
    expect(priced.schedule[0]?.interest).toBe('16.50');
    const pricing = await stack.query<{ loan: { pricing: Record<string, unknown> } }>(
      `query($id: ID!) { loan(id: $id) { pricing { baseAnnualRate loyaltyTier tierDiscountBps discountApplied floorRate annualRate } } }`,
      { id: kaolackLoan },
    );
    expect(pricing.data?.loan.pricing).toEqual({
      baseAnnualRate: '0.180000',
      loyaltyTier: 'SILVER',
      tierDiscountBps: 150,
      discountApplied: '0.015000',
      floorRate: '0.100000',
      annualRate: '0.165000',
    });
    // the Dakar customer is SILVER too: same price
    dakarLoan = (await loanFor(dakar, `nbo-${dakar}`)).loanId;
  });

  it("makes the loyalty discount offer with its reason, shows it in Customer 360, records the customer's answer and reports it", async () => {
    const consent = await stack.query<{ setCustomerConsent: { userErrors: unknown[] } }>(CONSENT, {
      input: { customerId: kaolack, purpose: 'MARKETING_CONTACT', granted: true, channel: 'BRANCH' },
    });
    expect(consent.data?.setCustomerConsent.userErrors).toEqual([]);
    // engagement knows the tier (TierChanged), the active loan (LoanDisbursed) and the consent: the run makes the offer
    const offer = await eventually(async () => {
      const run = await stack.query<{ runEngagementJob: { userErrors: unknown[] } }>(
        ENGAGEMENT_JOB,
        { input: { job: 'NEXT_BEST_OFFERS', asOf: today } },
        staff.admin,
      );
      expect(run.data?.runEngagementJob.userErrors).toEqual([]);
      const res = await stack.query<{
        customer: {
          offers: { edges: { node: { id: string; ruleCode: string; kind: string; rank: number; reasons: { condition: string; value: string }[] } }[] };
        };
      }>(`query($id: ID!) { customer(id: $id) { offers { edges { node { id ruleCode kind rank reasons { condition value } } } } } }`, { id: kaolack });
      return res.data?.customer.offers.edges.map((e) => e.node).find((o) => o.ruleCode === 'LOYALTY_RATE_DISCOUNT');
    }, 45_000);
    expect(offer).toMatchObject({
      kind: 'RATE_DISCOUNT',
      reasons: [
        { condition: 'loyalty tier in SILVER, GOLD, PLATINUM', value: 'SILVER' },
        { condition: 'days past due at most 0', value: '0' },
      ],
    });
    // the Dakar customer gave no marketing consent: no offer
    const dakarOffers = await stack.query<{ customer: { offers: { totalCount: number } } }>(`query($id: ID!) { customer(id: $id) { offers { totalCount } } }`, {
      id: dakar,
    });
    expect(dakarOffers.data?.customer.offers.totalCount).toBe(0);
    const answered = await stack.query<{ recordOfferOutcome: { offer: { status: string }; userErrors: unknown[] } }>(OUTCOME, {
      input: { offerId: offer.id, outcome: 'ACCEPTED' },
    });
    expect(answered.data?.recordOfferOutcome).toEqual({ offer: { status: 'ACCEPTED' }, userErrors: [] });
    const kpi = await stack.query<{ engagementKpi: { numerator: string; denominator: string; value: string }[] }>(
      `query($from: Date!, $to: Date!) { engagementKpi(metric: OFFER_ACCEPTANCE_RATE, from: $from, to: $to) { numerator denominator value } }`,
      { from: today, to: today },
      manager,
    );
    expect(kpi.data?.engagementKpi).toEqual([{ numerator: '1', denominator: '1', value: '1' }]);
  });

  it('records the outcome of a resolved risk warning and reports the warnings resolved before 30 days past due', async () => {
    const review = await stack.query<{ recordCreditReview: { userErrors: unknown[] } }>(
      `mutation($input: RecordCreditReviewInput!) { recordCreditReview(input: $input) { userErrors { field code } } }`,
      { input: { loanId: dakarLoan, reviewedOn: today, rating: 'WATCH', findings: 'Stock not bought yet', fundUseAsDeclared: false } },
    );
    expect(review.data?.recordCreditReview.userErrors).toEqual([]);
    const warnings = await stack.query<{ customer: { riskWarningConnection: { edges: { node: { id: string } }[] } } }>(
      `query($id: ID!) { customer(id: $id) { riskWarningConnection { edges { node { id } } } } }`,
      { id: dakar },
    );
    const warningId = warnings.data?.customer.riskWarningConnection.edges[0]?.node.id ?? '';
    await stack.query(`mutation($input: UpdateRiskWarningInput!) { updateRiskWarning(input: $input) { userErrors { code } } }`, {
      input: { warningId, action: 'RESOLVE', note: 'Stock bought, receipts seen' },
    });
    const recorded = await stack.query<{ recordRiskWarningOutcome: { warning: { outcome: string; resolvedBefore30Dpd: boolean }; userErrors: unknown[] } }>(
      `mutation($input: RecordRiskWarningOutcomeInput!) { recordRiskWarningOutcome(input: $input) { warning { outcome resolvedBefore30Dpd } userErrors { field code } } }`,
      { input: { warningId, outcome: 'CURED' } },
    );
    expect(recorded.data?.recordRiskWarningOutcome).toEqual({ warning: { outcome: 'CURED', resolvedBefore30Dpd: true }, userErrors: [] });
    const kpi = await stack.query<{ creditKpi: { numerator: string; denominator: string }[] }>(
      `query($from: Date!, $to: Date!) { creditKpi(metric: WARNINGS_RESOLVED_BEFORE_30_DPD, from: $from, to: $to) { numerator denominator } }`,
      { from: today, to: today },
      riskOfficer,
    );
    expect(kpi.data?.creditKpi).toEqual([{ numerator: '1', denominator: '1' }]);
  });

  it('a crisis measure declared for a region and approved by a second person restructures the loans in scope only', async () => {
    const declared = await stack.query<{
      declareCrisisMeasure: { measure: { id: string; status: string; inScope: { loans: number }[] }; userErrors: unknown[] };
    }>(
      DECLARE,
      {
        input: {
          name: 'Floods, Kaolack',
          kind: 'PAYMENT_HOLIDAY',
          reason: 'The river burst its banks',
          scope: { regions: ['Kaolack'] },
          instalments: 1,
          effectiveOn: today,
        },
      },
      riskOfficer,
    );
    expect(declared.data?.declareCrisisMeasure.userErrors).toEqual([]);
    expect(declared.data?.declareCrisisMeasure.measure).toMatchObject({ status: 'DECLARED', inScope: [{ loans: 1 }] });
    const measureId = declared.data?.declareCrisisMeasure.measure.id ?? '';
    const before = await stack.query<{ loan: { schedule: { dueDate: string }[] } }>(LOAN, { id: kaolackLoan });
    // four eyes: the declarer cannot approve
    const self = await stack.query<{ decideCrisisMeasure: { userErrors: { code: string }[] } }>(DECIDE, { input: { measureId, approve: true } }, riskOfficer);
    expect(self.data?.decideCrisisMeasure.userErrors.map((e) => e.code)).toEqual(['SAME_PERSON']);
    const approved = await stack.query<{ decideCrisisMeasure: { measure: { status: string; effect: unknown }; userErrors: unknown[] } }>(
      DECIDE,
      { input: { measureId, approve: true } },
      riskOfficer2,
    );
    expect(approved.data?.decideCrisisMeasure.userErrors).toEqual([]);
    expect(approved.data?.decideCrisisMeasure.measure).toEqual({
      status: 'APPROVED',
      // 1,200.00 at 16.5 %, equal principal over 3 months: 400.00 x 3 + interest 16.50 + 11.00 + 5.50
      effect: { loansAffected: 1, loansSkipped: 0, byCurrency: [{ currency: 'USD', loans: 1, principalAffected: '1200.00', amountDeferred: '1233.00' }] },
    });
    const after = await stack.query<{
      loan: {
        currentScheduleVersion: number;
        schedule: { dueDate: string }[];
        restructurings: { edges: { node: { kind: string; status: string; crisisMeasureId: string } }[] };
      };
    }>(LOAN, { id: kaolackLoan });
    expect(after.data?.loan.currentScheduleVersion).toBe(2);
    // every instalment one period later: the first falls when the second did, the second when the third did
    const was = before.data?.loan.schedule.map((i) => i.dueDate) ?? [];
    expect(after.data?.loan.schedule.map((i) => i.dueDate).slice(0, 2)).toEqual(was.slice(1, 3));
    expect(after.data?.loan.schedule).toHaveLength(3);
    expect(after.data?.loan.restructurings.edges.map((e) => e.node)).toEqual([{ kind: 'PAYMENT_HOLIDAY', status: 'APPROVED', crisisMeasureId: measureId }]);
    // the Dakar loan, outside the region, is untouched
    const dakarView = await stack.query<{ loan: { currentScheduleVersion: number; restructurings: { edges: unknown[] } } }>(LOAN, { id: dakarLoan });
    expect(dakarView.data?.loan).toMatchObject({ currentScheduleVersion: 1, restructurings: { edges: [] } });
    // the customer is told: engagement queues a CRISIS_RELIEF notice from CrisisReliefGranted (the Dakar customer gets none)
    const notice = await eventually(async () => {
      const res = await stack.query<{ customer: { notifications: { edges: { node: { kind: string; loanId: string } }[] } } }>(
        `query($id: ID!) { customer(id: $id) { notifications(first: 10) { edges { node { kind loanId } } } } }`,
        { id: kaolack },
      );
      return res.data?.customer.notifications.edges.map((e) => e.node).find((n) => n.kind === 'CRISIS_RELIEF');
    }, 45_000);
    expect(notice).toEqual({ kind: 'CRISIS_RELIEF', loanId: kaolackLoan });
    const dakarNotices = await stack.query<{ customer: { notifications: { edges: { node: { kind: string } }[] } } }>(
      `query($id: ID!) { customer(id: $id) { notifications(first: 10) { edges { node { kind } } } } }`,
      { id: dakar },
    );
    expect(dakarNotices.data?.customer.notifications.edges.map((e) => e.node.kind)).not.toContain('CRISIS_RELIEF');
    // the measure is reportable with its effect
    const list = await stack.query<{ crisisMeasures: { edges: { node: { name: string; status: string; effect: { loansAffected: number } } }[] } }>(
      `query { crisisMeasures(first: 5) { edges { node { name status effect { loansAffected } } } } }`,
      {},
      { userId: 'an-1', roles: ['analyst'] },
    );
    expect(list.data?.crisisMeasures.edges.map((e) => e.node)).toEqual([{ name: 'Floods, Kaolack', status: 'APPROVED', effect: { loansAffected: 1 } }]);
  });
});
