import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { Selectable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager, riskOfficer } from './given.ts';

/**
 * Credit's money invariants over random products (currencies of 0, 2 and 3 decimals, the three
 * amortisation methods, the three frequencies, both day counts, the three overpayment policies,
 * rates, terms, penalty rates, grace days, tiny and ordinary principals; interest declining by
 * period or accrued day by day (DAILY_ACCRUAL on the three actual day counts); a per-instalment fee
 * and a disbursement fee deducted or financed) and random sequences of
 * operations on a loan and its twin (partial, whole-instalment, over- and payoff payments, one
 * minor unit beyond the payoff, paid late, early or back-dated before the latest end-of-day run;
 * end-of-day runs, some for an earlier date; one repayment reversed), all through credit's
 * GraphQL on a real database:
 *
 * (a) paying exactly `payoffQuote(d)` on d closes the loan with nothing left; no quote is given for a
 *     d before the value date of a standing repayment (a settlement then would leave it nothing to pay);
 * (b) reversing a repayment gives the state of the same loan that never received it (the twin);
 * (c) running end of day again for the same date changes nothing and emits nothing;
 * (d) every stored amount has at most the currency's minor-unit decimals;
 * (e) what the standing repayments paid is exactly what is allocated to the instalments, each
 *     repayment's parts add up to it, nothing is negative or paid beyond what is due, and the
 *     principals of the schedule add up to the loan;
 * (f) a loan owing nothing is CLOSED with every instalment paid, and a CLOSED loan owes nothing.
 *
 * A refused operation changes nothing. Seeds are printed by fast-check on failure; replay one
 * with `{ seed, path }` in the assert options.
 */

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
const CURRENCIES = [
  { code: 'XOF', scale: 0 },
  { code: 'USD', scale: 2 },
  { code: 'KWD', scale: 3 },
] as const;

const LOAN = `query($id: ID!, $asOf: Date) { loan(id: $id) {
  status closedOn currentScheduleVersion termCount outstandingPrincipal { amount }
  daysPastDue delinquencyBucket riskClass computedRiskClass delinquencyAsOf
  payoffQuote(asOf: $asOf) { principal overdueInterest accruedInterest penalty interestWaived total }
  schedule { number dueDate principal interest principalPaid interestPaid penalty penaltyPaid outstanding paidOn daysPastDue status }
} }`;
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { product { code } userErrors { field code message } } }`;
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id } userErrors { field code message } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { loan { status } userErrors { field code message } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { status } userErrors { field code message } } }`;
const REPAY = `mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) { repayment { id } loan { status } userErrors { field code message } } }`;
const REVERSE = `mutation($input: ReverseRepaymentInput!) { reverseRepayment(input: $input) { loan { status } userErrors { field code message } } }`;
const EOD = `mutation($input: RunEndOfDayInput!) { runEndOfDay(input: $input) { bucketChanges riskClassChanges overdueInstalments warningsRaised userErrors { field code } } }`;

type LoanState = Record<string, unknown> & {
  status: string;
  outstandingPrincipal: { amount: string };
  payoffQuote: { total: string } | null;
  schedule: { number: number; dueDate: string; outstanding: string; paidOn: string | null }[];
};
interface UserError {
  field: string | null;
  code: string;
  message: string;
}

const productArb = fc.record({
  currency: fc.constantFrom(...CURRENCIES),
  frequency: fc.constantFrom('WEEKLY', 'BIWEEKLY', 'MONTHLY'),
  amortisation: fc.constantFrom('EQUAL_INSTALMENT', 'EQUAL_PRINCIPAL', 'INTEREST_ONLY'),
  thirty360: fc.boolean(),
  policy: fc.constantFrom('REFUSE', 'REDUCE_LAST_INSTALMENTS', 'REDUCE_INSTALMENT_AMOUNT'),
  /** annual penalty rate in basis points */
  penaltyBp: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
  graceDays: fc.integer({ min: 0, max: 5 }),
  /** annual interest rate in basis points */
  rateBp: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3600 })),
  term: fc.integer({ min: 1, max: 12 }),
  /** principal in minor units of the currency: tiny (a few units over many periods) or ordinary */
  principal: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 4, arbitrary: fc.integer({ min: 1_000, max: 2_000_000 }) }),
  /** interest by period, or accrued day by day on the actual balance (an actual day count) */
  interestMethod: fc.constantFrom('DECLINING_BALANCE', 'DAILY_ACCRUAL'),
  accrualDayCount: fc.constantFrom('ACTUAL_365', 'ACTUAL_360', 'ACTUAL_ACTUAL_ISDA'),
  /** per-instalment fee in minor units (none half the time) */
  instalmentFee: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
  /** disbursement fee rate in basis points, deducted or financed */
  disbursementFee: fc.option(fc.record({ rateBp: fc.integer({ min: 1, max: 500 }), financed: fc.boolean() }), { nil: null, freq: 2 }),
});

const payArb = fc.record({
  kind: fc.constant('pay' as const),
  gap: fc.integer({ min: 0, max: 40 }),
  /** days the value date is before today (back-dated when before the latest run) */
  back: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 })),
  amount: fc.constantFrom('partial', 'instalment', 'over', 'payoff', 'beyond'),
  share: fc.integer({ min: 1, max: 99 }),
});
const eodArb = fc.record({ kind: fc.constant('eod' as const), gap: fc.integer({ min: 0, max: 40 }), back: fc.integer({ min: 0, max: 3 }) });
const scenarioArb = fc.record({
  product: productArb,
  /** days after the previous scenario's last day (time only moves forward, as in production) */
  startDay: fc.integer({ min: 1, max: 60 }),
  ops: fc.array(fc.oneof({ weight: 3, arbitrary: payArb }, { weight: 2, arbitrary: eodArb }), { minLength: 1, maxLength: 6 }),
  /** which payment is reversed (an index among the payments) and how many operations later */
  reversal: fc.option(fc.record({ of: fc.nat(), after: fc.nat() }), { nil: null, freq: 3 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** Every decimal string of a JSON value written by its value ("21.760" -> "21.76"). */
function normalised<T>(value: T): T {
  if (typeof value === 'string') return (/^-?\d+\.\d+$/.test(value) ? new D(value).toFixed() : value) as T;
  if (Array.isArray(value)) return value.map(normalised) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v)])) as T;
  return value;
}

/**
 * Scenarios per test run: bounded so the file stays around 90 s on a loaded PGlite (about 4 s a
 * scenario there); the seed is fixed (below). Raise it locally
 * to explore further (80 scenarios take about 6 minutes).
 */
const RUNS = 10;
/**
 * The seed: fixed by default, so CI is repeatable (the first property can still draw the
 * approximation left in README "Reversals" on some seeds); `PROPERTY_SEED=random` draws a new one each
 * run to explore, and `PROPERTY_SEED=<n>` replays one. Seeds 20261201 (a payoff quoted before a
 * standing repayment), 1054037537 and 823601660 (reversals with runs between the remaining
 * repayments) were run by hand; their defects have focused tests (payoff-prepayment.db.test.ts,
 * reverse-repayment.db.test.ts), each seed taking as long as the default one.
 */
const SEED = process.env.PROPERTY_SEED === 'random' ? undefined : Number(process.env.PROPERTY_SEED ?? 7);
const seeded = SEED === undefined ? {} : { seed: SEED };
/** Scenarios of the DAILY_ACCRUAL property (every one daily; the first property draws it half the time too). */
const DAILY_RUNS = 6;

const BASE = new Date('2025-01-01T12:00:00Z');
const dateOf = (day: number) => new Date(BASE.getTime() + day * 86_400_000).toISOString().slice(0, 10);
const dayOf = (date: string) => Math.round((new Date(`${date}T12:00:00Z`).getTime() - BASE.getTime()) / 86_400_000);

describe('credit money invariants over random products and payment sequences (property-based)', () => {
  let svc: TestService<DB>;
  let products = 0;
  /** The last day a scenario reached: the next one starts after it (the latest end-of-day run is the book's). */
  let lastDay = 0;
  let references = 0;
  const stats = {
    runs: 0,
    payments: 0,
    refused: 0,
    closedByPayoff: 0,
    reversals: 0,
    twinsCompared: 0,
    endOfDayReruns: 0,
    tinyRefused: 0,
    beyondPayoffBooked: 0,
    /** payoff operations on a date before a standing repayment: no quote is given then */
    quoteWithheld: 0,
  };

  const gql = async <T>(query: string, variables: Record<string, unknown>, as: Identity = staff.officer): Promise<T> => {
    const res = await svc.graphql<T>(query, variables, as);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  };
  /**
   * The loan as the API shows it, decimal strings normalised: amounts are compared by value
   * ("0.00" and "0.000" of a KWD loan are the same amount; how they are written is not in question here).
   */
  const stateOf = async (id: string, asOf?: string): Promise<LoanState> => normalised((await gql<{ loan: LoanState }>(LOAN, { id, asOf })).loan);
  const outboxSize = async () =>
    Number(
      (
        await svc.db
          .selectFrom('event_outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const atScale = (x: Decimal.Value, scale: number) => new D(x).toFixed(Math.max(2, scale));

  /** (d), (e), (f) on the stored rows of the loans. */
  async function checkStored(loanIds: string[], scale: number) {
    const [loans, allInstalments, allRepayments, allAllocations, allSnapshots] = await Promise.all([
      svc.db.selectFrom('loan').selectAll().where('id', 'in', loanIds).execute(),
      svc.db.selectFrom('instalment').selectAll().where('loan_id', 'in', loanIds).execute(),
      svc.db.selectFrom('repayment').selectAll().where('loan_id', 'in', loanIds).execute(),
      svc.db.selectFrom('repayment_allocation').selectAll().where('loan_id', 'in', loanIds).execute(),
      svc.db.selectFrom('loan_delinquency').selectAll().where('loan_id', 'in', loanIds).execute(),
    ]);
    expect(loans).toHaveLength(loanIds.length);
    for (const loan of loans) {
      const mine = <T extends { loan_id: string }>(rows: T[]) => rows.filter((r) => r.loan_id === loan.id);
      checkLoan(loan, mine(allInstalments), mine(allRepayments), mine(allAllocations), mine(allSnapshots), scale);
    }
  }
  function checkLoan(
    loan: Selectable<DB['loan']>,
    instalments: Selectable<DB['instalment']>[],
    repayments: Selectable<DB['repayment']>[],
    allocations: Selectable<DB['repayment_allocation']>[],
    snapshots: Selectable<DB['loan_delinquency']>[],
    scale: number,
  ) {
    const amounts: [string, string][] = [['loan.principal', loan.principal]];
    for (const i of instalments) {
      for (const k of [
        'principal',
        'interest',
        'principal_paid',
        'interest_paid',
        'penalty',
        'penalty_paid',
        'interest_waived',
        'fee',
        'fee_paid',
        'fee_waived',
      ] as const)
        amounts.push([`instalment ${i.version}/${i.number} ${k}`, i[k]]);
      if (i.scheduled_interest !== null) amounts.push([`instalment ${i.version}/${i.number} scheduled_interest`, i.scheduled_interest]);
    }
    for (const r of repayments)
      for (const k of ['amount', 'penalty_paid', 'interest_paid', 'principal_paid', 'prepaid_principal', 'fee_paid'] as const)
        amounts.push([`repayment ${k}`, r[k]]);
    for (const a of allocations) for (const k of ['penalty', 'interest', 'principal', 'fee'] as const) amounts.push([`allocation ${k}`, a[k]]);
    for (const s of snapshots) {
      for (const k of ['outstanding_principal', 'overdue_amount', 'penalty'] as const) amounts.push([`snapshot ${s.as_of} ${k}`, s[k]]);
      if (s.accrued_interest !== null) amounts.push([`snapshot ${s.as_of} accrued_interest`, s.accrued_interest]);
    }
    // (d) at the currency's scale; nothing negative
    for (const [what, value] of amounts) {
      expect(new D(value).decimalPlaces(), `${what} = ${value} has more than ${scale} decimals`).toBeLessThanOrEqual(scale);
      expect(new D(value).isNegative(), `${what} = ${value} is negative`).toBe(false);
    }

    const current = instalments.filter((i) => i.version === loan.schedule_version);
    const standing = repayments.filter((r) => r.reversed_at === null);
    const sum = <T>(rows: readonly T[], f: (r: T) => Decimal.Value) => rows.reduce((s, r) => s.plus(f(r)), new D(0));
    // (e) the schedule's principals add up to the loan (with a financed disbursement fee); nothing paid beyond what is due
    expect(sum(current, (i) => i.principal).eq(loan.financed_amount ?? loan.principal), 'principals add up to the loan').toBe(true);
    for (const i of current) {
      expect(new D(i.principal_paid).lte(i.principal), `instalment ${i.number} principal overpaid`).toBe(true);
      expect(new D(i.interest_paid).lte(i.interest), `instalment ${i.number} interest overpaid`).toBe(true);
      expect(new D(i.penalty_paid).lte(i.penalty), `instalment ${i.number} penalty overpaid`).toBe(true);
      expect(new D(i.fee_paid).lte(i.fee), `instalment ${i.number} fee overpaid`).toBe(true);
    }
    // (e) each standing repayment's parts add up to it; what they paid is what the instalments received
    for (const r of standing) {
      expect(new D(r.penalty_paid).plus(r.fee_paid).plus(r.interest_paid).plus(r.principal_paid).eq(r.amount), `repayment ${r.external_reference} parts`).toBe(
        true,
      );
      const lines = allocations.filter((a) => a.repayment_id === r.id && a.version === loan.schedule_version);
      expect(
        sum(lines, (a) => new D(a.penalty).plus(a.fee).plus(a.interest).plus(a.principal)).eq(r.amount),
        `repayment ${r.external_reference} allocated`,
      ).toBe(true);
    }
    const paid = sum(current, (i) => new D(i.principal_paid).plus(i.interest_paid).plus(i.penalty_paid).plus(i.fee_paid));
    expect(paid.toFixed(), 'instalments received what the standing repayments paid').toBe(sum(standing, (r) => r.amount).toFixed());
    // (f) owing nothing <=> CLOSED, every instalment paid
    const owed = sum(current, (i) =>
      new D(i.principal).plus(i.interest).plus(i.penalty).plus(i.fee).minus(i.principal_paid).minus(i.interest_paid).minus(i.penalty_paid).minus(i.fee_paid),
    );
    if (loan.status === 'ACTIVE' || loan.status === 'CLOSED') {
      expect(loan.status, `owes ${owed.toFixed()}`).toBe(owed.isZero() ? 'CLOSED' : 'ACTIVE');
      if (loan.status === 'CLOSED') expect(current.every((i) => i.paid_on !== null)).toBe(true);
    }
  }

  /** Applies for, approves (twice when the currency's policy asks) and disburses a loan today. */
  async function activeLoan(productCode: string, principal: string, annualRate: string, termCount: number, today: string) {
    const applied = await gql<{ applyForLoan: { loan: { id: string } | null; userErrors: UserError[] } }>(APPLY, {
      input: { customerId: 'inv-c', productCode, principal, annualRate, termCount, purpose: 'Working capital' },
    });
    expect(applied.applyForLoan.userErrors).toEqual([]);
    const id = applied.applyForLoan.loan?.id ?? '';
    for (const approver of [manager, riskOfficer]) {
      const a = await gql<{ approveLoan: { loan: { status: string } | null; userErrors: UserError[] } }>(APPROVE, { input: { loanId: id } }, approver);
      expect(a.approveLoan.userErrors).toEqual([]);
      if (a.approveLoan.loan?.status === 'APPROVED') break;
    }
    const d = await gql<{ disburseLoan: { loan: { status: string } | null; userErrors: UserError[] } }>(DISBURSE, {
      input: { loanId: id, disbursedOn: today },
    });
    return { id, userErrors: d.disburseLoan.userErrors };
  }

  /** Runs one scenario; `reversals` false leaves the reversal out (for a property about the rest). */
  async function run(s: Scenario) {
    stats.runs++;
    const { code: currency, scale } = s.product.currency;
    const unit = new D(1).div(10 ** scale);
    let today = dateOf(lastDay + s.startDay);
    const setToday = (d: string) => {
      today = d;
      lastDay = dayOf(d);
      vi.setSystemTime(new Date(`${d}T12:00:00Z`));
    };
    setToday(today);
    const code = `INV-${++products}`;
    const monthly = s.product.frequency === 'MONTHLY';
    const p = await gql<{ createLoanProduct: { userErrors: UserError[] } }>(
      PRODUCT,
      {
        input: {
          code,
          name: code,
          type: 'MICRO_BUSINESS',
          currency,
          minPrincipal: atScale(unit, scale),
          maxPrincipal: atScale(new D(3_000_000).mul(unit), scale),
          minRate: '0',
          maxRate: '0.36',
          minTerm: 1,
          maxTerm: 12,
          frequency: s.product.frequency,
          amortisation: s.product.amortisation,
          dayCount: s.product.interestMethod === 'DAILY_ACCRUAL' ? s.product.accrualDayCount : monthly && s.product.thirty360 ? 'THIRTY_360' : 'ACTUAL_365',
          penaltyRate: new D(s.product.penaltyBp).div(10_000).toFixed(4),
          graceDays: s.product.graceDays,
          overpaymentPolicy: s.product.policy,
          interestMethod: s.product.interestMethod,
          instalmentFee: s.product.instalmentFee ? atScale(new D(s.product.instalmentFee).mul(unit), scale) : null,
          disbursementFeeRate: s.product.disbursementFee ? new D(s.product.disbursementFee.rateBp).div(10_000).toFixed(4) : null,
          disbursementFeeFinanced: s.product.disbursementFee?.financed ?? false,
        },
      },
      staff.admin,
    );
    expect(p.createLoanProduct.userErrors).toEqual([]);
    const principal = atScale(new D(s.product.principal).mul(unit), scale);
    const rate = new D(s.product.rateBp).div(10_000).toFixed(4);
    const loan = await activeLoan(code, principal, rate, s.product.term, today);
    if (loan.userErrors.length) {
      // A schedule that would carry an instalment owing nothing (or a negative principal) is refused at disbursement with a field and a code.
      expect(loan.userErrors.every((e) => e.field && e.code)).toBe(true);
      stats.tinyRefused++;
      return;
    }
    // the twin (for the reversal) takes the same operations but the reversed repayment
    const twin = s.reversal ? await activeLoan(code, principal, rate, s.product.term, today) : null;
    expect(twin?.userErrors ?? []).toEqual([]);
    const ids = twin ? [loan.id, twin.id] : [loan.id];
    const disbursedOn = today;

    // which payment operation is reversed, and after which operation
    const payIndexes = s.ops.flatMap((o, k) => (o.kind === 'pay' ? [k] : []));
    const reversedOp = s.reversal && payIndexes.length ? (payIndexes[s.reversal.of % payIndexes.length] ?? null) : null;
    const reverseAfter = reversedOp === null || !s.reversal ? null : reversedOp + (s.reversal.after % (s.ops.length - reversedOp));
    let reversedId: string | null = null;
    /** The twin is the same loan without the reversed payment, as long as it accepted everything the loan accepted. */
    let twinValid = true;
    let reversedDone = false;

    const pay = async (loanId: string, amount: string, paidOn: string) =>
      (
        await gql<{ recordRepayment: { repayment: { id: string } | null; loan: { status: string } | null; userErrors: UserError[] } }>(REPAY, {
          input: { loanId, amount, paidOn, channel: 'CASH', externalReference: `inv-${++references}` },
        })
      ).recordRepayment;
    const compareTwin = async () => {
      if (!twin || !twinValid || (reversedOp !== null && !reversedDone)) return;
      expect(await stateOf(loan.id), 'the loan equals its twin').toEqual(await stateOf(twin.id));
      stats.twinsCompared++;
    };

    for (const [k, op] of s.ops.entries()) {
      setToday(dateOf(dayOf(today) + op.gap));
      if (op.kind === 'eod') {
        const asOf = dateOf(Math.max(dayOf(disbursedOn), dayOf(today) - op.back));
        const first = await gql<{ runEndOfDay: { userErrors: UserError[] } }>(EOD, { input: { asOf } }, riskOfficer);
        expect(first.runEndOfDay.userErrors).toEqual([]);
        // (c) the same date again: nothing changes, nothing is emitted
        const states = async () => [...(await Promise.all(ids.map((id) => stateOf(id)))), await outboxSize()];
        const before = await states();
        const again = await gql<{ runEndOfDay: Record<string, unknown> }>(EOD, { input: { asOf } }, riskOfficer);
        expect(again.runEndOfDay).toEqual({ bucketChanges: 0, riskClassChanges: 0, overdueInstalments: 0, warningsRaised: 0, userErrors: [] });
        expect(await states(), 'a second run for the date changes nothing').toEqual(before);
        stats.endOfDayReruns++;
      } else {
        const paidOn = dateOf(Math.max(dayOf(disbursedOn), dayOf(today) - op.back));
        const state = await stateOf(loan.id, paidOn);
        // No payoff is quoted (nor a settlement booked) on a date before a standing repayment's value date (README "Early settlement")
        const later = await svc.db
          .selectFrom('repayment')
          .select('paid_on')
          .where('loan_id', '=', loan.id)
          .where('reversed_at', 'is', null)
          .where('paid_on', '>', paidOn)
          .execute();
        if (state.status === 'ACTIVE') expect(state.payoffQuote === null, `payoff quote on ${paidOn} withheld`).toBe(later.length > 0);
        if (state.status === 'ACTIVE' && state.payoffQuote === null && (op.amount === 'payoff' || op.amount === 'beyond')) {
          stats.quoteWithheld++;
        } else if (state.status === 'ACTIVE') {
          const next = state.schedule.find((i) => i.paidOn === null);
          const owedNext = new D(next?.outstanding ?? 0);
          const payoff = state.payoffQuote ? new D(state.payoffQuote.total) : state.schedule.reduce((t, i) => t.plus(i.outstanding), new D(0));
          const floor = (x: Decimal) => x.toDecimalPlaces(scale, Decimal.ROUND_DOWN);
          const amount = {
            partial: D.max(unit, floor(owedNext.mul(op.share).div(100))),
            instalment: D.max(unit, owedNext),
            over: D.max(unit, owedNext.plus(floor(payoff.minus(owedNext).mul(op.share).div(100)))),
            payoff,
            beyond: payoff.plus(unit),
          }[op.amount];
          const res = await pay(loan.id, atScale(amount, scale), paidOn);
          stats.payments++;
          if (res.userErrors.length) {
            stats.refused++;
            // refused with a field and a code, and nothing changed
            expect(res.userErrors.every((e) => e.field && e.code)).toBe(true);
            expect(res.userErrors.map((e) => e.code)).not.toContain('INTERNAL_SERVER_ERROR');
            expect(await stateOf(loan.id, paidOn), 'a refused repayment changes nothing').toEqual(state);
            // more than the payoff: EXCEEDS_BALANCE (under REFUSE, which refuses any overpayment, OVERPAYMENT_REFUSED may come first)
            if (op.amount === 'beyond')
              expect(res.userErrors.map((e) => e.code)).toEqual([
                s.product.policy === 'REFUSE' ? expect.stringMatching(/^(EXCEEDS_BALANCE|OVERPAYMENT_REFUSED)$/) : 'EXCEEDS_BALANCE',
              ]);
            if (op.amount === 'payoff') expect.fail(`paying the payoff quote ${amount.toFixed()} on ${paidOn} was refused: ${JSON.stringify(res.userErrors)}`);
          } else {
            if (op.amount === 'beyond') {
              const after = await stateOf(loan.id);
              if (after.status !== 'CLOSED') {
                // Known bug (the it.fails below): more than the payoff, but no more than the regular allocation (the
                // instalments due and the next one in full), is booked and leaves the loan open. Anything more must be refused.
                const open = state.schedule.filter((i) => i.paidOn === null);
                const nextOne = open.find((i) => i.dueDate > paidOn);
                const regular = open.filter((i) => i.dueDate <= paidOn || i === nextOne).reduce((t, i) => t.plus(i.outstanding), new D(0));
                expect(amount.lte(regular), `${amount.toFixed()} beyond the payoff ${payoff.toFixed()} and the regular ${regular.toFixed()}`).toBe(true);
                stats.beyondPayoffBooked++;
              }
            }
            if (op.amount === 'payoff') {
              // (a) exactly the quote settles the loan: CLOSED, nothing outstanding
              const after = await stateOf(loan.id);
              expect(after.status, `the payoff ${amount.toFixed()} on ${paidOn} closes the loan`).toBe('CLOSED');
              expect(new D(after.outstandingPrincipal.amount).isZero()).toBe(true);
              expect(after.schedule.every((i) => new D(i.outstanding).isZero())).toBe(true);
              stats.closedByPayoff++;
            }
            if (k === reversedOp) reversedId = res.repayment?.id ?? null;
            else if (twin) {
              const t = await pay(twin.id, atScale(amount, scale), paidOn);
              if (t.userErrors.length) twinValid = false;
            }
          }
        } else {
          expect((await pay(loan.id, atScale(unit, scale), paidOn)).userErrors.map((e) => e.code)).toEqual(['LOAN_NOT_ACTIVE']);
        }
      }
      await checkStored(ids, scale);

      if (k === reverseAfter) {
        reversedDone = true;
        if (reversedId) {
          const before = await stateOf(loan.id);
          const res = await gql<{ reverseRepayment: { userErrors: UserError[] } }>(
            REVERSE,
            { input: { repaymentId: reversedId, reason: 'Cheque returned unpaid' } },
            riskOfficer,
          );
          if (res.reverseRepayment.userErrors.length) {
            // a repayment a re-amortisation was built on (or booked before it) cannot be reversed; nor one without which a
            // standing repayment could no longer be allocated (a repayment valued before another one but after the latest run
            // was allocated against the loan as it stood, the replay goes by value date): nothing changes
            expect(res.reverseRepayment.userErrors.map((e) => e.code)).toEqual([
              expect.stringMatching(/^(REPAYMENT_BEFORE_RESCHEDULING|REALLOCATION_FAILED)$/),
            ]);
            expect(await stateOf(loan.id)).toEqual(before);
            twinValid = false;
          } else stats.reversals++;
          await checkStored(ids, scale);
        }
      }
      await compareTwin();
    }

    // (a) at the end: exactly the payoff quote of today closes each loan that is still active
    for (const id of ids) {
      const state = await stateOf(id, today);
      if (state.status !== 'ACTIVE') continue;
      const total = state.payoffQuote?.total ?? '';
      const res = await pay(id, total, today);
      expect(res.userErrors, `paying the payoff quote ${total} on ${today}`).toEqual([]);
      const after = await stateOf(id);
      expect(after.status).toBe('CLOSED');
      expect(new D(after.outstandingPrincipal.amount).isZero()).toBe(true);
      stats.closedByPayoff++;
      await checkStored([id], scale);
    }
  }

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(BASE);
    svc = await startTestService(creditService, { label: 'credit_invariants' });
    await given(svc).customer('inv-c');
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('holds (a) to (f) over random products and payment sequences', { timeout: 60_000 + RUNS * 20_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, (s) => run(s)),
      { numRuns: RUNS, endOnFailure: true, ...seeded },
    );
    console.info(`invariants: ${JSON.stringify(stats)}`);
    // the properties were exercised, not vacuously true
    expect(stats.closedByPayoff).toBeGreaterThan(0);
    expect(stats.endOfDayReruns).toBeGreaterThan(0);
    expect(stats.twinsCompared).toBeGreaterThan(0);
  });

  it('holds (a) to (f) for DAILY_ACCRUAL loans (interest day by day on the actual balance), with fees', { timeout: 60_000 + DAILY_RUNS * 20_000 }, async () => {
    const before = { ...stats };
    await fc.assert(
      fc.asyncProperty(
        // Without penalty: a repayment booked live days after a run that is no longer the latest paid that run's penalty, which
        // a reversal's replay charges to its value date (README "Reversals", what stays approximate whatever the method); the
        // first property draws penalties.
        scenarioArb.map((s) => ({ ...s, product: { ...s.product, interestMethod: 'DAILY_ACCRUAL' as const, penaltyBp: 0 } })),
        (s) => run(s),
      ),
      { numRuns: DAILY_RUNS, endOnFailure: true, ...seeded },
    );
    console.info(`invariants (daily accrual): ${JSON.stringify(stats)}`);
    expect(stats.closedByPayoff).toBeGreaterThan(before.closedByPayoff);
    expect(stats.endOfDayReruns).toBeGreaterThan(before.endOfDayReruns);
  });

  /**
   * Found by the property above (invariant (a) generalised): an amount above the payoff that the
   * regular allocation could absorb (the next instalment's full scheduled interest paid early) was
   * booked and left the loan open. Anything above the payoff is now refused with EXCEEDS_BALANCE.
   */
  it('more than the payoff, even within the regular allocation, is refused (EXCEEDS_BALANCE)', async () => {
    const start = dateOf(lastDay + 1);
    vi.setSystemTime(new Date(`${start}T12:00:00Z`));
    lastDay += 1;
    const created = await gql<{ createLoanProduct: { userErrors: UserError[] } }>(
      PRODUCT,
      {
        input: {
          code: 'INV-BEYOND',
          name: 'Weekly, equal principal',
          type: 'MICRO_BUSINESS',
          currency: 'USD',
          minPrincipal: '1.00',
          maxPrincipal: '10000.00',
          minRate: '0',
          maxRate: '0.36',
          minTerm: 1,
          maxTerm: 12,
          frequency: 'WEEKLY',
          amortisation: 'EQUAL_PRINCIPAL',
          dayCount: 'ACTUAL_365',
          penaltyRate: '0',
          graceDays: 0,
          overpaymentPolicy: 'REFUSE',
        },
      },
      staff.admin,
    );
    expect(created.createLoanProduct.userErrors).toEqual([]);
    const loan = await activeLoan('INV-BEYOND', '1000.00', '0.1825', 2, start);
    expect(loan.userErrors).toEqual([]);
    // 1,000.00 at 18.25 % in 2 weekly instalments: interest 3.50 (7 days on 1,000.00), 1.75 (7 days on 500.00).
    // Six days into the second week the payoff is 500.00 + 3.50 + 500.00 + 1.75 x 6 / 7 = 1005.00.
    const paidOn = dateOf(dayOf(start) + 13);
    vi.setSystemTime(new Date(`${paidOn}T12:00:00Z`));
    lastDay = dayOf(paidOn);
    expect((await stateOf(loan.id, paidOn)).payoffQuote?.total).toBe('1005');
    const res = (
      await gql<{ recordRepayment: { loan: { status: string } | null; userErrors: UserError[] } }>(REPAY, {
        input: { loanId: loan.id, amount: '1005.01', paidOn, channel: 'CASH', externalReference: 'inv-beyond' },
      })
    ).recordRepayment;
    // It used to be booked, leaving 0.24 of principal owing.
    expect(res.userErrors.map((e) => e.code)).toEqual(['EXCEEDS_BALANCE']);
    expect(res.userErrors[0]?.message).toContain('1005');
  });
});
