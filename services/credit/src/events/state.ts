import { defineStateProjection } from '@crm/events';
import { isoDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { findOutstandingPrincipal } from '../db/loan.store.ts';
import type { DB } from '../db/schema.ts';

const loan = (d: { loanId: string }) => ({ LoanState: d.loanId });
const none = () => ({});

/**
 * The loan state topic (crm.credit.loan.state.v1): every credit event that changes a loan brings
 * the loan's full current state, read in the event's transaction (see @crm/events state.ts).
 * Events about a loan that leave the loan row and its outstanding as they were (warnings,
 * collateral, guarantors, reviews, restructuring requests) map to nothing.
 */
export const creditState = defineStateProjection<DB, 'credit'>({
  producer: 'credit',
  changes: {
    LoanApplied: loan,
    LoanApproved: loan,
    LoanDisbursed: loan,
    InstalmentDue: none,
    InstalmentPaid: loan,
    RepaymentRecorded: loan,
    RepaymentReversed: loan,
    InstalmentOverdue: none,
    DelinquencyBucketChanged: loan,
    RiskClassChanged: loan,
    RiskWarningRaised: none,
    RiskWarningEscalated: none,
    RiskWarningStatusChanged: none,
    CollateralAdded: none,
    CollateralRevalued: none,
    GuarantorAdded: none,
    CreditReviewRecorded: none,
    RestructuringRequested: none,
    RestructuringRejected: none,
    LoanRestructured: loan,
    LoanClosed: loan,
    LoanWrittenOff: loan,
    // issue 10: the business date is the institution's, not a loan's
    BusinessDateChanged: none,
    // issue 15: the outcome of a warning and crisis measures change no loan row (a payment holiday's LoanRestructured does)
    RiskWarningOutcomeRecorded: none,
    CrisisMeasureDeclared: none,
    CrisisMeasureRejected: none,
    CrisisMeasureApplied: none,
    CrisisReliefGranted: none,
  },
  load: { LoanState: loanStates },
});

async function loanStates(tx: Kysely<DB>, ids: readonly string[]) {
  const rows = await tx
    .selectFrom('loan')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  const outstanding = await findOutstandingPrincipal(tx, ids);
  const date = (d: string | Date | null) => (d === null ? null : typeof d === 'string' ? d : isoDate(d));
  return new Map(
    rows.map((l) => [
      l.id,
      {
        loanId: l.id,
        customerId: l.customer_id,
        productCode: l.product_code,
        status: l.status,
        currency: l.currency,
        principal: l.principal,
        outstandingPrincipal: outstanding.get(l.id) ?? '0',
        annualRate: l.annual_rate,
        termCount: l.term_count,
        branchId: l.branch_id,
        officerId: l.officer_id,
        disbursedOn: date(l.disbursed_on),
        closedOn: date(l.closed_on),
        writtenOffOn: date(l.written_off_on),
        scheduleVersion: l.schedule_version,
        delinquencyBucket: l.bucket,
        riskClass: l.risk_class,
      },
    ]),
  );
}
