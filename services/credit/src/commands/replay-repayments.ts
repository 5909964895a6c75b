import { penaltyTermsOf } from '../db/product.store.ts';
import type { LoanProductRow, LoanRow } from '../db/schema.ts';
import type { PrincipalRepaid } from '../domain/accrual.ts';
import type { Allocation, OpenInstalment } from '../domain/allocation.ts';
import type { WaiverWindow } from '../domain/crisis.ts';
import { penaltyAsOf } from '../domain/delinquency.ts';
import { amountScale, type MoneyValue, moneyString } from '../domain/money.ts';
import { allocatePayment, type PayoffTerms } from '../domain/payoff.ts';
import { reamortisationOf } from '../domain/prepayment.ts';
import { accrualTermsOf, withInterestAccruedBy } from './daily-accrual.ts';

/** One instalment while repayments are allocated again (a back-dated booking, a reversal). */
export interface ReplayInstalment extends OpenInstalment {
  fee: MoneyValue;
  feePaid: MoneyValue;
  feeWaived: MoneyValue;
  /** Interest waived by a settlement in the replay (or carried from before it). */
  waived: MoneyValue;
  paidOn: string | null;
  /** The repayment that settled it in the replay. */
  settledBy: string | null;
}

/** A repayment to allocate in the replay. */
export interface ReplayedRepayment {
  id: string;
  amount: MoneyValue;
  paidOn: string;
  reference: string;
}

/** An allocation line as `writeReallocation` stores it. */
export interface ReplayedLine {
  repayment_id: string;
  loan_id: string;
  version: number;
  number: number;
  paid_on: string;
  penalty: string;
  interest: string;
  principal: string;
  fee: string;
}

export type ReplayOutcome =
  | { ok: true; lines: ReplayedLine[]; allocated: { repayment: ReplayedRepayment; value: Allocation }[] }
  /** `at` could not be allocated: the allocation's code, or OVERPAYMENT_REFUSED with `reamortises` when it would now re-amortise. */
  | { ok: false; at: ReplayedRepayment; code: string; message: string; reamortises: boolean };

/** The open instalments as they stood on `asOf`: penalty recomputed as of that date (`penaltyAsOf`). */
export function openAsOf<T extends OpenInstalment>(open: readonly T[], asOf: string, terms: Parameters<typeof penaltyAsOf>[2]): T[] {
  return open.map((i) => ({ ...i, penalty: penaltyAsOf(i, asOf, terms) }));
}

/**
 * Allocates repayments again, in the order given (value-date order), over `replay` (updated in
 * place: paid figures, waivers, paid dates), with the domain allocation a booking uses. The one
 * rule of a back-dated booking and of a reversal: each repayment is allocated against the loan as
 * it stood on its value date V: penalties as of min(V, latest end-of-day run) (`penaltyAsOf`;
 * penalty accrues at end of day only, so a repayment valued on or after the latest run pays what
 * that run accrued, recomputed on the balance of the replay; without any run the penalties stay as
 * they are), DAILY_ACCRUAL interest accrued by V on the principal the earlier ones repaid (`fixed`:
 * repayments not replayed). A repayment that would now prepay into a re-amortisation is refused: a
 * replay cannot re-amortise the schedule.
 */
export function replayRepayments(
  replay: ReplayInstalment[],
  sequence: readonly ReplayedRepayment[],
  t: {
    loan: LoanRow;
    product: LoanProductRow | undefined;
    version: number;
    payoff: (paidOn: string) => PayoffTerms;
    fixed: readonly PrincipalRepaid[];
    /** The loan's crisis penalty waivers: the replayed penalties spare their days as the run does. */
    waivers: readonly WaiverWindow[];
  },
): ReplayOutcome {
  const { loan, product } = t;
  const scale = amountScale(loan.currency);
  const policy = product?.overpayment_policy ?? 'REFUSE';
  const penaltyTerms = product ? penaltyTermsOf(product, loan.currency, t.waivers) : null;
  const latestRun = loan.delinquency_as_of;
  const daily = accrualTermsOf(loan, product);
  const replayedPrincipal: PrincipalRepaid[] = [];
  const lines: ReplayedLine[] = [];
  const allocated: { repayment: ReplayedRepayment; value: Allocation }[] = [];
  for (const r of sequence) {
    const accrued = withInterestAccruedBy(
      replay.filter((i) => i.paidOn === null),
      replay,
      [...t.fixed, ...replayedPrincipal],
      daily,
      r.paidOn,
    );
    // the earlier of the value date and the latest run (ISO dates sort as text)
    const penaltyDate = latestRun === null ? null : ([r.paidOn, latestRun].sort()[0] ?? r.paidOn);
    const open = penaltyTerms && penaltyDate !== null ? openAsOf(accrued, penaltyDate, penaltyTerms) : accrued;
    const result = allocatePayment(open, r.amount, r.paidOn, policy, t.payoff(r.paidOn));
    if (!result.ok) return { ok: false, at: r, code: result.code, message: result.message, reamortises: false };
    if (result.value.prepaidOn !== null && reamortisationOf(policy))
      return {
        ok: false,
        at: r,
        code: 'OVERPAYMENT_REFUSED',
        message: 'it would now prepay principal, which cannot re-amortise the schedule in a replay',
        reamortises: true,
      };
    for (const l of result.value.lines) {
      const i = replay.find((x) => x.number === l.number);
      if (!i) continue;
      const asOpen = open.find((x) => x.number === l.number);
      if (asOpen) i.penalty = asOpen.penalty;
      i.penaltyPaid = i.penaltyPaid.plus(l.penalty);
      i.interestPaid = i.interestPaid.plus(l.interest);
      i.principalPaid = i.principalPaid.plus(l.principal);
      i.interest = i.interest.minus(l.interestWaived);
      i.waived = i.waived.plus(l.interestWaived);
      i.feePaid = i.feePaid.plus(l.fee);
      i.fee = i.fee.minus(l.feeWaived);
      i.feeWaived = i.feeWaived.plus(l.feeWaived);
      if (l.settles) {
        i.paidOn = r.paidOn;
        i.settledBy = r.id;
      }
      lines.push({
        repayment_id: r.id,
        loan_id: loan.id,
        version: t.version,
        number: l.number,
        paid_on: r.paidOn,
        penalty: moneyString(l.penalty, scale),
        interest: moneyString(l.interest, scale),
        principal: moneyString(l.principal, scale),
        fee: moneyString(l.fee, scale),
      });
    }
    replayedPrincipal.push({ on: r.paidOn, principal: result.value.principal });
    allocated.push({ repayment: r, value: result.value });
  }
  return { ok: true, lines, allocated };
}
