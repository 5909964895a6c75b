import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, manager, riskOfficer } from './given.ts';

/** part / whole to 4 decimals, half up: the ratio rule the portfolio metrics state. */
const ratio = (part: string, whole: string) => new Decimal(part).div(whole).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);

describe('collateral, reviews, restructuring and portfolio metrics', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const ids = { l1: '', l2: '', l3: '' };
  const gql = async <T>(q: string, v: Record<string, unknown> = {}, as: Identity = staff.officer) => {
    const res = await svc.graphql<T>(q, v, as);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  };
  const eod = (asOf: string) => gql(`mutation($a: Date!) { runEndOfDay(input: { asOf: $a }) { loansEvaluated } }`, { a: asOf }, riskOfficer);

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_servicing' });
    g = given(svc);
    await g.customer('c-a', { branchId: 'BR-001' });
    await g.customer('c-b', { branchId: 'BR-001' });
    await g.product({ code: 'SRV', graceDays: 0, penaltyRate: '0' });
    // Loan 1 (A): 1200 @ 12 %, 3 x 408.03/408.03/408.02. Loan 2 (B): 1000, A = 340.02 (interest 10.00, principal 330.02).
    // Loan 3 (A's second loan): 500, A = 170.01 (interest 5.00, principal 165.01).
    ids.l1 = await g.activeLoan('c-a', 'SRV', {}, '2026-01-10');
    ids.l2 = await g.activeLoan('c-b', 'SRV', { principal: '1000.00' }, '2026-01-10');
    ids.l3 = await g.activeLoan('c-a', 'SRV', { principal: '500.00' }, '2026-01-10');
    vi.setSystemTime(new Date('2026-02-15T09:00:00Z'));
    await g.repay({ loanId: ids.l1, amount: '408.03', paidOn: '2026-02-10', channel: 'CASH', externalReference: 's-1' });
    await g.repay({ loanId: ids.l3, amount: '100.00', paidOn: '2026-02-10', channel: 'CASH', externalReference: 's-3' });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('keeps collateral valuations, computes loan-to-value, and the run raises the LTV warning', async () => {
    const ADD = `mutation($i: AddCollateralInput!) { addCollateral(input: $i) { collateral { id currentValue { amount currency } } userErrors { field code } } }`;
    const bad = await gql<{ addCollateral: { userErrors: unknown[] } }>(ADD, {
      i: { loanId: ids.l2, type: 'VEHICLE', description: 'Moto', value: '0', valuedOn: '2026-02-01' },
    });
    expect(bad.addCollateral.userErrors).toEqual([{ field: 'value', code: 'NOT_POSITIVE' }]);
    const added = await gql<{ addCollateral: { collateral: { id: string } } }>(ADD, {
      i: { loanId: ids.l2, type: 'VEHICLE', description: 'Motorbike', value: '1100.00', valuedOn: '2026-01-09' },
    });
    await eod('2026-02-15');
    const warned = await gql<{ loan: { loanToValue: string; riskWarnings: { edges: { node: { ruleCode: string; indicators: string } }[] } } }>(
      `query($id: ID!) { loan(id: $id) { loanToValue riskWarnings { edges { node { ruleCode indicators } } } } }`,
      { id: ids.l2 },
    );
    // 1000 / 1100 = 0.90909 -> 0.9091 > 0.80.
    expect(warned.loan.loanToValue).toBe('0.9091');
    expect(warned.loan.riskWarnings.edges.map(({ node: w }) => [w.ruleCode, JSON.parse(w.indicators).loanToValue])).toEqual([['LTV_OVER_80', '0.9091']]);
    const REVALUE = `mutation($i: RevalueCollateralInput!) { revalueCollateral(input: $i) { collateral { currentValue { amount } valuedOn valuations { edges { node { value { amount } valuedOn } } } } userErrors { field code } } }`;
    const revalued = await gql<{ revalueCollateral: { collateral: unknown } }>(REVALUE, {
      i: { collateralId: added.addCollateral.collateral.id, value: '2000.00', valuedOn: '2026-02-14' },
    });
    expect(revalued.revalueCollateral.collateral).toEqual({
      currentValue: { amount: '2000.00' },
      valuedOn: '2026-02-14',
      valuations: {
        edges: [{ node: { value: { amount: '1100.00' }, valuedOn: '2026-01-09' } }, { node: { value: { amount: '2000.00' }, valuedOn: '2026-02-14' } }],
      },
    });
    const ltv = await gql<{ loan: { loanToValue: string } }>(`query($id: ID!) { loan(id: $id) { loanToValue } }`, { id: ids.l2 });
    expect(ltv.loan.loanToValue).toBe('0.5000');
    // pledging and revaluing are published (values, not the description), in the same transaction
    const published = (await eventsOf(svc, ids.l2)).filter((t) => t.startsWith('Collateral'));
    expect(published).toEqual(['CollateralAdded', 'CollateralRevalued']);
  });

  it('lets risk officers tune a rule (data, not code)', async () => {
    const RULE = `mutation($i: UpdateRiskWarningRuleInput!) { updateRiskWarningRule(input: $i) { rule { code threshold severity active } userErrors { field code } } }`;
    const denied = await svc.graphql(RULE, { i: { code: 'DPD_OVER_7', threshold: '10' } }, staff.officer);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const res = await gql<{ updateRiskWarningRule: unknown }>(RULE, { i: { code: 'DPD_OVER_7', threshold: '10', severity: 'HIGH' } }, riskOfficer);
    expect(res.updateRiskWarningRule).toEqual({ rule: { code: 'DPD_OVER_7', threshold: '10.000000', severity: 'HIGH', active: true }, userErrors: [] });
    const unknown = await gql<{ updateRiskWarningRule: unknown }>(RULE, { i: { code: 'NOPE', active: false } }, riskOfficer);
    expect(unknown.updateRiskWarningRule).toEqual({ rule: null, userErrors: [{ field: 'code', code: 'RISK_WARNING_RULE_NOT_FOUND' }] });
  });

  it('adds a guarantor, records a review whose fund-use finding raises a warning, and lists overdue reviews', async () => {
    const gu = await gql<{ addGuarantor: { guarantor: unknown; userErrors: unknown[] } }>(
      `mutation($i: AddGuarantorInput!) { addGuarantor(input: $i) { guarantor { name guaranteedAmount { amount currency } } userErrors { field code } } }`,
      { i: { loanId: ids.l2, name: 'Ibrahima Fall', relationship: 'brother', guaranteedAmount: '500.00' } },
    );
    expect(gu.addGuarantor).toEqual({ guarantor: { name: 'Ibrahima Fall', guaranteedAmount: { amount: '500.00', currency: 'USD' } }, userErrors: [] });
    const REVIEW = `mutation($i: RecordCreditReviewInput!) { recordCreditReview(input: $i) { review { rating fundUseAsDeclared } userErrors { field code } } }`;
    const input = {
      loanId: ids.l2,
      reviewedOn: '2026-02-15',
      rating: 'WATCH',
      findings: 'Funds used for a wedding, not stock',
      fundUseAsDeclared: false,
      idempotencyKey: 'rev-1',
    };
    await gql(REVIEW, { i: input });
    await gql(REVIEW, { i: input });
    const loan = await gql<{ loan: { reviews: { edges: unknown[] }; nextReviewDue: string; riskWarnings: { edges: { node: { ruleCode: string } }[] } } }>(
      `query($id: ID!) { loan(id: $id) { reviews { edges { node { rating } } } nextReviewDue riskWarnings { edges { node { ruleCode } } } } }`,
      { id: ids.l2 },
    );
    expect(loan.loan.reviews.edges).toHaveLength(1);
    // the guarantor and the review (once, despite the replay) are published; names and findings stay in credit
    const types = await eventsOf(svc, ids.l2);
    expect(types.filter((t) => t === 'GuarantorAdded')).toHaveLength(1);
    expect(types.filter((t) => t === 'CreditReviewRecorded')).toHaveLength(1);
    // NORMAL, not large: reviewed yearly.
    expect(loan.loan.nextReviewDue).toBe('2027-02-15');
    expect(loan.loan.riskWarnings.edges.map((e) => e.node.ruleCode).sort()).toEqual(['FUND_USE_DEVIATION', 'LTV_OVER_80']);
    const overdue = await gql<{ overdueCreditReviews: { edges: { node: { id: string } }[] } }>(
      `{ overdueCreditReviews(asOf: "2027-01-20") { edges { node { id } } } }`,
    );
    // Loans 1 and 3 were disbursed 2026-01-10 and never reviewed: due 2027-01-10; loan 2 was reviewed.
    expect(overdue.overdueCreditReviews.edges.map((e) => e.node.id).sort()).toEqual([ids.l1, ids.l3].sort());
  });

  it('computes portfolio metrics in SQL on a known book', async () => {
    vi.setSystemTime(new Date('2026-03-16T09:00:00Z'));
    await eod('2026-03-15');
    await gql(
      `mutation($i: OverrideRiskClassInput!) { overrideRiskClass(input: $i) { userErrors { code } } }`,
      { i: { loanId: ids.l2, riskClass: 'SUBSTANDARD', reason: 'Funds diverted' } },
      riskOfficer,
    );
    const SUMMARY = `query($f: PortfolioFilter) { portfolioSummary(filter: $f) { asOf activeLoans outstandingPrincipal par30 par90 nonPerformingRatio collectionRate repeatBorrowerRate } }`;
    const s = await gql<{ portfolioSummary: unknown }>(
      SUMMARY,
      { f: { asOf: '2026-03-15', periodFrom: '2026-02-01', branchId: 'BR-001', currency: 'USD' } },
      staff.analyst,
    );
    // Outstanding: 1200 - 396.03 = 803.97 (loan 1, 5 DPD), 1000 (loan 2, 33 DPD), 500 - 95 = 405 (loan 3, 33 DPD) = 2208.97.
    // PAR30 = (1000 + 405) / 2208.97; NPL = loan 2 (SUBSTANDARD by override) / 2208.97.
    // Collection: due 1 Feb - 15 Mar = 408.03 + 408.03 + 340.02 + 340.02 + 170.01 + 170.01 = 1836.12; collected 408.03 + 100 = 508.03.
    // Repeat borrowers: A has two loans, B one: 1 / 2.
    expect(s.portfolioSummary).toEqual({
      asOf: '2026-03-15',
      activeLoans: 3,
      outstandingPrincipal: '2208.97',
      par30: ratio('1405', '2208.97'),
      par90: '0.0000',
      nonPerformingRatio: ratio('1000', '2208.97'),
      collectionRate: ratio('508.03', '1836.12'),
      repeatBorrowerRate: '0.5000',
    });
    const other = await gql<{ portfolioSummary: { activeLoans: number } }>(SUMMARY, { f: { asOf: '2026-03-15', branchId: 'BR-2' } }, staff.analyst);
    expect(other.portfolioSummary.activeLoans).toBe(0);
  });

  it('restructures with approval into a new schedule version, keeps the old one, and refuses loans that are not active', async () => {
    const REQUEST = `mutation($i: RequestRestructuringInput!) { requestRestructuring(input: $i) { restructuring { id status } userErrors { field code } } }`;
    const DECIDE = `mutation($i: DecideRestructuringInput!) { decideRestructuring(input: $i) { restructuring { status fromVersion toVersion } loan { currentScheduleVersion schedule { number dueDate principal interest status } scheduleVersion(version: 1) { number dueDate } } userErrors { field code } } }`;
    const req = await gql<{ requestRestructuring: { restructuring: { id: string; status: string } } }>(REQUEST, {
      i: { loanId: ids.l1, kind: 'PAYMENT_HOLIDAY', instalments: 1, effectiveOn: '2026-03-01', reason: 'Harvest failed' },
    });
    expect(req.requestRestructuring.restructuring.status).toBe('REQUESTED');
    const self = await gql<{ decideRestructuring: { userErrors: unknown[] } }>(
      DECIDE,
      { i: { restructuringId: req.requestRestructuring.restructuring.id, approve: true } },
      { ...staff.officer, roles: ['loan_officer', 'branch_manager'] },
    );
    expect(self.decideRestructuring.userErrors).toEqual([{ field: 'restructuringId', code: 'SAME_PERSON' }]);
    const ok = await gql<{ decideRestructuring: unknown }>(
      DECIDE,
      { i: { restructuringId: req.requestRestructuring.restructuring.id, approve: true } },
      manager,
    );
    // Instalment 1 was paid and stays; 2 and 3 move one month later with the same amounts.
    expect(ok.decideRestructuring).toEqual({
      restructuring: { status: 'APPROVED', fromVersion: 1, toVersion: 2 },
      loan: {
        currentScheduleVersion: 2,
        schedule: [
          { number: 1, dueDate: '2026-02-10', principal: '396.03', interest: '12.00', status: 'PAID' },
          { number: 2, dueDate: '2026-04-10', principal: '399.99', interest: '8.04', status: 'PENDING' },
          { number: 3, dueDate: '2026-05-10', principal: '403.98', interest: '4.04', status: 'PENDING' },
        ],
        scheduleVersion: [
          { number: 1, dueDate: '2026-02-10' },
          { number: 2, dueDate: '2026-03-10' },
          { number: 3, dueDate: '2026-04-10' },
        ],
      },
      userErrors: [],
    });
    await eod('2026-03-16');
    const after = await gql<{ loan: { daysPastDue: number } }>(`query($id: ID!) { loan(id: $id) { daysPastDue } }`, { id: ids.l1 });
    expect(after.loan.daysPastDue).toBe(0);
    expect(await eventsOf(svc, ids.l1)).toContain('LoanRestructured');
    expect((await eventsOf(svc, ids.l1)).filter((t) => t === 'RestructuringRequested')).toHaveLength(1);
    // a rejection changes no schedule but is published too (the request is no longer pending)
    const again = await gql<{ requestRestructuring: { restructuring: { id: string } } }>(REQUEST, {
      i: { loanId: ids.l1, kind: 'PAYMENT_HOLIDAY', instalments: 1, effectiveOn: '2026-03-20', reason: 'Another holiday' },
    });
    const rejected = await gql<{ decideRestructuring: { restructuring: { status: string }; userErrors: unknown[] } }>(
      DECIDE,
      { i: { restructuringId: again.requestRestructuring.restructuring.id, approve: false } },
      manager,
    );
    expect(rejected.decideRestructuring).toMatchObject({ restructuring: { status: 'REJECTED' }, userErrors: [] });
    expect((await eventsOf(svc, ids.l1)).filter((t) => t.startsWith('Restructuring'))).toEqual([
      'RestructuringRequested',
      'RestructuringRequested',
      'RestructuringRejected',
    ]);

    // Term extension of loan 2 from 1 March: its open instalments 2 and 3 carry 669.98 of principal, re-amortised over 2 + 2
    // instalments from 10 Feb: A = 669.98 * 0.01 / (1 - 1.01^-4) = 171.70 (171.6975...), interest 6.70, 5.08, 3.45, 1.81... checked by sum only.
    const ext = await gql<{ requestRestructuring: { restructuring: { id: string } } }>(REQUEST, {
      i: { loanId: ids.l2, kind: 'TERM_EXTENSION', instalments: 2, effectiveOn: '2026-03-01', reason: 'Lower instalments' },
    });
    const extended = await gql<{ decideRestructuring: { loan: { schedule: { number: number; principal: string; status: string }[] } } }>(
      DECIDE,
      { i: { restructuringId: ext.requestRestructuring.restructuring.id, approve: true } },
      manager,
    );
    const rows = extended.decideRestructuring.loan.schedule;
    expect(rows.map((r) => r.number)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.reduce((s, r) => s.plus(r.principal), new Decimal(0)).toFixed(2)).toBe('1000.00');

    await gql(
      `mutation($i: WriteOffLoanInput!) { writeOffLoan(input: $i) { userErrors { code } } }`,
      { i: { loanId: ids.l3, reason: 'Borrower absconded' } },
      riskOfficer,
    );
    const before = Number(
      (
        await svc.db
          .selectFrom('restructuring')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const closed = await gql<{ requestRestructuring: { userErrors: unknown[] } }>(REQUEST, {
      i: { loanId: ids.l3, kind: 'RATE_REDUCTION', newRate: '0.06', effectiveOn: '2026-03-01', reason: 'x' },
    });
    expect(closed.requestRestructuring.userErrors).toEqual([{ field: 'loanId', code: 'LOAN_NOT_ACTIVE' }]);
    expect(
      Number(
        (
          await svc.db
            .selectFrom('restructuring')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(before);
  });
});
