import { startTestService, type TestService } from '@crm/service-kit/testing';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveDelinquency, stageDelinquency } from '../src/db/end-of-day.store.ts';
import type { DB } from '../src/db/schema.ts';
import { replaceThresholds } from '../src/db/threshold.store.ts';
import { addDays } from '../src/domain/dates.ts';
import { bucketOf, instalmentDaysPastDue, loanDaysPastDue, penaltyDue, RISK_CLASSES, riskClassOf } from '../src/domain/delinquency.ts';
import { amountScale, Money, minorUnits } from '../src/domain/money.ts';
import { creditService } from '../src/service.ts';
import { given, type StoredInstalment, type StoredLoan } from './given.ts';

/**
 * The end-of-day SQL against its domain oracle: random loans (currencies of every minor unit,
 * penalty rates, grace days, penalty caps, rounding modes, schedules, partial and late payments), random risk-class thresholds
 * and a random as-of date; the real store functions run on the database, and every instalment's
 * DPD and penalty and every loan's DPD, bucket, class and penalty must equal what the domain
 * functions (`domain/delinquency.ts`) say.
 */

const BASE = '2026-01-01';
const CURRENCIES = ['USD', 'XOF', 'KWD', 'JPY', 'CLF', 'EUR'];

/** An amount of the currency from a count of its minor units, written at its amount scale. */
const amountOf = (minor: number, currency: string) => new Money(minor).dividedBy(10 ** (minorUnits(currency) ?? 2)).toFixed(amountScale(currency));

const paymentArb = fc.record({ day: fc.integer({ min: 0, max: 300 }), share: fc.integer({ min: 1, max: 100 }) });
const instalmentArb = fc.record({
  principal: fc.integer({ min: 0, max: 5_000_000 }),
  interest: fc.integer({ min: 0, max: 500_000 }),
  payments: fc.array(paymentArb, { maxLength: 2 }),
});
const loanArb = fc.record({
  currency: fc.constantFrom(...CURRENCIES),
  penaltyRate: fc.integer({ min: 0, max: 999_999 }),
  graceDays: fc.integer({ min: 0, max: 15 }),
  // the penalty cap (share of the overdue amount, none half the time) and the rounding mode
  penaltyCap: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: null }),
  halfEven: fc.boolean(),
  disbursedDay: fc.integer({ min: 0, max: 200 }),
  stepDays: fc.constantFrom(7, 14, 30, 31),
  instalments: fc.array(instalmentArb, { minLength: 1, maxLength: 5 }),
});
const scenarioArb = fc.record({
  asOfDay: fc.integer({ min: 0, max: 400 }),
  thresholdGaps: fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 200 })),
  loans: fc.array(loanArb, { minLength: 1, maxLength: 4 }),
});

type GeneratedLoan = typeof loanArb extends fc.Arbitrary<infer T> ? T : never;

/** Turns generated numbers into a stored loan: payments take a share of what the instalment still owes, principal first. */
function storedLoanOf(l: GeneratedLoan): StoredLoan {
  const disbursedOn = addDays(BASE, l.disbursedDay);
  const instalments: StoredInstalment[] = l.instalments.map((i, k) => {
    let principalLeft = i.principal;
    let interestLeft = i.interest;
    const payments = i.payments
      .map((p) => {
        const pay = Math.floor(((principalLeft + interestLeft) * p.share) / 100);
        const principal = Math.min(pay, principalLeft);
        const interest = pay - principal;
        principalLeft -= principal;
        interestLeft -= interest;
        return { paidOn: addDays(disbursedOn, p.day), principal: amountOf(principal, l.currency), interest: amountOf(interest, l.currency) };
      })
      .filter((p) => new Money(p.principal).plus(p.interest).gt(0));
    return {
      dueDate: addDays(disbursedOn, (k + 1) * l.stepDays),
      principal: amountOf(i.principal, l.currency),
      interest: amountOf(i.interest, l.currency),
      payments,
    };
  });
  return {
    currency: l.currency,
    penaltyRate: new Decimal(l.penaltyRate).dividedBy(1_000_000).toFixed(6),
    graceDays: l.graceDays,
    penaltyCapRate: l.penaltyCap === null ? null : new Decimal(l.penaltyCap).dividedBy(1_000_000).toFixed(6),
    roundingMode: l.halfEven ? 'HALF_EVEN' : 'HALF_UP',
    disbursedOn,
    instalments,
  };
}

/** What the instalment still owes (principal and interest) at the end of `asOf`. */
const unpaidAsOf = (i: StoredInstalment, asOf: string) =>
  (i.payments ?? []).filter((p) => p.paidOn <= asOf).reduce((s, p) => s.minus(p.principal).minus(p.interest), new Money(i.principal).plus(i.interest));

describe('end-of-day SQL against the domain rules (property-based)', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(creditService);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('computes every DPD, bucket, risk class and penalty exactly as domain/delinquency.ts', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        await sql`truncate loan, loan_product, instalment, repayment, repayment_allocation, loan_delinquency`.execute(svc.db);
        const [g1, g2, g3, g4] = scenario.thresholdGaps;
        const floors = [0, g1, g1 + g2, g1 + g2 + g3, g1 + g2 + g3 + g4];
        const thresholds = RISK_CLASSES.map((riskClass, k) => ({ riskClass, minDpd: floors[k] ?? 0 }));
        await replaceThresholds(
          svc.db,
          thresholds.map((t) => ({ risk_class: t.riskClass, min_dpd: t.minDpd })),
        );
        const asOf = addDays(BASE, scenario.asOfDay);
        const g = given(svc);
        const loans = new Map<string, StoredLoan>();
        for (const generated of scenario.loans) {
          const stored = storedLoanOf(generated);
          loans.set((await g.storedLoan(stored)).id, stored);
        }

        const staged = await svc.db.transaction().execute(async (tx) => {
          await stageDelinquency(tx, asOf);
          const { rows } = await sql<{ loan_id: string; number: number; dpd: number; penalty_due: string }>`
            select loan_id, number, dpd, penalty_due::text as penalty_due from eod_instalment order by loan_id, number
          `.execute(tx);
          await saveDelinquency(tx, asOf);
          return rows;
        });
        const snapshots = await svc.db.selectFrom('loan_delinquency').selectAll().where('as_of', '=', asOf).orderBy('loan_id').execute();

        const expectedInstalments: typeof staged = [];
        const expectedSnapshots: { loan_id: string; dpd: number; bucket: string; risk_class: string; penalty: string }[] = [];
        for (const [loanId, l] of [...loans].sort(([a], [b]) => (a < b ? -1 : 1))) {
          if ((l.disbursedOn ?? asOf) > asOf) continue;
          const schedule = (l.instalments ?? []).map((i) => ({ dueDate: i.dueDate, unpaid: unpaidAsOf(i, asOf) }));
          const penalties = schedule.map((i) =>
            penaltyDue({
              unpaid: i.unpaid,
              penaltyRate: l.penaltyRate ?? '0',
              dpd: instalmentDaysPastDue(i, asOf),
              graceDays: l.graceDays ?? 0,
              currency: l.currency ?? 'USD',
              penaltyCapRate: l.penaltyCapRate ?? null,
              rounding: l.roundingMode ?? 'HALF_UP',
            }),
          );
          schedule.forEach((i, k) => {
            expectedInstalments.push({ loan_id: loanId, number: k + 1, dpd: instalmentDaysPastDue(i, asOf), penalty_due: penalties[k] ?? '' });
          });
          const dpd = loanDaysPastDue(schedule, asOf);
          expectedSnapshots.push({
            loan_id: loanId,
            dpd,
            bucket: bucketOf(dpd),
            risk_class: riskClassOf(dpd, thresholds),
            penalty: penalties.reduce((s, p) => s.plus(p), new Money(0)).toFixed(),
          });
        }

        expect(staged.map((r) => ({ ...r, dpd: Number(r.dpd) }))).toEqual(expectedInstalments);
        expect(
          snapshots.map((s) => ({ loan_id: s.loan_id, dpd: s.dpd, bucket: s.bucket, risk_class: s.risk_class, penalty: new Money(s.penalty).toFixed() })),
        ).toEqual(expectedSnapshots);
      }),
      { numRuns: 40 },
    );
  });
});
