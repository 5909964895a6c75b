import { z } from 'zod';
import { define, f } from './define.ts';

export const delinquencyBucket = z.enum(['CURRENT', 'DPD_1_30', 'DPD_31_60', 'DPD_61_90', 'DPD_90_PLUS']);
/** A loan's days-past-due bucket (credit's boundaries 1-30, 31-60, 61-90, 90+): the one definition every service uses. */
export type DelinquencyBucket = z.infer<typeof delinquencyBucket>;
/** The buckets from current to worst: a bucket's index is its rank. */
export const DELINQUENCY_BUCKETS: readonly DelinquencyBucket[] = delinquencyBucket.options;
export const riskClass = z.enum(['NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS']);
export const warningSeverity = z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
export const warningStatus = z.enum(['OPEN', 'ACKNOWLEDGED', 'ACTION_TAKEN', 'RESOLVED', 'ESCALATED']);
export const restructuringKind = z.enum(['PAYMENT_HOLIDAY', 'TERM_EXTENSION', 'RATE_REDUCTION']);
/** What a risk warning's handling achieved, recorded once it is resolved. */
export const riskWarningOutcome = z.enum(['CURED', 'RESTRUCTURED', 'RECOVERY', 'FALSE_ALARM']);
export const crisisMeasureKind = z.enum(['PAYMENT_HOLIDAY', 'PENALTY_WAIVER']);
/** Who a crisis measure covers: every criterion given must hold (any value of a list). */
const crisisScope = z.object({
  branchIds: z.array(z.string()),
  regions: z.array(z.string()),
  industries: z.array(z.string()),
  customerKinds: z.array(z.string()),
  /** Explicit customers (e.g. a segment's members as customers listed them); empty: not restricted. */
  customerIds: z.array(z.string()),
});

const loanRef = { loanId: f.id, customerId: f.id };

/** Events produced by the credit service (topic crm.credit.v1). */
export const creditEvents = {
  LoanApplied: define(
    'credit',
    'LoanApplied',
    'A loan application was recorded.',
    z.object({
      ...loanRef,
      productCode: z.string(),
      principal: f.money,
      currency: f.currency,
      termCount: z.number().int().positive(),
      officerId: f.id.nullable(),
      purpose: z.string().nullable(),
      /** The annual rate charged (after the loyalty tier's discount); absent in events from before pricing was published. */
      annualRate: f.decimal.optional(),
      /** The rate asked for, before the loyalty tier's discount. */
      baseAnnualRate: f.decimal.optional(),
      /** The discount applied, in rate points (a fraction: "0.001500" = 15 basis points), after the product's floor. */
      rateDiscount: f.decimal.optional(),
      /** The customer's loyalty tier credit priced the loan with (null: none known). */
      loyaltyTier: z.string().nullable().optional(),
    }),
  ),
  LoanApproved: define('credit', 'LoanApproved', 'A loan application was approved.', z.object({ ...loanRef, approvedBy: f.id, approvedAt: f.instant })),
  LoanDisbursed: define(
    'credit',
    'LoanDisbursed',
    'A loan was disbursed and its repayment schedule generated.',
    z.object({
      ...loanRef,
      productCode: z.string(),
      principal: f.money,
      currency: f.currency,
      disbursedOn: f.date,
      firstDueDate: f.date,
      instalmentCount: z.number().int().positive(),
      officerId: f.id.nullable(),
      /** 1 for the customer's first loan, 2 for the second... */
      loanCycle: z.number().int().positive(),
    }),
  ),
  InstalmentDue: define(
    'credit',
    'InstalmentDue',
    'An instalment falls due (reminder).',
    z.object({ ...loanRef, instalmentNumber: z.number().int().positive(), dueDate: f.date, amountDue: f.money, currency: f.currency }),
  ),
  InstalmentPaid: define(
    'credit',
    'InstalmentPaid',
    'An instalment was fully paid, on time or late.',
    z.object({
      ...loanRef,
      instalmentNumber: z.number().int().positive(),
      dueDate: f.date,
      paidOn: f.date,
      amountPaid: f.money,
      currency: f.currency,
      onTime: z.boolean(),
      daysLate: z.number().int().min(0),
      repaymentId: f.id,
      /**
       * Interest part of this instalment paid in total (over all the repayments that paid it), as
       * allocated by credit. Null in events from before the split was published.
       */
      interestPaid: f.money.nullable().default(null),
      /** Penalty part of this instalment paid in total, as allocated by credit; null as above. */
      penaltyPaid: f.money.nullable().default(null),
      /** Per-instalment fee part paid in total (absent in events from before fees were published). */
      feePaid: f.money.optional(),
    }),
  ),
  RepaymentRecorded: define(
    'credit',
    'RepaymentRecorded',
    'A repayment was booked on a loan (every one, partial or not: a mirrored outstanding balance follows it), with what it paid part by part.',
    z.object({
      ...loanRef,
      repaymentId: f.id,
      amount: f.money,
      currency: f.currency,
      /** The value date. */
      paidOn: f.date,
      principalPaid: f.money,
      interestPaid: f.money,
      penaltyPaid: f.money,
      /** Per-instalment fees paid (principal + interest + penalty + fee = amount); absent in events from before fees were published. */
      feePaid: f.money.optional(),
      /** Principal paid ahead of its due dates (an overpayment that re-amortised the schedule). */
      prepaidPrincipal: f.money,
      /** True when it was exactly the payoff of its value date and settled the loan. */
      settlement: z.boolean(),
      /** True when valued before the loan's latest end-of-day run (later repayments were allocated again). */
      backDated: z.boolean(),
    }),
  ),
  RepaymentReversed: define(
    'credit',
    'RepaymentReversed',
    'A booked repayment was reversed; what it paid is due again.',
    z.object({
      ...loanRef,
      repaymentId: f.id,
      amount: f.money,
      currency: f.currency,
      /** Instalments the reversal left unpaid again (they were paid before it): their points and contributions are undone. */
      instalmentNumbers: z.array(z.number().int().positive()),
      reversedAt: f.instant,
      /** The value date of the reversed repayment. */
      paidOn: f.date.optional(),
      /** Why it was reversed (a bounced cheque, a payment booked on the wrong loan...). */
      reason: z.string().optional(),
      /** How much less each part of the loan is paid now (summed over its instalments), in the currency's unit. */
      principalUnpaid: f.money.optional(),
      interestUnpaid: f.money.optional(),
      penaltyUnpaid: f.money.optional(),
      feeUnpaid: f.money.optional(),
      /** True when the loan had closed and is ACTIVE again (its LoanClosed no longer holds). */
      loanReopened: z.boolean().optional(),
    }),
  ),
  InstalmentOverdue: define(
    'credit',
    'InstalmentOverdue',
    'An instalment is past due as of an end-of-day run.',
    z.object({
      ...loanRef,
      instalmentNumber: z.number().int().positive(),
      dueDate: f.date,
      daysPastDue: z.number().int().positive(),
      amountOverdue: f.money,
      currency: f.currency,
      asOf: f.date,
    }),
  ),
  DelinquencyBucketChanged: define(
    'credit',
    'DelinquencyBucketChanged',
    "A loan's days-past-due bucket changed in an end-of-day run.",
    z.object({ ...loanRef, previousBucket: delinquencyBucket, bucket: delinquencyBucket, daysPastDue: z.number().int().min(0), asOf: f.date }),
  ),
  RiskClassChanged: define(
    'credit',
    'RiskClassChanged',
    "A loan's risk class changed, by DPD thresholds or an officer's override.",
    z.object({ ...loanRef, previousClass: riskClass, riskClass, reason: z.string(), override: z.boolean(), changedBy: f.id.nullable(), asOf: f.date }),
  ),
  RiskWarningRaised: define(
    'credit',
    'RiskWarningRaised',
    'An early-warning rule fired for a loan; the indicator values explain why.',
    z.object({
      warningId: f.id,
      ...loanRef,
      ruleCode: z.string(),
      severity: warningSeverity,
      indicators: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
      officerId: f.id.nullable(),
      responseDueAt: f.instant,
    }),
  ),
  RiskWarningEscalated: define(
    'credit',
    'RiskWarningEscalated',
    'A risk warning missed its response deadline (or was escalated by hand).',
    z.object({ warningId: f.id, ...loanRef, ruleCode: z.string(), severity: warningSeverity, officerId: f.id.nullable(), escalatedAt: f.instant }),
  ),
  RiskWarningStatusChanged: define(
    'credit',
    'RiskWarningStatusChanged',
    'An officer moved a risk warning along its workflow (acknowledged, action taken, resolved); escalation is RiskWarningEscalated.',
    z.object({
      warningId: f.id,
      ...loanRef,
      ruleCode: z.string(),
      severity: warningSeverity,
      previousStatus: warningStatus,
      status: warningStatus,
      changedBy: f.id,
      changedAt: f.instant,
    }),
  ),
  CollateralAdded: define(
    'credit',
    'CollateralAdded',
    'Collateral was pledged to a loan with its first valuation (the description stays in credit).',
    z.object({ collateralId: f.id, ...loanRef, collateralType: z.string(), value: f.money, currency: f.currency, valuedOn: f.date }),
  ),
  CollateralRevalued: define(
    'credit',
    'CollateralRevalued',
    'A new valuation of a collateral was recorded.',
    z.object({ collateralId: f.id, ...loanRef, previousValue: f.money.nullable(), value: f.money, currency: f.currency, valuedOn: f.date }),
  ),
  GuarantorAdded: define(
    'credit',
    'GuarantorAdded',
    "A guarantor was added to a loan (the guarantor's name stays in credit; their customer id when they are a customer).",
    z.object({
      guarantorId: f.id,
      ...loanRef,
      guarantorCustomerId: f.id.nullable(),
      relationship: z.string().nullable(),
      guaranteedAmount: f.money,
      currency: f.currency,
    }),
  ),
  CreditReviewRecorded: define(
    'credit',
    'CreditReviewRecorded',
    'A post-disbursement credit review of a loan was recorded (the findings stay in credit).',
    z.object({
      reviewId: f.id,
      ...loanRef,
      reviewedOn: f.date,
      rating: z.string(),
      fundUseAsDeclared: z.boolean(),
      reviewerId: f.id,
    }),
  ),
  RestructuringRequested: define(
    'credit',
    'RestructuringRequested',
    'A restructuring of a loan was requested and awaits a decision (the reason stays in credit).',
    z.object({
      restructuringId: f.id,
      ...loanRef,
      kind: restructuringKind,
      instalments: z.number().int().nullable(),
      newRate: f.decimal.nullable(),
      effectiveOn: f.date,
      requestedBy: f.id,
    }),
  ),
  RestructuringRejected: define(
    'credit',
    'RestructuringRejected',
    'A restructuring request was rejected; the schedule is unchanged. (An approval is LoanRestructured.)',
    z.object({ restructuringId: f.id, ...loanRef, kind: restructuringKind, decidedBy: f.id, decidedAt: f.instant }),
  ),
  LoanRestructured: define(
    'credit',
    'LoanRestructured',
    'A restructuring was approved and a new schedule version generated.',
    z.object({
      ...loanRef,
      restructuringId: f.id,
      kind: restructuringKind,
      scheduleVersion: z.number().int().positive(),
      effectiveOn: f.date,
      /** The crisis measure that restructured the loan in bulk (null or absent: an individual request). */
      crisisMeasureId: f.id.nullable().optional(),
    }),
  ),
  RiskWarningOutcomeRecorded: define(
    'credit',
    'RiskWarningOutcomeRecorded',
    'The outcome of a resolved risk warning was recorded (did the action work): CURED, RESTRUCTURED, RECOVERY or FALSE_ALARM, and whether it was resolved before the loan went past 30 days.',
    z.object({
      warningId: f.id,
      ...loanRef,
      ruleCode: z.string(),
      outcome: riskWarningOutcome,
      /** True when the warning was resolved before its loan was more than 30 days past due (end-of-day snapshots). */
      resolvedBefore30Dpd: z.boolean(),
      recordedBy: f.id,
      recordedAt: f.instant,
    }),
  ),
  CrisisMeasureDeclared: define(
    'credit',
    'CrisisMeasureDeclared',
    "A crisis measure (payment holiday, penalty waiver) was declared for a scope of customers and awaits a second person's approval. Subject: the measure id.",
    z.object({
      measureId: f.id,
      name: z.string(),
      kind: crisisMeasureKind,
      scope: crisisScope,
      instalments: z.number().int().positive().nullable(),
      effectiveOn: f.date.nullable(),
      waiverFrom: f.date.nullable(),
      waiverTo: f.date.nullable(),
      declaredBy: f.id,
      declaredAt: f.instant,
    }),
  ),
  CrisisMeasureRejected: define(
    'credit',
    'CrisisMeasureRejected',
    'A declared crisis measure was rejected; no loan changed. Subject: the measure id.',
    z.object({ measureId: f.id, kind: crisisMeasureKind, decidedBy: f.id, decidedAt: f.instant }),
  ),
  CrisisMeasureApplied: define(
    'credit',
    'CrisisMeasureApplied',
    'A crisis measure was approved and applied in bulk: each loan in scope got its relief (CrisisReliefGranted, and LoanRestructured for a payment holiday). Carries the effect. Subject: the measure id.',
    z.object({
      measureId: f.id,
      kind: crisisMeasureKind,
      scope: crisisScope,
      decidedBy: f.id,
      decidedAt: f.instant,
      loansAffected: z.number().int().min(0),
      loansSkipped: z.number().int().min(0),
      /** Per currency: loans, outstanding principal at approval, amount deferred (payment holiday). */
      effect: z.array(z.object({ currency: f.currency, loans: z.number().int().min(0), principalAffected: f.money, amountDeferred: f.money })),
    }),
  ),
  CrisisReliefGranted: define(
    'credit',
    'CrisisReliefGranted',
    'A loan got relief under a crisis measure (the customer is to be told): a payment holiday of N instalments from effectiveOn (a new schedule version), or no penalty for the days from waiverFrom to waiverTo.',
    z.object({
      measureId: f.id,
      ...loanRef,
      kind: crisisMeasureKind,
      name: z.string(),
      instalments: z.number().int().positive().nullable(),
      effectiveOn: f.date.nullable(),
      waiverFrom: f.date.nullable(),
      waiverTo: f.date.nullable(),
      /** The payment holiday's restructuring and schedule version (null for a penalty waiver). */
      restructuringId: f.id.nullable(),
      scheduleVersion: z.number().int().positive().nullable(),
      outstandingPrincipal: f.money,
      currency: f.currency,
    }),
  ),
  LoanClosed: define(
    'credit',
    'LoanClosed',
    'A loan was repaid in full and closed.',
    z.object({ ...loanRef, closedOn: f.date, principal: f.money, currency: f.currency, repaidOnTimeInFull: z.boolean() }),
  ),
  BusinessDateChanged: define(
    'credit',
    'BusinessDateChanged',
    "The institution's business date moved: set by an administrator (SET, outside production only, forward or back) or opened by close of business (CLOSED, the previous date closed). Other services keep it as the latest date their jobs may run for. Subject: the institution ('default'); its CloudEvents sequence orders the changes.",
    z.object({
      /** The business date now open. */
      businessDate: f.date,
      /** The date open before the change (the date closed, for CLOSED). */
      previousBusinessDate: f.date,
      how: z.enum(['SET', 'CLOSED']),
      changedBy: f.id,
      changedAt: f.instant,
    }),
  ),
  LoanWrittenOff: define(
    'credit',
    'LoanWrittenOff',
    'A loan was written off.',
    z.object({ ...loanRef, writtenOffOn: f.date, outstandingPrincipal: f.money, currency: f.currency, reason: z.string() }),
  ),
} as const;
