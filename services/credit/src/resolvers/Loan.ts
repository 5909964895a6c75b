import { dateText, nestedConnection, requireIdentity } from '@crm/service-kit';
import type {
  ApprovalPolicyResolvers,
  CollateralResolvers,
  CollateralValuationResolvers,
  CreditReviewResolvers,
  DelinquencySnapshotResolvers,
  GuarantorResolvers,
  InstalmentResolvers,
  LoanProductResolvers,
  LoanResolvers,
  RepaymentResolvers,
  RestructuringResolvers,
  RiskClassChangeResolvers,
} from '../__generated__/resolvers-types.ts';
import { accrualInstalmentsOf, accrualTermsOf, openInstalmentOf, principalRepaid, withInterestAccruedBy } from '../commands/daily-accrual.ts';
import type { CreditContext } from '../context.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { findPenaltyWaiverWindows } from '../db/crisis.store.ts';
import { penaltyTermsOf } from '../db/product.store.ts';
import { findStandingRepayments } from '../db/repayment.store.ts';
import type { LoanRow } from '../db/schema.ts';
import { loanToValue } from '../domain/collateral.ts';
import { penaltyAsOf } from '../domain/delinquency.ts';
import { effectiveAnnualRate, scheduleCashFlows } from '../domain/fees.ts';
import { amountScale, Money, moneyString, scaleOf, sumAmounts } from '../domain/money.ts';
import { payoffQuote, payoffTerms } from '../domain/payoff.ts';
import { nextReviewDue } from '../domain/reviews.ts';

/** The business date, read once per request (the default date of `payoffQuote`). */
const businessDates = new WeakMap<CreditContext, Promise<string>>();
function businessDateOf(ctx: CreditContext): Promise<string> {
  let date = businessDates.get(ctx);
  if (!date) {
    date = findBusinessDate(ctx.db, ctx.now()).then((b) => b.date);
    businessDates.set(ctx, date);
  }
  return date;
}

export const Loan: LoanResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.loan.load(ref.id),
  customer: (loan) => ({ id: loan.customer_id }),
  productCode: (loan) => loan.product_code,
  product: (loan, _args, ctx) => (loan.product_id ? ctx.loaders.product.load(loan.product_id) : null),
  principal: (loan) => ({ amount: loan.principal, currency: loan.currency }),
  annualRate: (loan) => loan.annual_rate,
  termMonths: (loan) => loan.term_months,
  termCount: (loan) => loan.term_count,
  officerId: (loan) => loan.officer_id,
  appliedBy: (loan) => loan.applied_by,
  appliedAt: (loan) => loan.applied_at,
  firstApprovedBy: (loan) => loan.first_approved_by,
  firstApprovedAt: (loan) => loan.first_approved_at,
  awaitingSecondApproval: (loan) => loan.status === 'APPLIED' && loan.first_approved_by !== null,
  approvedBy: (loan) => loan.approved_by,
  approvedAt: (loan) => loan.approved_at,
  disbursedBy: (loan) => loan.disbursed_by,
  writtenOffBy: (loan) => loan.written_off_by,
  disbursedOn: (loan) => loan.disbursed_on,
  closedOn: (loan) => loan.closed_on,
  writtenOffOn: (loan) => loan.written_off_on,
  loanCycle: (loan) => loan.loan_cycle,
  schedule: (loan, _args, ctx) => (loan.schedule_version > 0 ? ctx.loaders.schedule.load(`${loan.id}:${loan.schedule_version}`) : []),
  scheduleVersion: (loan, { version }, ctx) => ctx.loaders.schedule.load(`${loan.id}:${version}`),
  currentScheduleVersion: (loan) => loan.schedule_version,
  repayments: (loan, args, ctx) => nestedConnection(ctx.loaders.pages.repayments, ctx.loaders.pages.repaymentCount, loan.id, args),
  outstandingPrincipal: async (loan, _args, ctx) => ({ amount: await ctx.loaders.outstandingPrincipal.load(loan.id), currency: loan.currency }),
  daysPastDue: (loan) => loan.dpd,
  delinquencyBucket: (loan) => loan.bucket,
  riskClass: (loan) => loan.risk_class,
  computedRiskClass: (loan) => loan.computed_risk_class,
  riskClassOverride: (loan) => (loan.risk_class_override ? { riskClass: loan.risk_class_override, reason: loan.risk_class_override_reason ?? '' } : null),
  riskClassHistory: (loan, args, ctx) => nestedConnection(ctx.loaders.pages.riskClassChanges, ctx.loaders.pages.riskClassChangeCount, loan.id, args),
  delinquencyHistory: (loan, { from, to, ...args }, ctx) =>
    nestedConnection(ctx.loaders.pages.delinquency(from ?? null, to ?? null), ctx.loaders.pages.delinquencyCount(from ?? null, to ?? null), loan.id, args),
  delinquencyAsOf: (loan) => loan.delinquency_as_of,
  riskWarnings: (loan, { openOnly, ...args }, ctx) => {
    requireIdentity(ctx);
    const open = openOnly ?? true;
    return nestedConnection(ctx.loaders.pages.warnings('loan', open), ctx.loaders.pages.warningCount('loan', open), loan.id, args);
  },
  collateral: (loan, args, ctx) => nestedConnection(ctx.loaders.pages.collateral, ctx.loaders.pages.collateralCount, loan.id, args),
  guarantors: (loan, args, ctx) => nestedConnection(ctx.loaders.pages.guarantors, ctx.loaders.pages.guarantorCount, loan.id, args),
  loanToValue: async (loan, _args, ctx) => {
    const [collateral, outstanding] = await Promise.all([ctx.loaders.collateralOf.load(loan.id), ctx.loaders.outstandingPrincipal.load(loan.id)]);
    return loanToValue(
      outstanding,
      collateral.flatMap((c) => (c.latest ? [c.latest.value] : [])),
    );
  },
  reviews: (loan, args, ctx) => nestedConnection(ctx.loaders.pages.reviews, ctx.loaders.pages.reviewCount, loan.id, args),
  nextReviewDue: async (loan, _args, ctx) => {
    if (loan.status !== 'ACTIVE' || !loan.disbursed_on) return null;
    const [reviews, cadence] = await Promise.all([ctx.loaders.reviewsOf.load(loan.id), ctx.loaders.reviewCadence.load('cadence')]);
    return nextReviewDue(cadence, reviews.at(-1)?.reviewed_on ?? loan.disbursed_on, loan.principal, loan.risk_class);
  },
  restructurings: (loan, args, ctx) => nestedConnection(ctx.loaders.pages.restructurings, ctx.loaders.pages.restructuringCount, loan.id, args),
  firstDueDate: (loan) => loan.first_due_date,
  disbursementFee: (loan) => (loan.disbursement_fee === null ? null : { amount: loan.disbursement_fee, currency: loan.currency }),
  netDisbursed: (loan) => (loan.net_disbursed === null ? null : { amount: loan.net_disbursed, currency: loan.currency }),
  effectiveAnnualRate: (loan) => loan.effective_annual_rate,
  payoffQuote: async (loan, { asOf }, ctx) => {
    // Quoted by default on the business date (the wall clock's until one is set or closed): what a repayment today would be valued on.
    const on = asOf ?? (await businessDateOf(ctx));
    const q = await quoteOf(loan, on, ctx);
    if (!q) return null;
    const scale = amountScale(loan.currency);
    return {
      asOf: on,
      currency: loan.currency,
      principal: moneyString(q.principal, scale),
      overdueInterest: moneyString(q.overdueInterest, scale),
      accruedInterest: moneyString(q.accruedInterest, scale),
      penalty: moneyString(q.penalty, scale),
      fees: moneyString(q.fees, scale),
      interestWaived: moneyString(q.interestWaived, scale),
      total: moneyString(q.total, scale),
    };
  },
  financedAmount: (loan) =>
    loan.disbursed_on === null ? null : { amount: loan.financed_amount ?? moneyString(loan.principal, amountScale(loan.currency)), currency: loan.currency },
  accruedInterest: async (loan, { asOf }, ctx) => {
    // what the payoff of the date charges as interest: the due instalments' unpaid interest and the current period's accrued
    const q = await quoteOf(loan, asOf ?? (await businessDateOf(ctx)), ctx);
    return q ? { amount: moneyString(q.overdueInterest.plus(q.accruedInterest), amountScale(loan.currency)), currency: loan.currency } : null;
  },
  scheduleEffectiveAnnualRate: async (loan, { version }, ctx) => {
    if (!loan.disbursed_on || loan.schedule_version < 1) return null;
    const rows = await ctx.loaders.schedule.load(`${loan.id}:${version ?? loan.schedule_version}`);
    if (!rows.length) return null;
    // the version as scheduled: expected interest (before waivers and daily restatement) and its fees (before waivers)
    const flows = scheduleCashFlows(
      dateText(loan.disbursed_on),
      new Money(loan.net_disbursed ?? loan.principal),
      rows.map((i) => ({
        dueDate: dateText(i.due_date),
        principal: new Money(i.principal),
        interest: new Money(i.scheduled_interest ?? new Money(i.interest).plus(i.interest_waived)),
        fee: new Money(i.fee).plus(i.fee_waived),
      })),
    );
    return effectiveAnnualRate(flows)?.toFixed(6) ?? null;
  },
};

/**
 * The loan's payoff quote on `on` (null unless ACTIVE and `on` is not before the disbursement nor
 * before the value date of the loan's latest standing repayment: a settlement valued before a
 * booked repayment would leave that repayment nothing to pay, so none is quoted or booked, README
 * "Early settlement"): penalties as they stood that day when it is before the latest end-of-day run
 * (as a repayment valued then is allocated); DAILY_ACCRUAL interest accrued by `on` on the actual balance.
 */
async function quoteOf(loan: LoanRow, on: string, ctx: CreditContext) {
  if (loan.status !== 'ACTIVE' || !loan.disbursed_on || on < loan.disbursed_on) return null;
  const latestValueDate = await ctx.loaders.latestValueDate.load(loan.id);
  if (latestValueDate !== null && on < latestValueDate) return null;
  const [rows, product] = await Promise.all([
    ctx.loaders.schedule.load(`${loan.id}:${loan.schedule_version}`),
    loan.product_id ? ctx.loaders.product.load(loan.product_id) : null,
  ]);
  const schedule = rows.map((i) => ({ ...i, due_date: dateText(i.due_date), paid_on: i.paid_on === null ? null : dateText(i.paid_on) }));
  const daily = accrualTermsOf({ ...loan, disbursed_on: dateText(loan.disbursed_on) }, product ?? undefined);
  const open = withInterestAccruedBy(
    schedule.filter((i) => i.paid_on === null).map(openInstalmentOf),
    accrualInstalmentsOf(schedule),
    daily ? principalRepaid(await findStandingRepayments(ctx.db, loan.id)) : [],
    daily,
    on,
  );
  const latestRun = loan.delinquency_as_of === null ? null : dateText(loan.delinquency_as_of);
  // a quote before the latest run: penalties as of that date, sparing the loan's crisis waivers as the run does
  const terms =
    product && latestRun !== null && on < latestRun ? penaltyTermsOf(product, loan.currency, await findPenaltyWaiverWindows(ctx.db, loan.id)) : null;
  const asItStood = terms ? open.map((i) => ({ ...i, penalty: penaltyAsOf(i, on, terms) })) : open;
  return payoffQuote(
    asItStood,
    on,
    payoffTerms(schedule, loan.disbursed_on, product?.day_count ?? 'THIRTY_360', loan.currency, product?.rounding_mode, daily !== null),
  );
}

export const Collateral: CollateralResolvers = {
  currentValue: (c) => ({ amount: c.latest?.value ?? '0', currency: c.currency }),
  valuedOn: (c) => c.latest?.valued_on ?? '',
  valuations: (c, args, ctx) => nestedConnection(ctx.loaders.pages.valuations, ctx.loaders.pages.valuationCount, c.id, args),
};

export const CollateralValuation: CollateralValuationResolvers = {
  value: (v) => ({ amount: v.value, currency: v.currency }),
  valuedOn: (v) => v.valued_on,
  recordedBy: (v) => v.recorded_by,
  recordedAt: (v) => v.recorded_at,
};

export const Guarantor: GuarantorResolvers = {
  guarantorCustomerId: (g) => g.guarantor_customer_id,
  guaranteedAmount: async (g, _args, ctx) => ({ amount: g.guaranteed_amount, currency: (await ctx.loaders.loan.load(g.loan_id))?.currency ?? '' }),
};

export const CreditReview: CreditReviewResolvers = {
  loanId: (r) => r.loan_id,
  reviewedOn: (r) => r.reviewed_on,
  fundUseAsDeclared: (r) => r.fund_use_as_declared,
  reviewerId: (r) => r.reviewer_id,
  rating: (r) => (r.rating === 'SATISFACTORY' || r.rating === 'WATCH' ? r.rating : 'UNSATISFACTORY'),
};

export const Restructuring: RestructuringResolvers = {
  loanId: (r) => r.loan_id,
  newRate: (r) => r.new_rate,
  effectiveOn: (r) => r.effective_on,
  requestedBy: (r) => r.requested_by,
  decidedBy: (r) => r.decided_by,
  fromVersion: (r) => r.from_version,
  toVersion: (r) => r.to_version,
};

export const Instalment: InstalmentResolvers = {
  loanId: (i) => i.loan_id,
  loan: (i, _args, ctx) => ctx.loaders.loan.load(i.loan_id),
  dueDate: (i) => i.due_date,
  scheduledInterest: (i) => i.scheduled_interest ?? sumAmounts(i.interest, i.interest_waived),
  // written at the scale of the instalment's amounts (rows from before fees hold a bare 0)
  fee: (i) => new Money(i.fee).toFixed(Math.max(2, scaleOf(i.principal))),
  feePaid: (i) => new Money(i.fee_paid).toFixed(Math.max(2, scaleOf(i.principal))),
  total: (i) =>
    new Money(i.principal)
      .plus(i.interest)
      .plus(i.fee)
      .toFixed(Math.max(2, scaleOf(i.principal), scaleOf(i.interest))),
  principalPaid: (i) => i.principal_paid,
  interestPaid: (i) => i.interest_paid,
  penaltyPaid: (i) => i.penalty_paid,
  outstanding: (i) =>
    new Money(i.principal)
      .plus(i.interest)
      .plus(i.penalty)
      .plus(i.fee)
      .minus(i.principal_paid)
      .minus(i.interest_paid)
      .minus(i.penalty_paid)
      .minus(i.fee_paid)
      .toFixed(Math.max(2, ...[i.principal, i.interest, i.penalty].map(scaleOf))),
  paidOn: (i) => i.paid_on,
  daysPastDue: (i) => i.dpd,
  status: (i) => {
    if (i.paid_on) return 'PAID';
    if (i.dpd > 0) return 'OVERDUE';
    return new Money(i.principal_paid).plus(i.interest_paid).plus(i.penalty_paid).plus(i.fee_paid).gt(0) ? 'PARTIALLY_PAID' : 'PENDING';
  },
};

export const Repayment: RepaymentResolvers = {
  loanId: (r) => r.loan_id,
  amount: (r) => ({ amount: r.amount, currency: r.currency }),
  paidOn: (r) => r.paid_on,
  externalReference: (r) => r.external_reference,
  penaltyPaid: (r) => r.penalty_paid,
  interestPaid: (r) => r.interest_paid,
  principalPaid: (r) => r.principal_paid,
  prepaidPrincipal: (r) => r.prepaid_principal,
  feePaid: (r) => new Money(r.fee_paid).toFixed(Math.max(2, scaleOf(r.amount))),
  recordedBy: (r) => r.recorded_by,
  recordedAt: (r) => r.recorded_at,
  reversedAt: (r) => r.reversed_at,
  reversedBy: (r) => r.reversed_by,
};

export const LoanProduct: LoanProductResolvers = {
  minPrincipal: (p) => p.min_principal,
  maxPrincipal: (p) => p.max_principal,
  minRate: (p) => p.min_rate,
  maxRate: (p) => p.max_rate,
  minTerm: (p) => p.min_term,
  maxTerm: (p) => p.max_term,
  dayCount: (p) => p.day_count,
  penaltyRate: (p) => p.penalty_rate,
  graceDays: (p) => p.grace_days,
  overpaymentPolicy: (p) => p.overpayment_policy,
  interestMethod: (p) => p.interest_method,
  roundingMode: (p) => p.rounding_mode,
  instalmentMultiple: (p) => p.instalment_multiple,
  minFirstPeriodDays: (p) => p.min_first_period_days,
  maxFirstPeriodDays: (p) => p.max_first_period_days,
  principalGracePeriods: (p) => p.principal_grace_periods,
  interestGracePeriods: (p) => p.interest_grace_periods,
  disbursementFeeRate: (p) => p.disbursement_fee_rate,
  disbursementFeeFlat: (p) => p.disbursement_fee_flat,
  penaltyCapRate: (p) => p.penalty_cap_rate,
  disbursementFeeFinanced: (p) => p.disbursement_fee_financed ?? false,
  instalmentFee: (p) => p.instalment_fee,
};

export const RiskClassChange: RiskClassChangeResolvers = {
  asOf: (c) => c.as_of,
  previousClass: (c) => c.previous_class,
  riskClass: (c) => c.risk_class,
  changedBy: (c) => c.changed_by,
  changedAt: (c) => c.changed_at,
};

/** A business date's end-of-day snapshot of a loan (Loan.delinquencyHistory). */
export const DelinquencySnapshot: DelinquencySnapshotResolvers = {
  asOf: (d) => d.as_of,
  daysPastDue: (d) => d.dpd,
  riskClass: (d) => d.risk_class,
  outstandingPrincipal: (d) => d.outstanding_principal,
  overdueAmount: (d) => d.overdue_amount,
  accruedInterest: (d) => d.accrued_interest,
};

export const ApprovalPolicy: ApprovalPolicyResolvers = {
  secondApprovalAbove: (p) => p.second_approval_above,
  writeOffAdministratorAbove: (p) => p.write_off_admin_above,
  updatedBy: (p) => p.updated_by,
  updatedAt: (p) => p.updated_at,
};
