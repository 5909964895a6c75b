import { requireIdentity } from '@crm/service-kit';
import type {
  InstalmentResolvers,
  LoanProductResolvers,
  LoanResolvers,
  RepaymentResolvers,
  RiskClassChangeResolvers,
} from '../__generated__/resolvers-types.ts';
import { Money } from '../domain/money.ts';

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
  appliedAt: (loan) => loan.applied_at,
  approvedAt: (loan) => loan.approved_at,
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
};

export const Instalment: InstalmentResolvers = {
  dueDate: (i) => i.due_date,
  total: (i) => new Money(i.principal).plus(i.interest).toFixed(2),
  principalPaid: (i) => i.principal_paid,
  interestPaid: (i) => i.interest_paid,
  penaltyPaid: (i) => i.penalty_paid,
  outstanding: (i) => new Money(i.principal).plus(i.interest).plus(i.penalty).minus(i.principal_paid).minus(i.interest_paid).minus(i.penalty_paid).toFixed(2),
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
