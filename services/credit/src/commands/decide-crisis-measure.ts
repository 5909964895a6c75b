import { createEvent, type DomainEvent, type EventName, writeToOutbox } from '@crm/events';
import { forbidden, groupedBy, runCommand, type UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import type { Insertable, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { CreditContext } from '../context.ts';
import type { CrisisMeasureLoanTable, CrisisMeasureRow } from '../db/crisis.schema.ts';
import {
  findCurrentSchedules,
  findLoansInCrisisScope,
  findLoansUnderWaiver,
  insertMeasureLoans,
  type LoanInCrisisScope,
  lockCrisisMeasure,
  updateCrisisMeasure,
  writeBulkHoliday,
} from '../db/crisis.store.ts';
import { findProductsByIds, scheduleConventionsOf } from '../db/product.store.ts';
import type { DB, InstalmentTable, RestructuringTable } from '../db/schema.ts';
import { amountScale, Money, minorUnits, moneyString } from '../domain/money.ts';
import { restructureSchedule, validateRestructuring } from '../domain/restructuring.ts';

export interface DecideCrisisMeasureCommand {
  measureId: string;
  approve: boolean;
}

type Result = { measureId: string | null; userErrors: UserError[] };

/**
 * Approves or rejects a declared crisis measure, by someone other than its declarer (four eyes:
 * SAME_PERSON). A branch-bound decider decides only the measures declared for their branch
 * (FORBIDDEN otherwise, nothing written). Approval applies the measure to every ACTIVE loan in its
 * scope (and the decider's) in this one transaction:
 * - a payment holiday: each loan gets an APPROVED restructuring (kind PAYMENT_HOLIDAY, linked to
 *   the measure) and a new schedule version from `restructureSchedule` (the same rule as an
 *   individual restructuring), written set-wise; LoanRestructured and CrisisReliefGranted per loan;
 * - a penalty waiver: each loan records the window, which the end-of-day run applies
 *   (domain/crisis.ts `waivedPenaltyDays`); CrisisReliefGranted per loan.
 * A loan the relief cannot apply to is recorded SKIPPED with the reason (nothing left to defer,
 * already under an overlapping waiver...). CrisisMeasureApplied carries the effect.
 */
export async function decideCrisisMeasure(ctx: CreditContext, cmd: DecideCrisisMeasureCommand): Promise<Result> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  const now = ctx.now();
  return runCommand(ctx, { action: 'decideCrisisMeasure', entityType: 'CrisisMeasure', entityId: cmd.measureId }, async (tx, audit): Promise<Result> => {
    const m = await lockCrisisMeasure(tx, cmd.measureId);
    if (!m) return { measureId: null, userErrors: [{ field: 'measureId', code: 'CRISIS_MEASURE_NOT_FOUND', message: `No crisis measure ${cmd.measureId}` }] };
    if (ctx.scope.kind === 'branch' && (ctx.scope.branchId === null || m.branch_id !== ctx.scope.branchId))
      throw forbidden('This crisis measure was not declared for your branch');
    if (m.status !== 'DECLARED')
      return { measureId: m.id, userErrors: [{ field: 'measureId', code: 'ALREADY_DECIDED', message: `the measure is ${m.status}` }] };
    if (m.declared_by === actorId)
      return { measureId: m.id, userErrors: [{ field: 'measureId', code: 'SAME_PERSON', message: 'the declarer cannot decide their own measure' }] };
    if (!cmd.approve) {
      await updateCrisisMeasure(tx, m.id, { status: 'REJECTED', decided_by: actorId, decided_at: now });
      audit.changes({ status: m.status, decidedBy: null }, { status: 'REJECTED', decidedBy: actorId });
      await writeToOutbox(tx, [
        createEvent('CrisisMeasureRejected', {
          subject: m.id,
          time: now,
          data: { measureId: m.id, kind: m.kind, decidedBy: actorId, decidedAt: now.toISOString() },
        }),
      ]);
      return { measureId: m.id, userErrors: [] };
    }
    const loans = await findLoansInCrisisScope(tx, ctx.scope, m.scope, true);
    const applied = m.kind === 'PAYMENT_HOLIDAY' ? await applyHoliday(tx, m, loans, actorId, now) : await applyWaiver(tx, m, loans, now);
    const affected = applied.rows.filter((r) => r.status === 'APPLIED');
    const skipped = applied.rows.length - affected.length;
    await insertMeasureLoans(tx, applied.rows);
    await updateCrisisMeasure(tx, m.id, { status: 'APPROVED', decided_by: actorId, decided_at: now, loans_affected: affected.length, loans_skipped: skipped });
    const effect = effectByCurrency(affected);
    await writeToOutbox(tx, [
      ...applied.events,
      createEvent('CrisisMeasureApplied', {
        subject: m.id,
        time: now,
        data: {
          measureId: m.id,
          kind: m.kind,
          scope: m.scope,
          decidedBy: actorId,
          decidedAt: now.toISOString(),
          loansAffected: affected.length,
          loansSkipped: skipped,
          effect,
        },
      }),
    ]);
    audit.changes({ status: m.status, decidedBy: null }, { status: 'APPROVED', decidedBy: actorId });
    audit.detail({ loansAffected: affected.length, loansSkipped: skipped, effect });
    return { measureId: m.id, userErrors: [] };
  });
}

type Tx = Transaction<DB>;
type MeasureLoan = Insertable<CrisisMeasureLoanTable>;

const scaled = (value: Decimal.Value, currency: string) => moneyString(value, amountScale(currency));

/** Per currency: loans, outstanding principal at approval and amount deferred, as strings at the currency's scale. */
function effectByCurrency(rows: readonly MeasureLoan[]) {
  const by = new Map<string, { loans: number; principal: InstanceType<typeof Money>; deferred: InstanceType<typeof Money> }>();
  for (const r of rows) {
    const e = by.get(r.currency) ?? { loans: 0, principal: new Money(0), deferred: new Money(0) };
    e.loans++;
    e.principal = e.principal.plus(r.outstanding_principal);
    e.deferred = e.deferred.plus(r.amount_deferred ?? 0);
    by.set(r.currency, e);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, e]) => ({ currency, loans: e.loans, principalAffected: scaled(e.principal, currency), amountDeferred: scaled(e.deferred, currency) }));
}

/** The relief granted to one loan, for the customer to be told. */
function reliefEvent(m: CrisisMeasureRow, l: LoanInCrisisScope, now: Date, holiday: { restructuringId: string; version: number } | null) {
  return createEvent('CrisisReliefGranted', {
    subject: l.customer_id,
    time: now,
    data: {
      measureId: m.id,
      loanId: l.loan_id,
      customerId: l.customer_id,
      kind: m.kind,
      name: m.name,
      instalments: m.instalments,
      effectiveOn: m.effective_on,
      waiverFrom: m.waiver_from,
      waiverTo: m.waiver_to,
      restructuringId: holiday?.restructuringId ?? null,
      scheduleVersion: holiday?.version ?? null,
      outstandingPrincipal: scaled(l.outstanding, l.currency),
      currency: l.currency,
    },
  });
}

/**
 * A payment holiday for every loan: the next schedule version of each by `restructureSchedule`
 * (instalments due on or after the effective date move N periods on the loan's grid, amounts and
 * payments unchanged), then every write for all loans at once.
 */
async function applyHoliday(tx: Tx, m: CrisisMeasureRow, loans: LoanInCrisisScope[], actorId: string, now: Date) {
  const rows: MeasureLoan[] = [];
  const events: DomainEvent<EventName>[] = [];
  const restructurings: Insertable<RestructuringTable>[] = [];
  const instalments: Insertable<InstalmentTable>[] = [];
  const carried: { loanId: string; version: number; number: number }[] = [];
  const moved: { id: string; version: number; termCount: number }[] = [];
  const schedules = groupedBy(
    loans.map((l) => l.loan_id),
    await findCurrentSchedules(
      tx,
      loans.map((l) => l.loan_id),
    ),
    (i) => i.loan_id,
  );
  const products = new Map((await findProductsByIds(tx, [...new Set(loans.flatMap((l) => (l.product_id ? [l.product_id] : [])))])).map((p) => [p.id, p]));
  const reason = `Crisis measure: ${m.name}`;
  for (const [k, l] of loans.entries()) {
    const base = {
      measure_id: m.id,
      loan_id: l.loan_id,
      customer_id: l.customer_id,
      currency: l.currency,
      outstanding_principal: scaled(l.outstanding, l.currency),
    };
    const skip = (code: string) => rows.push({ ...base, status: 'SKIPPED', skip_reason: code, from_version: l.schedule_version });
    const request = { kind: 'PAYMENT_HOLIDAY' as const, instalments: m.instalments, newRate: null, effectiveOn: m.effective_on ?? '', reason };
    const invalid = validateRestructuring(request, { status: 'ACTIVE', annualRate: new Money(l.annual_rate), disbursedOn: l.disbursed_on });
    const product = l.product_id ? products.get(l.product_id) : undefined;
    const current = schedules[k] ?? [];
    if (invalid[0]) {
      skip(invalid[0].code);
      continue;
    }
    if (!product || !l.disbursed_on) {
      skip('PRODUCT_NOT_FOUND');
      continue;
    }
    const result = restructureSchedule(
      current.map((i) => ({
        number: i.number,
        dueDate: i.due_date,
        principal: new Money(i.principal),
        interest: new Money(i.interest),
        principalPaid: new Money(i.principal_paid),
        interestPaid: new Money(i.interest_paid),
        penalty: new Money(i.penalty),
        penaltyPaid: new Money(i.penalty_paid),
        paidOn: i.paid_on,
      })),
      request,
      {
        annualRate: new Money(l.annual_rate),
        frequency: product.frequency,
        method: product.amortisation,
        dayCount: product.day_count,
        disbursedOn: l.disbursed_on,
        scale: minorUnits(l.currency) ?? 2,
        firstDueDate: l.first_due_date,
        ...scheduleConventionsOf(product),
      },
    );
    if (!result.ok) {
      skip(result.code);
      continue;
    }
    const version = l.schedule_version + 1;
    const dueBefore = new Map(current.map((i) => [i.number, i.due_date]));
    const deferred = result.schedule
      .filter((i) => dueBefore.get(i.number) !== i.dueDate)
      .reduce((sum, i) => sum.plus(i.principal).plus(i.interest).minus(i.principalPaid).minus(i.interestPaid), new Money(0));
    const restructuringId = uuidv7();
    const scale = amountScale(l.currency);
    restructurings.push({
      id: restructuringId,
      loan_id: l.loan_id,
      kind: 'PAYMENT_HOLIDAY',
      instalments: m.instalments,
      new_rate: null,
      effective_on: m.effective_on ?? '',
      reason,
      status: 'APPROVED',
      requested_by: m.declared_by,
      requested_at: m.declared_at,
      decided_by: actorId,
      decided_at: now,
      from_version: l.schedule_version,
      to_version: version,
      idempotency_key: null,
      crisis_measure_id: m.id,
    });
    for (const i of result.schedule) {
      instalments.push({
        loan_id: l.loan_id,
        version,
        number: i.number,
        due_date: i.dueDate,
        principal: moneyString(i.principal, scale),
        interest: moneyString(i.interest, scale),
        principal_paid: moneyString(i.principalPaid, scale),
        interest_paid: moneyString(i.interestPaid, scale),
        penalty: moneyString(i.penalty, scale),
        penalty_paid: moneyString(i.penaltyPaid, scale),
        paid_on: i.paidOn,
      });
      if (i.principalPaid.plus(i.interestPaid).plus(i.penaltyPaid).gt(0)) carried.push({ loanId: l.loan_id, version, number: i.number });
    }
    moved.push({ id: l.loan_id, version, termCount: result.schedule.length });
    rows.push({
      ...base,
      status: 'APPLIED',
      skip_reason: null,
      amount_deferred: moneyString(deferred, scale),
      restructuring_id: restructuringId,
      from_version: l.schedule_version,
      to_version: version,
    });
    events.push(
      createEvent('LoanRestructured', {
        subject: l.customer_id,
        time: now,
        data: {
          loanId: l.loan_id,
          customerId: l.customer_id,
          restructuringId,
          kind: 'PAYMENT_HOLIDAY',
          scheduleVersion: version,
          effectiveOn: m.effective_on ?? '',
          crisisMeasureId: m.id,
        },
      }),
      reliefEvent(m, l, now, { restructuringId, version }),
    );
  }
  await writeBulkHoliday(tx, { restructurings, instalments, carried, loans: moved });
  return { rows, events };
}

/** A penalty waiver for every loan not already under an overlapping one: the window is recorded for the end-of-day run. */
async function applyWaiver(tx: Tx, m: CrisisMeasureRow, loans: LoanInCrisisScope[], now: Date) {
  const from = m.waiver_from ?? '';
  const to = m.waiver_to ?? '';
  const under = await findLoansUnderWaiver(
    tx,
    loans.map((l) => l.loan_id),
    from,
    to,
  );
  const rows: MeasureLoan[] = [];
  const events: DomainEvent<EventName>[] = [];
  for (const l of loans) {
    const base = {
      measure_id: m.id,
      loan_id: l.loan_id,
      customer_id: l.customer_id,
      currency: l.currency,
      outstanding_principal: scaled(l.outstanding, l.currency),
    };
    if (under.has(l.loan_id)) {
      rows.push({ ...base, status: 'SKIPPED', skip_reason: 'ALREADY_UNDER_WAIVER' });
      continue;
    }
    rows.push({ ...base, status: 'APPLIED', skip_reason: null, waiver_from: from, waiver_to: to });
    events.push(reliefEvent(m, l, now, null));
  }
  return { rows, events };
}
