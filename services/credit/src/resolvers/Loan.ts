import { dateText, isoDate, requireIdentity } from '@crm/service-kit';
import type {
  ApprovalPolicyResolvers,
  CollateralResolvers,
  CollateralValuationResolvers,
  CreditReviewResolvers,
  GuarantorResolvers,
  InstalmentResolvers,
  LoanProductResolvers,
  LoanResolvers,
  RepaymentResolvers,
  RestructuringResolvers,
  RiskClassChangeResolvers,
} from '../__generated__/resolvers-types.ts';
import { loanToValue } from '../domain/collateral.ts';
import { amountScale, Money, moneyString, scaleOf, sumAmounts } from '../domain/money.ts';
import { payoffQuote, payoffTerms } from '../domain/payoff.ts';
import { nextReviewDue } from '../domain/reviews.ts';

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
  repayments: (loan, _args, ctx) => ctx.loaders.repayments.load(loan.id),
  outstandingPrincipal: async (loan, _args, ctx) => ({ amount: await ctx.loaders.outstandingPrincipal.load(loan.id), currency: loan.currency }),
  daysPastDue: (loan) => loan.dpd,
  delinquencyBucket: (loan) => loan.bucket,
  riskClass: (loan) => loan.risk_class,
  computedRiskClass: (loan) => loan.computed_risk_class,
  riskClassOverride: (loan) => (loan.risk_class_override ? { riskClass: loan.risk_class_override, reason: loan.risk_class_override_reason ?? '' } : null),
  riskClassHistory: (loan, _args, ctx) => ctx.loaders.riskClassChanges.load(loan.id),
  delinquencyAsOf: (loan) => loan.delinquency_as_of,
  riskWarnings: (loan, { openOnly }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.warningsOf.load(`loan:${loan.id}:${openOnly ?? true}`);
  },
  collateral: (loan, _args, ctx) => ctx.loaders.collateralOf.load(loan.id),
  guarantors: (loan, _args, ctx) => ctx.loaders.guarantorsOf.load(loan.id),
  loanToValue: async (loan, _args, ctx) => {
    const [collateral, outstanding] = await Promise.all([ctx.loaders.collateralOf.load(loan.id), ctx.loaders.outstandingPrincipal.load(loan.id)]);
    return loanToValue(
      outstanding,
      collateral.flatMap((c) => (c.valuations.length ? [c.valuations[c.valuations.length - 1]?.value ?? '0'] : [])),
    );
  },
  reviews: (loan, _args, ctx) => ctx.loaders.reviewsOf.load(loan.id),
  nextReviewDue: async (loan, _args, ctx) => {
    if (loan.status !== 'ACTIVE' || !loan.disbursed_on) return null;
    const reviews = await ctx.loaders.reviewsOf.load(loan.id);
    return nextReviewDue(reviews.at(-1)?.reviewed_on ?? loan.disbursed_on, loan.principal, loan.risk_class);
  },
  restructurings: (loan, _args, ctx) => ctx.loaders.restructuringsOf.load(loan.id),
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
    const q = payoffQuote(open, on, payoffTerms(schedule, loan.disbursed_on, product?.day_count ?? 'THIRTY_360', loan.currency));
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
  reviewedOn: (r) => r.reviewed_on,
  fundUseAsDeclared: (r) => r.fund_use_as_declared,
  reviewerId: (r) => r.reviewer_id,
  rating: (r) => (r.rating === 'SATISFACTORY' || r.rating === 'WATCH' ? r.rating : 'UNSATISFACTORY'),
};

export const Restructuring: RestructuringResolvers = {
  newRate: (r) => r.new_rate,
  effectiveOn: (r) => r.effective_on,
  requestedBy: (r) => r.requested_by,
  decidedBy: (r) => r.decided_by,
  fromVersion: (r) => r.from_version,
  toVersion: (r) => r.to_version,
};

export const Instalment: InstalmentResolvers = {
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
};

export const RiskClassChange: RiskClassChangeResolvers = {
  asOf: (c) => c.as_of,
  previousClass: (c) => c.previous_class,
  riskClass: (c) => c.risk_class,
  changedBy: (c) => c.changed_by,
  changedAt: (c) => c.changed_at,
};

export const ApprovalPolicy: ApprovalPolicyResolvers = {
  secondApprovalAbove: (p) => p.second_approval_above,
  writeOffAdministratorAbove: (p) => p.write_off_admin_above,
  updatedBy: (p) => p.updated_by,
  updatedAt: (p) => p.updated_at,
};
