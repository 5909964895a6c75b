import type { Identity } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

/**
 * Issue 10's eight money defects, each reproduced through the gateway's GraphQL only, with the
 * issue's own figures, on one stack. The expected amounts are computed here with exact rational
 * arithmetic on minor units (BigInt), not with credit's functions. Where an event matters, its
 * effect is read in the service that consumes it (customers, loyalty).
 *
 * One business date for the whole file, moved through credit's API only (issue 10): setBusinessDate
 * (administrators, outside production) and closeBusinessDay (the end-of-day run of the open date);
 * the system clock is left alone. It only moves forward, each test living in its own months after
 * the previous one. The story is written in 2026-2028 and replayed SHIFT years earlier (a multiple
 * of 4: the same calendar, leap years included), so that it ends before today: the other services
 * keep the wall clock (customers' value score and delinquency list count the loans disbursed by
 * today and not closed by then), and a job never runs for a date after today.
 */
const SHIFT = 4 * Math.ceil(Math.max(0, 2029 - new Date().getUTCFullYear()) / 4);
/** A date of the story, replayed SHIFT years earlier. */
const d = (date: string) => `${Number(date.slice(0, 4)) - SHIFT}${date.slice(4)}`;
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const manager: Identity = { userId: 'bm-1', roles: ['branch_manager'], branchId: 'BR-DKR' };
const riskOfficer: Identity = { userId: 'risk-1', roles: ['risk_officer'], branchId: 'BR-DKR' };
const WAIT = 60_000;

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { product { code } userErrors { field code } } }`;
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id status } userErrors { field code } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { loan { status awaitingSecondApproval } userErrors { field code } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { status } userErrors { field code } } }`;
const REPAY = `mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
  repayment { id penaltyPaid interestPaid principalPaid prepaidPrincipal } loan { status } userErrors { field code message } } }`;
const REVERSE = `mutation($input: ReverseRepaymentInput!) { reverseRepayment(input: $input) {
  repayment { id reversedBy } loan { status } userErrors { field code } } }`;
const EOD = `mutation($input: RunEndOfDayInput!) { runEndOfDay(input: $input) { bucketChanges riskClassChanges userErrors { field code } } }`;
const SET_DATE = `mutation($date: Date!) { setBusinessDate(input: { date: $date }) { businessDate { date } userErrors { field code } } }`;
const CLOSE_DAY = `mutation($date: Date!) { closeBusinessDay(input: { businessDate: $date }) {
  businessDate { date } run { asOf counts { name value } } userErrors { field code } } }`;
const REQUEST = `mutation($input: RequestRestructuringInput!) { requestRestructuring(input: $input) { restructuring { id } userErrors { field code } } }`;
const DECIDE = `mutation($input: DecideRestructuringInput!) { decideRestructuring(input: $input) { restructuring { status toVersion } userErrors { field code } } }`;
const LOAN = `query($id: ID!, $asOf: Date) { loan(id: $id) {
  status closedOn currentScheduleVersion termCount outstandingPrincipal { amount currency }
  daysPastDue delinquencyBucket riskClass
  payoffQuote(asOf: $asOf) { asOf currency principal overdueInterest accruedInterest penalty interestWaived total }
  schedule { number dueDate principal interest total principalPaid interestPaid penalty penaltyPaid outstanding paidOn daysPastDue status }
} }`;
const DOWNSTREAM = `query($id: ID!) { customer(id: $id) {
  valueScore { components { code basis } }
  loyalty { pointsBalance ledger(first: 50) { edges { node { kind points ruleCode } } } }
} }`;
const IN_BUCKET = `query($b: [CustomerDelinquencyBucket!]) { customers(filter: { delinquencyBucket: $b }, first: 100) { edges { node { id } } } }`;

interface Instalment {
  number: number;
  dueDate: string;
  principal: string;
  interest: string;
  total: string;
  principalPaid: string;
  interestPaid: string;
  penalty: string;
  penaltyPaid: string;
  outstanding: string;
  paidOn: string | null;
  daysPastDue: number;
  status: string;
}
interface Loan {
  status: string;
  closedOn: string | null;
  currentScheduleVersion: number;
  termCount: number;
  outstandingPrincipal: { amount: string; currency: string };
  daysPastDue: number;
  delinquencyBucket: string;
  riskClass: string;
  payoffQuote: Record<string, string> | null;
  schedule: Instalment[];
}
interface Repaid {
  repayment: { id: string; penaltyPaid: string; interestPaid: string; principalPaid: string; prepaidPrincipal: string } | null;
  loan: { status: string } | null;
  userErrors: { field: string | null; code: string; message: string }[];
}
interface Downstream {
  valueScore: { components: { code: string; basis: string }[] };
  loyalty: { pointsBalance: number; ledger: { edges: { node: { kind: string; points: number; ruleCode: string | null } }[] } } | null;
}

// ---- The test's own arithmetic: amounts as BigInt counts of minor units, rounded half up. ----

/** n / d rounded half up (n, d >= 0). */
const halfUp = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);
/** Minor units written as credit writes amounts: the currency's decimals, at least 2. */
const fmt = (minor: bigint, decimals: number) => {
  const shown = Math.max(decimals, 2);
  const scaled = minor * 10n ** BigInt(shown - decimals);
  const s = scaled.toString().padStart(shown + 1, '0');
  return `${s.slice(0, -shown)}.${s.slice(-shown)}`;
};
/** "1,234.56" -> minor units at `decimals`. */
const minor = (amount: string, decimals: number) => {
  const [whole = '0', frac = ''] = amount.split('.');
  const kept = frac.slice(decimals);
  if (/[1-9]/.test(kept)) throw new Error(`${amount} has more than ${decimals} decimals`);
  return BigInt(whole + frac.slice(0, decimals).padEnd(decimals, '0'));
};
/**
 * A level-payment (annuity) schedule with periodic rate r = num / den:
 * A = P r (1 + r)^n / ((1 + r)^n - 1), interest_k = B_{k-1} r, the last instalment takes the rest.
 */
function annuity(principal: bigint, num: bigint, den: bigint, n: number) {
  const grown = (den + num) ** BigInt(n);
  const base = den ** BigInt(n);
  const level = halfUp(principal * num * grown, den * (grown - base));
  const rows: { principal: bigint; interest: bigint }[] = [];
  let balance = principal;
  for (let k = 1; k <= n; k++) {
    const interest = halfUp(balance * num, den);
    const p = k === n ? balance : level - interest;
    rows.push({ principal: p, interest });
    balance -= p;
  }
  return { level, rows };
}
/** Penalty at 36.5 % a year (0.1 % a day) on `unpaid` for `days` days. */
const penaltyOf = (unpaid: bigint, days: number) => halfUp(unpaid * BigInt(days), 1000n);
const sumOf = (xs: bigint[]) => xs.reduce((s, x) => s + x, 0n);

describe(`credit money, issue 10's eight defects end to end through the gateway on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  /** The story's day: the value date of what the test does (the business date, or the day just closed). */
  let today = '';
  /** Credit's open business date. */
  let open = '';

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, as?: Identity): Promise<T> => {
    const res = await stack.query<T>(query, variables, as);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  };
  const customer = async (lastName: string) => {
    const res = await gql<{ registerCustomer: { customer: { id: string } | null; userErrors: unknown[] } }>(REGISTER, {
      input: {
        kind: 'INDIVIDUAL',
        branchId: 'BR-DKR',
        relationshipManagerId: 'officer-1',
        individual: { firstName: 'Awa', lastName, birthDate: '1985-06-01' },
      },
    });
    expect(res.registerCustomer.userErrors).toEqual([]);
    const id = res.registerCustomer.customer?.id;
    if (!id) throw new Error('no customer');
    return id;
  };
  const product = async (input: Record<string, unknown>) => {
    const res = await gql<{ createLoanProduct: { userErrors: unknown[] } }>(
      PRODUCT,
      {
        input: {
          name: String(input.code),
          type: 'MICRO_BUSINESS',
          currency: 'USD',
          minPrincipal: '100.00',
          maxPrincipal: '50000.00',
          minRate: '0',
          maxRate: '0.36',
          minTerm: 3,
          maxTerm: 36,
          frequency: 'MONTHLY',
          amortisation: 'EQUAL_INSTALMENT',
          dayCount: 'THIRTY_360',
          penaltyRate: '0.365',
          graceDays: 0,
          overpaymentPolicy: 'REFUSE',
          ...input,
        },
      },
      staff.admin,
    );
    expect(res.createLoanProduct.userErrors).toEqual([]);
  };
  let applications = 0;
  /** Applies (once credit knows the customer), approves (twice when the currency's policy asks for it), disburses today. */
  const activeLoan = async (customerId: string, productCode: string, principal: string, annualRate: string, termCount: number) => {
    const input = { customerId, productCode, principal, annualRate, termCount, purpose: 'Stock for the shop', idempotencyKey: `cm-loan-${++applications}` };
    const loanId = await eventually(async () => {
      const res = await stack.query<{ applyForLoan: { loan: { id: string } | null; userErrors: { code: string }[] } }>(APPLY, { input });
      const errors = res.data?.applyForLoan.userErrors ?? [];
      if (errors.length && errors.some((e) => e.code !== 'CUSTOMER_NOT_FOUND')) throw new Error(JSON.stringify(errors));
      return res.data?.applyForLoan.loan?.id;
    }, WAIT);
    const first = await gql<{ approveLoan: { loan: { status: string; awaitingSecondApproval: boolean } | null; userErrors: unknown[] } }>(
      APPROVE,
      { input: { loanId } },
      manager,
    );
    expect(first.approveLoan.userErrors).toEqual([]);
    if (first.approveLoan.loan?.awaitingSecondApproval) {
      const second = await gql<{ approveLoan: { loan: { status: string } | null; userErrors: unknown[] } }>(APPROVE, { input: { loanId } }, riskOfficer);
      expect(second.approveLoan).toMatchObject({ loan: { status: 'APPROVED' }, userErrors: [] });
    }
    const disbursed = await gql<{ disburseLoan: { loan: { status: string } | null; userErrors: unknown[] } }>(DISBURSE, {
      input: { loanId, disbursedOn: today },
    });
    expect(disbursed.disburseLoan).toEqual({ loan: { status: 'ACTIVE' }, userErrors: [] });
    return loanId;
  };
  const loan = async (id: string, asOf?: string) => (await gql<{ loan: Loan }>(LOAN, { id, asOf })).loan;
  let refs = 0;
  const pay = async (loanId: string, amount: string, paidOn = today) =>
    (await gql<{ recordRepayment: Repaid }>(REPAY, { input: { loanId, amount, paidOn, channel: 'MOBILE_MONEY', externalReference: `cm-${++refs}-${loanId}` } }))
      .recordRepayment;
  const payOk = async (loanId: string, amount: string, paidOn = today) => {
    const res = await pay(loanId, amount, paidOn);
    expect(res.userErrors).toEqual([]);
    return res;
  };
  /** Moves credit's business date forward to `date` (setBusinessDate); never back. */
  const on = async (date: string) => {
    if (date < today) throw new Error(`the business date only moves forward: ${date} is before ${today}`);
    today = date;
    if (open === date) return;
    const res = await gql<{ setBusinessDate: unknown }>(SET_DATE, { date }, staff.admin);
    expect(res.setBusinessDate).toEqual({ businessDate: { date }, userErrors: [] });
    open = date;
  };
  /**
   * The end-of-day run of `asOf`: the close of business when it is the open business date (the next
   * date opens; what the test still does that day keeps its value date), otherwise an explicit
   * (re-)run of that date.
   */
  const endOfDay = async (asOf: string) => {
    if (asOf === open) {
      const res = await gql<{
        closeBusinessDay: {
          businessDate: { date: string } | null;
          run: { asOf: string; counts: { name: string; value: number }[] } | null;
          userErrors: unknown[];
        };
      }>(CLOSE_DAY, { date: asOf }, riskOfficer);
      expect(res.closeBusinessDay.userErrors).toEqual([]);
      expect(res.closeBusinessDay.businessDate?.date).toBe(nextDay(asOf));
      expect(res.closeBusinessDay.run?.asOf).toBe(asOf);
      open = nextDay(asOf);
      const counts = new Map(res.closeBusinessDay.run?.counts.map((c) => [c.name, c.value]));
      return { bucketChanges: counts.get('bucketChanges') ?? 0, riskClassChanges: counts.get('riskClassChanges') ?? 0, userErrors: [] };
    }
    const res = await gql<{ runEndOfDay: { bucketChanges: number; riskClassChanges: number; userErrors: unknown[] } }>(EOD, { input: { asOf } }, riskOfficer);
    expect(res.runEndOfDay.userErrors).toEqual([]);
    return res.runEndOfDay;
  };
  /** Waits until the customer's view in customers and loyalty satisfies `ok`. */
  const downstream = (customerId: string, ok: (d: Downstream) => boolean) =>
    eventually(async () => {
      const d = (await gql<{ customer: Downstream | null }>(DOWNSTREAM, { id: customerId })).customer;
      return d && ok(d) ? d : undefined;
    }, WAIT);
  const basis = (d: Downstream, code: string) => d.valueScore.components.find((c) => c.code === code)?.basis ?? '';
  const ledger = (d: Downstream) => d.loyalty?.ledger.edges.map((e) => e.node) ?? [];
  /** Waits until customers lists the customer under `bucket` (their worst open loan's) and not under any other. */
  const listedUnder = (customerId: string, bucket: string) =>
    eventually(async () => {
      const under = async (b: string) =>
        (await gql<{ customers: { edges: { node: { id: string } }[] } }>(IN_BUCKET, { b: [b] })).customers.edges.some((e) => e.node.id === customerId);
      const all = ['CURRENT', 'DPD_1_30', 'DPD_31_60', 'DPD_61_90', 'DPD_90_PLUS'];
      const found = [];
      for (const b of all) if (await under(b)) found.push(b);
      return found.length === 1 && found[0] === bucket ? bucket : undefined;
    }, WAIT);

  beforeAll(async () => {
    stack = await startTestStack();
    await on(d('2026-01-15'));
    await product({ code: 'CM-XOF', currency: 'XOF', minPrincipal: '100000', maxPrincipal: '50000000', graceDays: 3 });
    for (const currency of ['KWD', 'BHD', 'TND']) {
      await product({ code: `CM-${currency}`, currency, minPrincipal: '100.000', maxPrincipal: '5000.000', graceDays: 3 });
    }
    await product({ code: 'CM-IO0', amortisation: 'INTEREST_ONLY' });
    await product({ code: 'CM-IO', amortisation: 'INTEREST_ONLY' });
    await product({ code: 'CM-SHORTEN', overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS' });
    await product({ code: 'CM-LOWER', overpaymentPolicy: 'REDUCE_INSTALMENT_AMOUNT' });
    await product({ code: 'CM-STD' });
    await product({ code: 'CM-WEEKLY', frequency: 'WEEKLY', dayCount: 'ACTUAL_365', minTerm: 4, maxTerm: 52, penaltyRate: '0' });
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('1. XOF penalties are whole francs and the loan closes once they are paid; KWD, BHD and TND loans run at 3 decimals', async () => {
    await on(d('2026-01-15'));
    const customerId = await customer('Zero-Decimal');
    const currencies = [
      { currency: 'XOF', decimals: 0, principal: '1000000' },
      { currency: 'KWD', decimals: 3, principal: '1000.000' },
      { currency: 'BHD', decimals: 3, principal: '1000.000' },
      { currency: 'TND', decimals: 3, principal: '1000.000' },
    ];
    const loans = [];
    for (const c of currencies) {
      const id = await activeLoan(customerId, `CM-${c.currency}`, c.principal, '0.12', 3);
      // 1 % a month: A = P x 101^3 / (100 x (101^3 - 100^3)); XOF 340022 (330022 + 10000, 333322 + 6700, 336656 + 3367 + 1).
      const expected = annuity(minor(c.principal, c.decimals), 1n, 100n, 3);
      const start = await loan(id);
      expect(start.outstandingPrincipal).toEqual({ amount: fmt(minor(c.principal, c.decimals), c.decimals), currency: c.currency });
      expect(start.schedule.map((i) => [i.dueDate, i.principal, i.interest])).toEqual(
        expected.rows.map((r, k) => [[d('2026-02-15'), d('2026-03-15'), d('2026-04-15')][k], fmt(r.principal, c.decimals), fmt(r.interest, c.decimals)]),
      );
      loans.push({ ...c, id, expected });
    }
    expect(loans[0]?.expected.rows.map((r) => r.principal + r.interest)).toEqual([340022n, 340022n, 340023n]);
    await downstream(customerId, (d) => basis(d, 'PRODUCTS') === '4 open loan(s)');

    // Instalment 1 unpaid: on 23 Feb, 8 days past due, 3 days' grace: 340022 x 0.365 x 5 / 365 = 1700.11 -> 1700 XOF
    // (the defect: 1700.11, whose 0.11 could never be paid); 340.022 x 0.001 x 5 = 1.70011 -> 1.700 at 3 decimals.
    await on(d('2026-02-23'));
    await endOfDay(d('2026-02-23'));
    for (const l of loans) {
      const due = (l.expected.rows[0]?.principal ?? 0n) + (l.expected.rows[0]?.interest ?? 0n);
      const penalty = penaltyOf(due, 5);
      expect(fmt(penalty, l.decimals)).toBe(l.decimals === 0 ? '1700.00' : '1.700');
      const late = await loan(l.id);
      expect(late.schedule[0]).toMatchObject({ penalty: fmt(penalty, l.decimals), outstanding: fmt(due + penalty, l.decimals), status: 'OVERDUE' });
      expect(late).toMatchObject({ daysPastDue: 8, delinquencyBucket: 'DPD_1_30' });
    }
    const xof = loans[0];
    if (!xof) throw new Error('no XOF loan');
    // Amounts finer than the currency are refused, and change nothing.
    expect((await pay(xof.id, '0.11')).userErrors.map((e) => [e.field, e.code])).toEqual([['amount', 'TOO_MANY_DECIMALS']]);
    expect((await pay(loans[1]?.id ?? '', '1.0005')).userErrors.map((e) => [e.field, e.code])).toEqual([['amount', 'TOO_MANY_DECIMALS']]);

    for (const l of loans) {
      const first = await payOk(l.id, (await loan(l.id)).schedule[0]?.outstanding ?? '');
      expect(first.repayment).toMatchObject({
        penaltyPaid: l.decimals === 0 ? '1700.00' : '1.700',
        interestPaid: fmt(l.expected.rows[0]?.interest ?? 0n, l.decimals),
        principalPaid: fmt(l.expected.rows[0]?.principal ?? 0n, l.decimals),
      });
    }
    await on(d('2026-03-15'));
    for (const l of loans) await payOk(l.id, (await loan(l.id)).schedule[1]?.outstanding ?? '');
    await on(d('2026-04-15'));
    for (const l of loans) {
      const last = (l.expected.rows[2]?.principal ?? 0n) + (l.expected.rows[2]?.interest ?? 0n);
      // one minor unit more than what is owed is more than the payoff
      expect((await pay(l.id, fmt(last + 1n, l.decimals))).userErrors.map((e) => [e.field, e.code])).toEqual([['amount', 'EXCEEDS_BALANCE']]);
      const closing = await payOk(l.id, fmt(last, l.decimals));
      expect(closing.loan?.status).toBe('CLOSED');
      const closed = await loan(l.id);
      expect(closed).toMatchObject({
        status: 'CLOSED',
        closedOn: d('2026-04-15'),
        outstandingPrincipal: { amount: fmt(0n, l.decimals), currency: l.currency },
      });
      expect(closed.schedule.map((i) => i.status)).toEqual(['PAID', 'PAID', 'PAID']);
      for (const i of closed.schedule)
        for (const a of [i.principal, i.interest, i.penalty, i.outstanding]) expect(a).toMatch(l.decimals === 0 ? /^\d+\.00$/ : /^\d+\.\d{3}$/);
    }
    // LoanClosed reached customers: no open loan left in the customer's products held.
    await downstream(customerId, (d) => basis(d, 'PRODUCTS') === '0 open loan(s)');
  }, 300_000);

  it('2. a 0 % interest-only loan of 1,200 in 3 instalments repaid on the last due date closes (0.00 instalments count as paid)', async () => {
    await on(d('2026-04-20'));
    const customerId = await customer('Zero-Rate');
    const id = await activeLoan(customerId, 'CM-IO0', '1200.00', '0', 3);
    expect((await loan(id)).schedule.map((i) => [i.dueDate, i.total])).toEqual([
      [d('2026-05-20'), '0.00'],
      [d('2026-06-20'), '0.00'],
      [d('2026-07-20'), '1200.00'],
    ]);
    await on(d('2026-07-20'));
    const res = await payOk(id, '1200.00');
    expect(res.loan?.status).toBe('CLOSED');
    const after = await loan(id);
    expect(after).toMatchObject({ status: 'CLOSED', closedOn: d('2026-07-20'), outstandingPrincipal: { amount: '0.00' } });
    expect(after.schedule.map((i) => [i.status, i.paidOn])).toEqual([
      ['PAID', d('2026-05-20')],
      ['PAID', d('2026-06-20')],
      ['PAID', d('2026-07-20')],
    ]);
    // LoanClosed, repaid on time and in full: loyalty's LOAN_REPAID_ON_TIME bonus, and no open loan in customers.
    const seen = await downstream(customerId, (x) => ledger(x).some((e) => e.ruleCode === 'LOAN_REPAID_ON_TIME') && basis(x, 'PRODUCTS') === '0 open loan(s)');
    expect(
      ledger(seen)
        .filter((e) => e.ruleCode === 'LOAN_REPAID_ON_TIME')
        .map((e) => e.kind),
    ).toEqual(['EARN']);
  }, 300_000);

  it('3. an interest-only loan paid off in month 2 at its payoffQuote closes, and a later end of day finds it 0 days past due', async () => {
    await on(d('2026-07-25'));
    const customerId = await customer('Payoff');
    // 10,000 at 18 % over 12 months, interest only: 150.00 a month (10000 x 0.18 / 12), the principal with the 12th.
    const id = await activeLoan(customerId, 'CM-IO', '10000.00', '0.18', 12);
    expect((await loan(id)).schedule.map((i) => i.total)).toEqual([...Array(11).fill('150.00'), '10150.00']);
    await on(d('2026-08-25'));
    await payOk(id, '150.00');
    await on(d('2026-09-20'));
    // 25 Aug -> 20 Sep: 25 days of the 30 (30/360): 150.00 x 25 / 30 = 125.00 accrued; 150.00 x 11 - 125.00 = 1525.00 waived.
    const quote = (await loan(id, d('2026-09-20'))).payoffQuote;
    expect(quote).toEqual({
      asOf: d('2026-09-20'),
      currency: 'USD',
      principal: '10000.00',
      overdueInterest: '0.00',
      accruedInterest: fmt(halfUp(15000n * 25n, 30n), 2),
      penalty: '0.00',
      interestWaived: '1525.00',
      total: '10125.00',
    });
    // The 10,300 (which used to leave 150.00 of interest owing on instalments 3 to 11) is more than the payoff.
    expect((await pay(id, '10300.00')).userErrors.map((e) => [e.field, e.code])).toEqual([['amount', 'EXCEEDS_BALANCE']]);
    const settled = await payOk(id, quote?.total ?? '');
    expect(settled).toMatchObject({ repayment: { interestPaid: '125.00', principalPaid: '10000.00', penaltyPaid: '0.00' }, loan: { status: 'CLOSED' } });
    const closed = await loan(id);
    expect(closed).toMatchObject({ status: 'CLOSED', payoffQuote: null, outstandingPrincipal: { amount: '0.00' } });
    expect(closed.schedule.every((i) => i.status === 'PAID' && i.outstanding === '0.00')).toBe(true);

    // The defect: the run of 30 Nov found instalment 3 (due 25 Oct) 36 days past due, with penalties.
    await on(d('2026-11-30'));
    await endOfDay(d('2026-11-30'));
    const later = await loan(id);
    expect(later).toMatchObject({ status: 'CLOSED', daysPastDue: 0, delinquencyBucket: 'CURRENT', riskClass: 'NORMAL' });
    expect(later.schedule.every((i) => i.penalty === '0.00' && i.daysPastDue === 0)).toBe(true);
    // LoanClosed: the loan left the customer's products held in customers.
    await downstream(customerId, (d) => basis(d, 'PRODUCTS') === '0 open loan(s)');
    await listedUnder(customerId, 'CURRENT');
  }, 300_000);

  it('4. a partial prepayment re-amortises: future interest on the principal outstanding, shorter term or lower instalment', async () => {
    await on(d('2026-12-15'));
    const customerId = await customer('Prepay');
    // 10,000 at 18 % over 12 months: 1.5 % a month (3 / 200), level payment 916.80.
    const plan = annuity(1_000_000n, 3n, 200n, 12);
    expect(fmt(plan.level, 2)).toBe('916.80');
    const shorten = await activeLoan(customerId, 'CM-SHORTEN', '10000.00', '0.18', 12);
    const lower = await activeLoan(customerId, 'CM-LOWER', '10000.00', '0.18', 12);
    for (const due of [d('2027-01-15'), d('2027-02-15'), d('2027-03-15')]) {
      await on(due);
      for (const id of [shorten, lower]) await payOk(id, '916.80');
    }
    // On 10 Apr, instalment 4 (not yet due) and 1,000.00 more.
    await on(d('2027-04-10'));
    let balance = 1_000_000n;
    for (const row of plan.rows.slice(0, 4)) balance -= row.principal;
    balance -= 100_000n;
    for (const id of [shorten, lower]) {
      const pre = await payOk(id, '1916.80');
      expect(pre.repayment).toMatchObject({
        principalPaid: fmt((plan.rows[3]?.principal ?? 0n) + 100_000n, 2),
        interestPaid: fmt(plan.rows[3]?.interest ?? 0n, 2),
        prepaidPrincipal: '1000.00',
      });
    }
    expect(fmt(balance, 2)).toBe('5863.09');
    const dueDates = [d('2027-05-15'), d('2027-06-15'), d('2027-07-15'), d('2027-08-15'), d('2027-09-15'), d('2027-10-15'), d('2027-11-15'), d('2027-12-15')];

    // Keep the instalment (916.80), shorten the term: interest each month on what is outstanding.
    const kept: string[][] = [];
    for (let b = balance, k = 0; b > 0n; k++) {
      const interest = halfUp(b * 3n, 200n);
      const principal = b + interest <= plan.level ? b : plan.level - interest;
      kept.push([dueDates[k] ?? '', fmt(principal, 2), fmt(interest, 2)]);
      b -= principal;
    }
    const s = await loan(shorten);
    expect(s.currentScheduleVersion).toBe(2);
    expect(s.schedule.slice(4).map((i) => [i.dueDate, i.principal, i.interest])).toEqual(kept);
    expect(kept).toHaveLength(7);
    // The figure: 347.91 of future interest where the former rule left 457.77.
    expect(fmt(sumOf(s.schedule.slice(4).map((i) => minor(i.interest, 2))), 2)).toBe('347.91');
    expect(fmt(sumOf(s.schedule.map((i) => minor(i.principal, 2))), 2)).toBe('10000.00');
    expect(s.outstandingPrincipal.amount).toBe('5863.09');

    // Keep the term (8 instalments left), lower the instalment: a new annuity on 5,863.09.
    const again = annuity(balance, 3n, 200n, 8);
    expect(fmt(again.level, 2)).toBe('783.22');
    const l = await loan(lower);
    expect(l).toMatchObject({ currentScheduleVersion: 2, termCount: 12 });
    expect(l.schedule.slice(4).map((i) => [i.dueDate, i.principal, i.interest])).toEqual(
      again.rows.map((r, k) => [dueDates[k], fmt(r.principal, 2), fmt(r.interest, 2)]),
    );
    expect(fmt(sumOf(l.schedule.slice(4).map((i) => minor(i.interest, 2))), 2)).toBe('402.63');
    expect(fmt(sumOf(l.schedule.map((i) => minor(i.principal, 2))), 2)).toBe('10000.00');
    // On instalment 4's due date, what settles the loan is the principal outstanding: nothing of the next period has accrued.
    expect((await loan(lower, d('2027-04-15')))?.payoffQuote).toMatchObject({ principal: '5863.09', accruedInterest: '0.00', overdueInterest: '0.00' });
  }, 300_000);

  it('5. a back-dated repayment pays only the penalty accrued by its value date; delinquency is recomputed and published', async () => {
    await on(d('2027-05-10'));
    const customerId = await customer('Back-Dated');
    // 1,200.00 at 12 % over 3 months: 408.03 (396.03 + 12.00), 408.03 (399.99 + 8.04), 408.02; penalty 0.1 % a day, no grace.
    const plan = annuity(120_000n, 1n, 100n, 3);
    expect(plan.rows.map((r) => fmt(r.principal + r.interest, 2))).toEqual(['408.03', '408.03', '408.02']);
    const id = await activeLoan(customerId, 'CM-STD', '1200.00', '0.12', 3);
    await on(d('2027-07-20'));
    await endOfDay(d('2027-07-20'));
    // As of 20 Jul: instalment 1 (due 10 Jun) 40 days late, instalment 2 (due 10 Jul) 10 days.
    const first = (plan.rows[0]?.principal ?? 0n) + (plan.rows[0]?.interest ?? 0n);
    const second = (plan.rows[1]?.principal ?? 0n) + (plan.rows[1]?.interest ?? 0n);
    const before = await loan(id);
    expect(before).toMatchObject({ daysPastDue: 40, delinquencyBucket: 'DPD_31_60', riskClass: 'SPECIAL_MENTION' });
    expect(before.schedule.map((i) => i.penalty)).toEqual([fmt(penaltyOf(first, 40), 2), fmt(penaltyOf(second, 10), 2), '0.00']);
    await listedUnder(customerId, 'DPD_31_60');

    // The cash came in on 20 Jun: instalment 1 was then 10 days late (4.08), instalment 2 not yet due.
    const paid = await payOk(id, '500.00', d('2027-06-20'));
    const penaltyThen = penaltyOf(first, 10);
    expect(fmt(penaltyThen, 2)).toBe('4.08');
    const toSecond = 50_000n - penaltyThen - first; // 87.89: the interest of instalment 2 first, then its principal
    const secondInterest = plan.rows[1]?.interest ?? 0n;
    expect(paid.repayment).toMatchObject({
      penaltyPaid: '4.08',
      interestPaid: fmt((plan.rows[0]?.interest ?? 0n) + secondInterest, 2),
      principalPaid: fmt((plan.rows[0]?.principal ?? 0n) + toSecond - secondInterest, 2),
    });
    const after = await loan(id);
    // Re-run as of 20 Jul: instalment 2 owes 408.03 - 87.89 = 320.14 for 10 days: 3.20; DPD 10.
    expect(after).toMatchObject({ daysPastDue: 10, delinquencyBucket: 'DPD_1_30', riskClass: 'NORMAL' });
    expect(after.schedule.map((i) => [i.status, i.paidOn, i.penalty, i.penaltyPaid])).toEqual([
      ['PAID', d('2027-06-20'), '4.08', '4.08'],
      ['OVERDUE', null, fmt(penaltyOf(second - toSecond, 10), 2), '0.00'],
      ['PENDING', null, '0.00', '0.00'],
    ]);
    expect(after.schedule[1]?.penalty).toBe('3.20');
    // DelinquencyBucketChanged (31-60 -> 1-30) reached customers.
    await listedUnder(customerId, 'DPD_1_30');
  }, 300_000);

  it('6. reverseRepayment returns the loan to the state it would have without the repayment, and loyalty and customers undo their effects', async () => {
    await on(d('2027-08-01'));
    const customerId = await customer('Reversal');
    const id = await activeLoan(customerId, 'CM-STD', '1200.00', '0.12', 3);
    const twin = await activeLoan(customerId, 'CM-STD', '1200.00', '0.12', 3);
    const repayments: string[] = [];
    for (const [k, due] of [d('2027-09-01'), d('2027-10-01'), d('2027-11-01')].entries()) {
      await on(due);
      const amount = (await loan(id)).schedule[k]?.outstanding ?? '';
      const r = await payOk(id, amount);
      repayments.push(r.repayment?.id ?? '');
      if (k < 2) await payOk(twin, (await loan(twin)).schedule[k]?.outstanding ?? '');
      if (k === 2) expect(r.loan?.status).toBe('CLOSED');
    }
    // Loyalty rewarded three on-time instalments and the loan repaid on time; customers counts 3/3 on time.
    const before = await downstream(
      customerId,
      (d) =>
        ledger(d).filter((e) => e.ruleCode === 'ON_TIME_INSTALMENT').length === 5 &&
        ledger(d).some((e) => e.ruleCode === 'LOAN_REPAID_ON_TIME') &&
        basis(d, 'PRODUCTS') === '1 open loan(s)' &&
        basis(d, 'REPAYMENT').startsWith('5/5 instalments on time'),
    );

    await on(d('2027-11-03'));
    const blank = await gql<{ reverseRepayment: { userErrors: unknown[] } }>(REVERSE, { input: { repaymentId: repayments[2], reason: '  ' } }, manager);
    expect(blank.reverseRepayment.userErrors).toEqual([{ field: 'reason', code: 'REQUIRED' }]);
    const reversed = await gql<{
      reverseRepayment: { repayment: { id: string; reversedBy: string } | null; loan: { status: string } | null; userErrors: unknown[] };
    }>(REVERSE, { input: { repaymentId: repayments[2], reason: 'Mobile money transfer recalled' } }, manager);
    expect(reversed.reverseRepayment).toEqual({ repayment: { id: repayments[2], reversedBy: manager.userId }, loan: { status: 'ACTIVE' }, userErrors: [] });
    const again = await gql<{ reverseRepayment: { userErrors: unknown[] } }>(REVERSE, { input: { repaymentId: repayments[2], reason: 'twice' } }, riskOfficer);
    expect(again.reverseRepayment.userErrors).toEqual([{ field: 'repaymentId', code: 'REPAYMENT_ALREADY_REVERSED' }]);

    // Exactly the state of the same loan that never received it.
    const mine = await loan(id);
    expect(mine).toEqual(await loan(twin));
    expect(mine).toMatchObject({
      status: 'ACTIVE',
      closedOn: null,
      outstandingPrincipal: { amount: fmt(annuity(120_000n, 1n, 100n, 3).rows[2]?.principal ?? 0n, 2) },
    });
    // (no end-of-day run has covered the loan since: instalment 3 is PENDING until one finds it past due)
    expect(mine.schedule.map((i) => [i.status, i.paidOn])).toEqual([
      ['PAID', d('2027-09-01')],
      ['PAID', d('2027-10-01')],
      ['PENDING', null],
    ]);

    // RepaymentReversed: loyalty takes back instalment 3's points, customers counts the loan open again and the instalment unpaid.
    const earned = ledger(before).find((e) => e.ruleCode === 'ON_TIME_INSTALMENT')?.points ?? 0;
    const after = await downstream(
      customerId,
      (d) =>
        ledger(d).some((e) => e.kind === 'REVERSE') && basis(d, 'PRODUCTS') === '2 open loan(s)' && basis(d, 'REPAYMENT').startsWith('4/4 instalments on time'),
    );
    expect(ledger(after).filter((e) => e.kind === 'REVERSE')).toEqual([{ kind: 'REVERSE', points: -earned, ruleCode: 'ON_TIME_INSTALMENT' }]);
    expect(after.loyalty?.pointsBalance).toBe((before.loyalty?.pointsBalance ?? 0) - earned);
  }, 300_000);

  it('7. a loan back to CURRENT (or 91+ back to 61-90) by a same-day repayment is published on the re-run, and customers follows', async () => {
    await on(d('2027-11-08'));
    const early = await customer('Same-Day');
    const deep = await customer('Ninety-One');
    const a = await activeLoan(early, 'CM-WEEKLY', '1200.00', '0.12', 8);
    const b = await activeLoan(deep, 'CM-WEEKLY', '2000.00', '0.12', 20);
    // First instalments due 15 Nov; on D+8 both are 1 day past due (the earlier tests' loans move too: no global count here).
    await on(d('2027-11-16'));
    await endOfDay(d('2027-11-16'));
    expect(await loan(a)).toMatchObject({ delinquencyBucket: 'DPD_1_30', daysPastDue: 1 });
    await listedUnder(early, 'DPD_1_30');
    await payOk(a, (await loan(a)).schedule[0]?.outstanding ?? '');
    // The same date again: the loan is CURRENT, which was yesterday's bucket: the correction is published.
    expect(await endOfDay(d('2027-11-16'))).toEqual({ bucketChanges: 1, riskClassChanges: 0, userErrors: [] });
    expect(await loan(a)).toMatchObject({ delinquencyBucket: 'CURRENT', daysPastDue: 0 });
    await listedUnder(early, 'CURRENT');
    await on(d('2027-11-17'));
    await endOfDay(d('2027-11-17'));
    expect(await endOfDay(d('2027-11-17'))).toEqual({ bucketChanges: 0, riskClassChanges: 0, userErrors: [] });
    await listedUnder(early, 'CURRENT');

    // Loan b: 90 days past due on 13 Feb (61-90), 91 on 14 Feb (91+); instalment 1 paid that day, instalment 2 (due 22 Nov) is 84 days late.
    await on(d('2028-02-14'));
    await endOfDay(d('2028-02-13'));
    expect(await loan(b)).toMatchObject({ delinquencyBucket: 'DPD_61_90', daysPastDue: 90 });
    await endOfDay(d('2028-02-14'));
    expect(await loan(b)).toMatchObject({ delinquencyBucket: 'DPD_90_PLUS', daysPastDue: 91, riskClass: 'SUBSTANDARD' });
    await listedUnder(deep, 'DPD_90_PLUS');
    await payOk(b, (await loan(b)).schedule[0]?.outstanding ?? '');
    expect(await endOfDay(d('2028-02-14'))).toEqual({ bucketChanges: 1, riskClassChanges: 1, userErrors: [] });
    expect(await loan(b)).toMatchObject({ delinquencyBucket: 'DPD_61_90', daysPastDue: 84, riskClass: 'SPECIAL_MENTION' });
    await listedUnder(deep, 'DPD_61_90');
  }, 300_000);

  it('8. a term extension after an approved payment holiday keeps the holiday: 12,000 over 12 months, 2 deferred, 3 added on D+45', async () => {
    await on(d('2028-03-10'));
    const customerId = await customer('Restructured');
    const id = await activeLoan(customerId, 'CM-STD', '12000.00', '0.12', 12);
    const restructure = async (input: Record<string, unknown>) => {
      const req = await gql<{ requestRestructuring: { restructuring: { id: string } | null; userErrors: unknown[] } }>(REQUEST, {
        input: { loanId: id, reason: 'Harvest lost to floods', ...input },
      });
      expect(req.requestRestructuring.userErrors).toEqual([]);
      const decided = await gql<{ decideRestructuring: { restructuring: { status: string } | null; userErrors: unknown[] } }>(
        DECIDE,
        { input: { restructuringId: req.requestRestructuring.restructuring?.id, approve: true } },
        manager,
      );
      expect(decided.decideRestructuring).toMatchObject({ restructuring: { status: 'APPROVED' }, userErrors: [] });
    };
    await restructure({ kind: 'PAYMENT_HOLIDAY', instalments: 2, effectiveOn: d('2028-03-10') });
    const held = await loan(id);
    expect(held.schedule.map((i) => i.dueDate)).toEqual([
      d('2028-06-10'),
      d('2028-07-10'),
      d('2028-08-10'),
      d('2028-09-10'),
      d('2028-10-10'),
      d('2028-11-10'),
      d('2028-12-10'),
      d('2029-01-10'),
      d('2029-02-10'),
      d('2029-03-10'),
      d('2029-04-10'),
      d('2029-05-10'),
    ]);

    await on(d('2028-04-24'));
    await restructure({ kind: 'TERM_EXTENSION', instalments: 3, effectiveOn: d('2028-04-24') });
    const extended = await loan(id);
    expect(extended).toMatchObject({ currentScheduleVersion: 3, termCount: 15 });
    // Still first due D + 3 months with one month's interest on 12,000.00 (none for the holiday), then monthly to D + 17 months;
    // the rest re-amortised over 15 instalments at 1 % a month.
    const plan = annuity(1_200_000n, 1n, 100n, 15);
    expect(extended.schedule.map((i) => [i.dueDate, i.principal, i.interest])).toEqual(
      plan.rows.map((r, k) => [
        `${2028 - SHIFT + Math.floor((5 + k) / 12)}-${String(((5 + k) % 12) + 1).padStart(2, '0')}-10`,
        fmt(r.principal, 2),
        fmt(r.interest, 2),
      ]),
    );
    expect(extended.schedule[0]).toMatchObject({ dueDate: d('2028-06-10'), interest: '120.00', status: 'PENDING' });
    expect(extended.schedule[14]?.dueDate).toBe(d('2029-08-10'));
    // The defect: the extension rebuilt from the disbursement, its first instalment due 10 Apr, 14 days late at once.
    await endOfDay(d('2028-04-24'));
    expect(await loan(id)).toMatchObject({ daysPastDue: 0, delinquencyBucket: 'CURRENT', status: 'ACTIVE' });
    expect((await loan(id)).schedule.every((i) => i.daysPastDue === 0 && i.penalty === '0.00')).toBe(true);
    await listedUnder(customerId, 'CURRENT');
  }, 300_000);
});
