import { dateText, isoDate, requireIdentity } from '@crm/service-kit';
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
import { penaltyTermsOf } from '../db/product.store.ts';
import { loanToValue } from '../domain/collateral.ts';
import { penaltyAsOf } from '../domain/delinquency.ts';
import { amountScale, Money, moneyString, scaleOf, sumAmounts } from '../domain/money.ts';
import { payoffQuote, payoffTerms } from '../domain/payoff.ts';
import { nextReviewDue } from '../domain/reviews.ts';
import { nestedConnection } from './connections.ts';

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
      collateral.flatMap((c) => (c.valuations.length ? [c.valuations[c.valuations.length - 1]?.value ?? '0'] : [])),
    );
  },
  reviews: (loan, args, ctx) => nestedConnection(ctx.loaders.pages.reviews, ctx.loaders.pages.reviewCount, loan.id, args),
  nextReviewDue: async (loan, _args, ctx) => {
    if (loan.status !== 'ACTIVE' || !loan.disbursed_on) return null;
    const reviews = await ctx.loaders.reviewsOf.load(loan.id);
    return nextReviewDue(reviews.at(-1)?.reviewed_on ?? loan.disbursed_on, loan.principal, loan.risk_class);
  },
  restructurings: (loan, args, ctx) => nestedConnection(ctx.loaders.pages.restructurings, ctx.loaders.pages.restructuringCount, loan.id, args),
  firstDueDate: (loan) => loan.first_due_date,
  disbursementFee: (loan) => (loan.disbursement_fee === null ? null : { amount: loan.disbursement_fee, currency: loan.currency }),
  netDisbursed: (loan) => (loan.net_disbursed === null ? null : { amount: loan.net_disbursed, currency: loan.currency }),
  effectiveAnnualRate: (loan) => loan.effective_annual_rate,
  payoffQuote: async (loan, { asOf }, ctx) => {
    const on = asOf ?? isoDate(ctx.now());
    if (loan.status !== 'ACTIVE' || !loan.disbursed_on || on < loan.disbursed_on) return null;
    const [rows, product] = await Promise.all([
      ctx.loaders.schedule.load(`${loan.id}:${loan.schedule_version}`),
      loan.product_id ? ctx.loaders.product.load(loan.product_id) : null,
    ]);
    const schedule = rows.map((i) => ({ ...i, due_date: dateText(i.due_date), paid_on: i.paid_on === null ? null : dateText(i.paid_on) }));
    const open = schedule
      .filter((i) => i.paid_on === null)
      .map((i) => ({
        number: i.number,
        dueDate: i.due_date,
        principal: new Money(i.principal),
        interest: new Money(i.interest),
        penalty: new Money(i.penalty),
        principalPaid: new Money(i.principal_paid),
        interestPaid: new Money(i.interest_paid),
        penaltyPaid: new Money(i.penalty_paid),
      }));
    // Quoted for a date before the loan's latest end-of-day run: penalties as they stood that day, as a repayment valued then is allocated.
    const latestRun = loan.delinquency_as_of === null ? null : dateText(loan.delinquency_as_of);
    const asItStood =
      product && latestRun !== null && on < latestRun ? open.map((i) => ({ ...i, penalty: penaltyAsOf(i, on, penaltyTermsOf(product, loan.currency)) })) : open;
    const q = payoffQuote(asItStood, on, payoffTerms(schedule, loan.disbursed_on, product?.day_count ?? 'THIRTY_360', loan.currency, product?.rounding_mode));
    const scale = amountScale(loan.currency);
    return {
      asOf: on,
      currency: loan.currency,
      principal: moneyString(q.principal, scale),
      overdueInterest: moneyString(q.overdueInterest, scale),
      accruedInterest: moneyString(q.accruedInterest, scale),
      penalty: moneyString(q.penalty, scale),
      interestWaived: moneyString(q.interestWaived, scale),
      total: moneyString(q.total, scale),
    };
  },
};

export const Collateral: CollateralResolvers = {
  currentValue: (c) => ({ amount: c.valuations.at(-1)?.value ?? '0', currency: c.currency }),
  valuedOn: (c) => c.valuations.at(-1)?.valued_on ?? '',
  valuations: (c) => c.valuations.map((v) => ({ ...v, currency: c.currency })),
};

export const CollateralValuation: CollateralValuationResolvers = {
  value: (v) => ({ amount: v.value, currency: 'currency' in v && typeof v.currency === 'string' ? v.currency : '' }),
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
  total: (i) => sumAmounts(i.principal, i.interest),
  principalPaid: (i) => i.principal_paid,
  interestPaid: (i) => i.interest_paid,
  penaltyPaid: (i) => i.penalty_paid,
  outstanding: (i) =>
    new Money(i.principal)
      .plus(i.interest)
      .plus(i.penalty)
      .minus(i.principal_paid)
      .minus(i.interest_paid)
      .minus(i.penalty_paid)
      .toFixed(Math.max(2, ...[i.principal, i.interest, i.penalty].map(scaleOf))),
  paidOn: (i) => i.paid_on,
  daysPastDue: (i) => i.dpd,
  status: (i) => {
    if (i.paid_on) return 'PAID';
    if (i.dpd > 0) return 'OVERDUE';
    return new Money(i.principal_paid).plus(i.interest_paid).plus(i.penalty_paid).gt(0) ? 'PARTIALLY_PAID' : 'PENDING';
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
};

export const ApprovalPolicy: ApprovalPolicyResolvers = {
  secondApprovalAbove: (p) => p.second_approval_above,
  writeOffAdministratorAbove: (p) => p.write_off_admin_above,
  updatedBy: (p) => p.updated_by,
  updatedAt: (p) => p.updated_at,
};
