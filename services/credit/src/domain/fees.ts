import { daysBetween } from './dates.ts';
import { Money, type MoneyValue, type RoundingMode, roundMoney } from './money.ts';

/**
 * Disbursement fee (product settings `disbursementFeeRate`, a fraction of the principal, and
 * `disbursementFeeFlat`, an amount): fee = round(principal * rate) + flat, rounded to the minor
 * unit by the product's rounding mode. Deducted (the default) or financed: see `disbursementAmounts`.
 */
export function disbursementFee(
  principal: MoneyValue,
  t: { rate: MoneyValue | null; flat: MoneyValue | null; scale: number; rounding: RoundingMode },
): MoneyValue {
  const percent = t.rate ? roundMoney(principal.mul(t.rate), t.scale, t.rounding) : new Money(0);
  return percent.plus(t.flat ?? 0);
}

/**
 * What the schedule amortises and what the borrower receives. Deducted (default): the schedule is
 * on the principal, the payout is principal - fee. Financed (`disbursementFeeFinanced`): the fee is
 * added to the principal financed (schedule and interest on principal + fee), the payout is the
 * whole principal.
 */
export function disbursementAmounts(principal: MoneyValue, fee: MoneyValue, financed: boolean): { financed: MoneyValue; netDisbursed: MoneyValue } {
  return financed
    ? { financed: principal.plus(fee), netDisbursed: new Money(principal) }
    : { financed: new Money(principal), netDisbursed: principal.minus(fee) };
}

/**
 * The loan's cash flows as a schedule has them, from the lender's side: the net payout on the
 * disbursement date (negative), then each instalment's principal + interest + fee on its due date.
 */
export function scheduleCashFlows(
  disbursedOn: string,
  netDisbursed: MoneyValue,
  instalments: readonly { dueDate: string; principal: MoneyValue; interest: MoneyValue; fee?: MoneyValue }[],
): CashFlow[] {
  return [
    { date: disbursedOn, amount: netDisbursed.neg() },
    ...instalments.map((i) => ({ date: i.dueDate, amount: i.principal.plus(i.interest).plus(i.fee ?? 0) })),
  ];
}

/** A dated cash flow of the loan, from the lender's side: the payout negative, instalments positive. */
export interface CashFlow {
  date: string;
  amount: MoneyValue;
}

/** The solver's decimals: 24 significant digits, ample for a rate given to 6 decimals. */
const Solver = Money.clone({ precision: 24 });
type SolverValue = InstanceType<typeof Solver>;

/**
 * NPV of the flows at annual rate r and its derivative: each flow discounted by
 * (1 + r)^(-days / 365), computed as v^days with the daily factor v = (1 + r)^(-1/365) (integer
 * powers, flows in date order).
 */
function npv(flows: readonly { days: number; amount: SolverValue }[], r: SolverValue): { value: SolverValue; slope: SolverValue } {
  let value = new Solver(0);
  let slope = new Solver(0);
  const v = r.plus(1).pow(new Solver(-1).div(365));
  let discount = new Solver(1);
  let at = 0;
  for (const f of flows) {
    discount = discount.mul(v.pow(f.days - at));
    at = f.days;
    value = value.plus(f.amount.mul(discount));
    slope = slope.minus(f.amount.mul(f.days).div(365).mul(discount).div(r.plus(1)));
  }
  return { value, slope };
}

/**
 * The effective annual rate (EIR / APR): the internal rate of return of the loan's real cash
 * flows (the net amount paid out on the disbursement date, every instalment on its due date),
 * annualised on an Actual/365 basis: the r with sum(flow_i / (1 + r)^(days_i / 365)) = 0. Started
 * by a floating-point bisection, then solved by Newton's method in decimal (24 digits) to a step
 * below 1e-12, and given as a fraction with 6 decimals (0.195618 is 19.5618 %). Null when the
 * flows do not change sign or no rate in (-99 %, 10,000 %) solves them.
 */
export function effectiveAnnualRate(flows: readonly CashFlow[]): MoneyValue | null {
  if (!flows.some((f) => f.amount.lt(0)) || !flows.some((f) => f.amount.gt(0))) return null;
  const start = flows[0]?.date ?? '';
  const timed = flows.map((f) => ({ days: daysBetween(start, f.date), amount: new Solver(f.amount) })).sort((a, b) => a.days - b.days);
  // A first approximation in binary floating point (bisection), only to start the decimal solve near the root.
  const approx = (r: number) => timed.reduce((s, f) => s + Number(f.amount) * (1 + r) ** (-f.days / 365), 0);
  let lo = -0.99;
  let hi = 100;
  if (approx(lo) > 0 === approx(hi) > 0) return null;
  for (let k = 0; k < 80; k++) {
    const mid = (lo + hi) / 2;
    if (approx(mid) > 0) lo = mid;
    else hi = mid;
  }
  // Newton's method in decimal from there.
  let r = new Solver((lo + hi) / 2);
  for (let k = 0; k < 20; k++) {
    const { value, slope } = npv(timed, r);
    if (value.isZero() || slope.isZero()) break;
    const next = r.minus(value.div(slope));
    const step = next.minus(r).abs();
    r = next;
    if (step.lt('1e-12')) break;
  }
  return new Money(r).toDecimalPlaces(6, Money.ROUND_HALF_UP);
}
