import { startTestService, type TestService } from '@crm/service-kit/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyInterestQuery } from '../src/db/accrual.store.ts';
import type { DB } from '../src/db/schema.ts';
import { type AccrualDayCount, interestAccruedBy, interestAsOf } from '../src/domain/accrual.ts';
import { addDays, addMonths } from '../src/domain/dates.ts';
import { amountScale, Money, minorUnits } from '../src/domain/money.ts';
import { creditService } from '../src/service.ts';

/**
 * The DAILY_ACCRUAL SQL (db/accrual.store.ts, run by the end of day and after every repayment,
 * reversal and restructuring) against the TypeScript rule (domain/accrual.ts): random loans
 * (currencies of 0, 2, 3 and 4 decimals, the three actual day counts, both rounding modes, rates,
 * month-end and leap-year disbursements, weekly and monthly grids, financed amounts), random
 * standing and reversed repayments, random settlements, a random date; every instalment's interest
 * as the loan stands and interest accrued by the date must be equal.
 */
const CURRENCIES = ['XOF', 'USD', 'KWD', 'CLF'];
const DAY_COUNTS: AccrualDayCount[] = ['ACTUAL_365', 'ACTUAL_360', 'ACTUAL_ACTUAL_ISDA'];
const STARTS = ['2023-01-31', '2023-12-15', '2024-01-29', '2024-01-31', '2024-02-29', '2025-11-30', '2027-12-31'];

const amountOf = (minor: number, currency: string) => new Money(minor).dividedBy(10 ** (minorUnits(currency) ?? 2)).toFixed(amountScale(currency));

const loanArb = fc.record({
  currency: fc.constantFrom(...CURRENCIES),
  dayCount: fc.constantFrom(...DAY_COUNTS),
  halfEven: fc.boolean(),
  /** annual rate in millionths */
  rate: fc.integer({ min: 0, max: 600_000 }),
  start: fc.constantFrom(...STARTS),
  weekly: fc.boolean(),
  /** instalment principals in minor units */
  principals: fc.array(fc.integer({ min: 0, max: 3_000_000 }), { minLength: 1, maxLength: 6 }),
  /** repayments: day after the disbursement, share of the financed amount in % of 1/3, reversed or not */
  repayments: fc.array(fc.record({ day: fc.integer({ min: 0, max: 250 }), share: fc.integer({ min: 1, max: 33 }), reversed: fc.boolean() }), { maxLength: 4 }),
  /** how many leading instalments are settled, and the day offset of each settlement from its due date */
  settled: fc.nat({ max: 6 }),
  settleShift: fc.array(fc.integer({ min: -20, max: 40 }), { minLength: 6, maxLength: 6 }),
  interestPaid: fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 6, maxLength: 6 }),
  asOfDay: fc.integer({ min: 0, max: 300 }),
});
type GeneratedLoan = typeof loanArb extends fc.Arbitrary<infer T> ? T : never;

describe('daily accrual: the SQL equals the domain rule', () => {
  let svc: TestService<DB>;
  let n = 0;
  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_daily_oracle' });
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
  });

  async function store(l: GeneratedLoan) {
    const id = uuidv7();
    const code = `DAILY-ORACLE-${++n}`;
    const scale = minorUnits(l.currency) ?? 2;
    const dues = l.principals.map((_, k) => (l.weekly ? addDays(l.start, 7 * (k + 1)) : addMonths(l.start, k + 1)));
    const financedMinor = l.principals.reduce((s, p) => s + p, 0);
    const productId = uuidv7();
    await svc.db
      .insertInto('loan_product')
      .values({
        id: productId,
        code,
        name: code,
        type: 'MICRO_BUSINESS',
        currency: l.currency,
        min_principal: '1',
        max_principal: '100000000',
        min_rate: '0',
        max_rate: '5',
        min_term: 1,
        max_term: 60,
        frequency: l.weekly ? 'WEEKLY' : 'MONTHLY',
        amortisation: 'EQUAL_PRINCIPAL',
        day_count: l.dayCount,
        penalty_rate: '0',
        grace_days: 0,
        overpayment_policy: 'REFUSE',
        interest_method: 'DAILY_ACCRUAL',
        rounding_mode: l.halfEven ? 'HALF_EVEN' : 'HALF_UP',
      })
      .execute();
    const annualRate = new Money(l.rate).div(1_000_000).toFixed(6);
    await svc.db
      .insertInto('loan')
      .values({
        id,
        customer_id: 'c-oracle',
        product_code: code,
        product_id: productId,
        status: 'ACTIVE',
        principal: amountOf(Math.max(1, financedMinor - 7), l.currency),
        financed_amount: amountOf(Math.max(1, financedMinor), l.currency),
        currency: l.currency,
        annual_rate: annualRate,
        term_months: l.principals.length,
        term_count: l.principals.length,
        officer_id: 'rm-1',
        purpose: null,
        branch_id: null,
        approved_by: null,
        approved_at: null,
        loan_cycle: null,
        idempotency_key: null,
        risk_class_override: null,
        risk_class_override_reason: null,
        write_off_reason: null,
        disbursed_on: l.start,
        schedule_version: 1,
      })
      .execute();
    // settlements: the first `settled` instalments, in order, each at its due date shifted (never before the previous one)
    let last = l.start;
    const rows = l.principals.map((p, k) => {
      let paidOn: string | null = null;
      if (k < l.settled) {
        const shifted = addDays(dues[k] ?? l.start, l.settleShift[k] ?? 0);
        paidOn = [shifted, last].sort()[1] ?? shifted; // the later date (ISO strings)
        last = paidOn;
      }
      return {
        loan_id: id,
        version: 1,
        number: k + 1,
        due_date: dues[k] ?? l.start,
        principal: amountOf(p, l.currency),
        interest: amountOf(0, l.currency),
        principal_paid: amountOf(paidOn ? p : Math.floor(p / 3), l.currency),
        interest_paid: amountOf(l.interestPaid[k] ?? 0, l.currency),
        paid_on: paidOn,
      };
    });
    await svc.db.insertInto('instalment').values(rows).execute();
    const repayments = l.repayments.map((r) => ({
      id: uuidv7(),
      paidOn: addDays(l.start, r.day),
      // at least one minor unit (a repayment is positive)
      principal: amountOf(Math.max(1, Math.floor((financedMinor * r.share) / 100)), l.currency),
      reversed: r.reversed,
    }));
    for (const r of repayments)
      await svc.db
        .insertInto('repayment')
        .values({
          id: r.id,
          loan_id: id,
          amount: r.principal,
          currency: l.currency,
          paid_on: r.paidOn,
          channel: 'CASH',
          external_reference: `oracle-${r.id}`,
          penalty_paid: '0',
          interest_paid: '0',
          principal_paid: r.principal,
          prepaid_principal: '0',
          recorded_by: 'test',
          reversed_at: r.reversed ? new Date() : null,
        })
        .execute();
    return { id, scale, rows, repayments, annualRate };
  }

  it('interest as the loan stands and accrued by the date, instalment by instalment', { timeout: 600_000 }, async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(loanArb, async (l) => {
        const s = await store(l);
        const asOf = addDays(l.start, l.asOfDay);
        const { rows } = await sql<{ number: number; interest_as_of: string; accrued_by: string }>`
          select number, interest_as_of::text as interest_as_of, accrued_by::text as accrued_by
          from ${dailyInterestQuery(sql`${asOf}::date`, sql<boolean>`l.id = ${s.id}`)} di order by number
        `.execute(svc.db);
        const instalments = s.rows.map((r) => ({
          number: r.number,
          dueDate: r.due_date,
          principal: new Money(r.principal),
          principalPaid: new Money(r.principal_paid),
          interestPaid: new Money(r.interest_paid),
          paidOn: r.paid_on,
        }));
        const repaid = s.repayments.filter((r) => !r.reversed).map((r) => ({ on: r.paidOn, principal: new Money(r.principal) }));
        const terms = {
          disbursedOn: l.start,
          financed: new Money(
            amountOf(
              Math.max(
                1,
                l.principals.reduce((a, p) => a + p, 0),
              ),
              l.currency,
            ),
          ),
          annualRate: new Money(s.annualRate),
          dayCount: l.dayCount,
          scale: s.scale,
          rounding: l.halfEven ? ('HALF_EVEN' as const) : ('HALF_UP' as const),
        };
        const standing = interestAsOf(instalments, repaid, terms, asOf);
        const accrued = interestAccruedBy(instalments, repaid, terms, asOf);
        expect(rows.map((r) => r.number)).toEqual(instalments.map((i) => i.number));
        for (const r of rows) {
          expect(new Money(r.interest_as_of).toFixed(), `instalment ${r.number} as of ${asOf}`).toBe(standing.get(r.number)?.toFixed());
          expect(new Money(r.accrued_by).toFixed(), `instalment ${r.number} accrued by ${asOf}`).toBe(accrued.get(r.number)?.toFixed());
          expect(new Money(r.interest_as_of).decimalPlaces()).toBeLessThanOrEqual(Math.max(2, s.scale));
          compared++;
        }
      }),
      { numRuns: 40 },
    );
    expect(compared).toBeGreaterThan(40);
  });
});
