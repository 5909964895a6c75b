import type { OverpaymentPolicy } from './loans.ts';
import { Money, type MoneyValue } from './money.ts';

/** What is still owed on one instalment, as the allocation sees it. */
export interface OpenInstalment {
  number: number;
  dueDate: string;
  principal: MoneyValue;
  interest: MoneyValue;
  penalty: MoneyValue;
  principalPaid: MoneyValue;
  interestPaid: MoneyValue;
  penaltyPaid: MoneyValue;
  /** The per-instalment fee and what was paid of it (none when absent). */
  fee?: MoneyValue;
  feePaid?: MoneyValue;
}

/** The parts of an instalment in the order a repayment pays them (the waterfall): penalty, fee, interest, principal. */
export const WATERFALL = ['penalty', 'fee', 'interest', 'principal'] as const;

export interface InstalmentAllocation {
  number: number;
  penalty: MoneyValue;
  fee: MoneyValue;
  interest: MoneyValue;
  principal: MoneyValue;
  /** Interest of a fully prepaid future instalment that is no longer charged. */
  interestWaived: MoneyValue;
  /** Fee of an instalment not yet due that a settlement no longer charges. */
  feeWaived: MoneyValue;
  /** True when this allocation leaves the instalment fully paid. */
  settles: boolean;
}

export interface Allocation {
  lines: InstalmentAllocation[];
  penalty: MoneyValue;
  fee: MoneyValue;
  interest: MoneyValue;
  principal: MoneyValue;
  /** Principal repaid ahead of schedule (an overpayment). */
  prepaid: MoneyValue;
  /**
   * The instalment the prepayment is booked on (its principal grows by it in the re-amortised
   * schedule version), or null without one.
   */
  prepaidOn: number | null;
}

export type AllocationResult = { ok: true; value: Allocation } | { ok: false; code: 'OVERPAYMENT_REFUSED' | 'EXCEEDS_BALANCE'; message: string };

const zero = () => new Money(0);

/** What an instalment scheduled for a part (its fee: 0 when it has none). */
export const partOf = (i: OpenInstalment, part: (typeof WATERFALL)[number]): MoneyValue => (part === 'fee' ? (i.fee ?? zero()) : i[part]);
/** What was paid of a part. */
export const paidOf = (i: OpenInstalment, part: (typeof WATERFALL)[number]): MoneyValue => (part === 'fee' ? (i.feePaid ?? zero()) : i[`${part}Paid`]);

/**
 * Allocates a repayment, oldest instalment first and within each instalment by the waterfall:
 * penalty, then the per-instalment fee, then interest, then principal. The regular allocation covers the instalments due on or before the
 * payment date and the next one not yet due (paying the coming instalment early is ordinary).
 * What is left beyond that is an overpayment, handled by the product's policy:
 * - REDUCE_LAST_INSTALMENTS, REDUCE_INSTALMENT_AMOUNT: it repays principal ahead of time and is
 *   booked on the last instalment the regular allocation reached (`prepaidOn`, the next one not
 *   yet due): that instalment's principal grows by the prepayment in a new schedule version and
 *   the instalments after it are re-amortised on the principal still outstanding
 *   (`domain/prepayment.ts`), so no interest is charged on money already returned;
 * - REFUSE: the repayment is refused.
 * More than the principal still owed is refused under every policy (`allocatePayment` in
 * `domain/payoff.ts` also refuses more than the payoff quote and settles the loan at exactly it).
 */
export function allocateRepayment(open: OpenInstalment[], amount: MoneyValue, paidOn: string, policy: OverpaymentPolicy): AllocationResult {
  const ordered = [...open].sort((a, b) => a.number - b.number);
  const lines = new Map<number, InstalmentAllocation>();
  const line = (n: number) => {
    let l = lines.get(n);
    if (!l) {
      l = { number: n, penalty: zero(), fee: zero(), interest: zero(), principal: zero(), interestWaived: zero(), feeWaived: zero(), settles: false };
      lines.set(n, l);
    }
    return l;
  };
  let left = new Money(amount);
  const firstFuture = ordered.find((i) => i.dueDate > paidOn)?.number ?? Number.POSITIVE_INFINITY;
  for (const i of ordered) {
    if (i.number > firstFuture || left.isZero()) break;
    const l = line(i.number);
    for (const part of WATERFALL) {
      const owed = partOf(i, part).minus(paidOf(i, part)).minus(l[part]);
      const pay = Money.min(owed, left);
      if (pay.gt(0)) {
        l[part] = l[part].plus(pay);
        left = left.minus(pay);
      }
    }
  }
  let prepaid = zero();
  let prepaidOn: number | null = null;
  if (left.gt(0)) {
    const principalLeft = ordered.reduce((s, i) => s.plus(i.principal.minus(i.principalPaid).minus(lines.get(i.number)?.principal ?? 0)), zero());
    if (left.gt(principalLeft))
      return { ok: false, code: 'EXCEEDS_BALANCE', message: `exceeds everything owed on the loan by ${left.minus(principalLeft).toFixed()}` };
    if (policy === 'REFUSE')
      return { ok: false, code: 'OVERPAYMENT_REFUSED', message: `exceeds what is due by ${left.toFixed()}; the product refuses prepayments` };
    // The regular allocation reached the next instalment not yet due (anything less leaves nothing over).
    const l = line(firstFuture);
    l.principal = l.principal.plus(left);
    prepaid = left;
    prepaidOn = firstFuture;
    left = zero();
  }
  const out = [...lines.values()].filter((l) => l.penalty.gt(0) || l.fee.gt(0) || l.interest.gt(0) || l.principal.gt(0) || l.interestWaived.gt(0));
  for (const l of out) {
    const i = ordered.find((x) => x.number === l.number);
    if (!i) continue;
    const rest = (p: (typeof WATERFALL)[number]) => partOf(i, p).minus(paidOf(i, p)).minus(l[p]);
    l.settles =
      rest('penalty').isZero() && rest('fee').minus(l.feeWaived).isZero() && rest('interest').minus(l.interestWaived).isZero() && rest('principal').lte(0);
  }
  out.sort((a, b) => a.number - b.number);
  return {
    ok: true,
    value: {
      lines: out,
      penalty: out.reduce((s, l) => s.plus(l.penalty), zero()),
      fee: out.reduce((s, l) => s.plus(l.fee), zero()),
      interest: out.reduce((s, l) => s.plus(l.interest), zero()),
      principal: out.reduce((s, l) => s.plus(l.principal), zero()),
      prepaid,
      prepaidOn,
    },
  };
}

/** What an instalment has received in all, by part, once a repayment's allocation is added. */
export interface InstalmentPaidTotals {
  penalty: MoneyValue;
  fee: MoneyValue;
  interest: MoneyValue;
  principal: MoneyValue;
  total: MoneyValue;
}

/**
 * The parts of one instalment paid in total: what earlier repayments paid (`before`) plus this
 * repayment's allocation line. Exact sums of amounts already in the currency's minor unit, so
 * no rounding happens here; InstalmentPaid publishes them (cumulative per instalment).
 */
export function instalmentPaidTotals(
  before: Pick<OpenInstalment, 'penaltyPaid' | 'interestPaid' | 'principalPaid' | 'feePaid'>,
  line: InstalmentAllocation,
): InstalmentPaidTotals {
  const penalty = new Money(before.penaltyPaid).plus(line.penalty);
  const fee = new Money(before.feePaid ?? 0).plus(line.fee);
  const interest = new Money(before.interestPaid).plus(line.interest);
  const principal = new Money(before.principalPaid).plus(line.principal);
  return { penalty, fee, interest, principal, total: penalty.plus(fee).plus(interest).plus(principal) };
}
