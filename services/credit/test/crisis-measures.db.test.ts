import { createEvent, definitionOfType } from '@crm/events';
import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stageDelinquency } from '../src/db/end-of-day.store.ts';
import type { DB } from '../src/db/schema.ts';
import { penaltyWithWaivers, waivedPenaltyDays } from '../src/domain/crisis.ts';
import { addDays } from '../src/domain/dates.ts';
import { creditService } from '../src/service.ts';
import { given, manager, riskOfficer } from './given.ts';

/** Crisis measures (issue 15): declaration, four eyes, bulk payment holiday, penalty waiver in the end-of-day run, effect. */

const riskOfficer2: Identity = { userId: 'risk-2', roles: ['risk_officer'], branchId: 'BR-001' };
const manager2: Identity = { userId: 'bm-9', roles: ['branch_manager'], branchId: 'BR-001' };
const managerBr2: Identity = { userId: 'bm-2', roles: ['branch_manager'], branchId: 'BR-002' };

const DECLARE = `mutation($i: DeclareCrisisMeasureInput!) { declareCrisisMeasure(input: $i) {
  measure { id status kind scope { branchIds regions industries customerKinds customerIds } inScope { currency loans principalAffected } }
  userErrors { field code message } } }`;
const DECIDE = `mutation($i: DecideCrisisMeasureInput!) { decideCrisisMeasure(input: $i) {
  measure { id status decidedBy effect { loansAffected loansSkipped byCurrency { currency loans principalAffected amountDeferred penaltiesWaived } } }
  userErrors { field code message } } }`;
const MEASURE = `query($id: ID!) { crisisMeasure(id: $id) {
  id status effect { loansAffected loansSkipped byCurrency { currency loans principalAffected amountDeferred penaltiesWaived } }
  loans(first: 50) { totalCount edges { node { status skipReason loan { id } outstandingPrincipal { amount currency } amountDeferred { amount }
    penaltyWaived { amount } restructuringId fromVersion toVersion } } } } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { currentScheduleVersion schedule { number dueDate penalty }
  restructurings(first: 5) { edges { node { kind status instalments crisisMeasureId requestedBy decidedBy fromVersion toVersion } } } } }`;

type UserErrors = { field: string | null; code: string; message: string }[];
type Effect = {
  loansAffected: number;
  loansSkipped: number;
  byCurrency: { currency: string; loans: number; principalAffected: string; amountDeferred: string; penaltiesWaived: string }[];
};

describe('crisis measures', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const loans = { kaolackBr1: '', dakarBr1: '', kaolackBr2: '' };

  /** A customer with an address region, as customers registers it. */
  async function customer(id: string, branchId: string, region: string, industry: string | null = null) {
    const event = createEvent('CustomerRegistered', {
      subject: id,
      data: {
        customerId: id,
        kind: 'ENTERPRISE',
        displayName: `Customer ${id}`,
        status: 'ACTIVE',
        branchId,
        relationshipManagerId: 'officer-1',
        birthDate: null,
        registeredAt: '2025-01-01T00:00:00.000Z',
        industry,
        contact: { phone: null, email: null, address: { region, city: null, district: null, line: null } },
      },
    });
    await svc.consumer.handle({ topic: 'crm.customers.v1', key: id, value: JSON.stringify(event) });
  }

  const declare = async (input: Record<string, unknown>, as: Identity) => {
    const res = await svc.graphql<{
      declareCrisisMeasure: { measure: { id: string; status: string; scope: { branchIds: string[] } } | null; userErrors: UserErrors };
    }>(DECLARE, { i: input }, as);
    expect(res.errors).toBeUndefined();
    return res.data?.declareCrisisMeasure ?? { measure: null, userErrors: [] };
  };
  const decide = (measureId: string, approve: boolean, as: Identity) =>
    svc.graphql<{ decideCrisisMeasure: { measure: { id: string; status: string; decidedBy: string; effect: Effect | null } | null; userErrors: UserErrors } }>(
      DECIDE,
      { i: { measureId, approve } },
      as,
    );
  const domainEvents = async (type: string) => {
    const rows = await svc.db.selectFrom('event_outbox').select(['type', 'event']).where('type', '=', `crm.credit.${type}.v1`).orderBy('seq').execute();
    return rows
      .filter((r) => !definitionOfType(r.type)?.state)
      .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { subject: string; data: Record<string, unknown> });
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_crisis' });
    g = given(svc);
    await customer('cm-k1', 'BR-001', 'Kaolack', 'AGRICULTURE');
    await customer('cm-d1', 'BR-001', 'Dakar', 'RETAIL');
    await customer('cm-k2', 'BR-002', 'Kaolack', 'AGRICULTURE');
    await g.product({ code: 'CRISIS-M' });
    loans.kaolackBr1 = await g.activeLoan('cm-k1', 'CRISIS-M', {}, '2026-01-10');
    loans.dakarBr1 = await g.activeLoan('cm-d1', 'CRISIS-M', {}, '2026-01-10');
    // BR-002's loan, through an administrator (the fixtures' officer and manager are BR-001's)
    const applied = await svc.graphql<{ applyForLoan: { loan: { id: string } } }>(
      `mutation($i: ApplyForLoanInput!) { applyForLoan(input: $i) { loan { id } } }`,
      { i: { customerId: 'cm-k2', productCode: 'CRISIS-M', principal: '1200.00', annualRate: '0.12', termCount: 3, purpose: 'Seeds' } },
      staff.admin,
    );
    loans.kaolackBr2 = applied.data?.applyForLoan.loan.id ?? '';
    await svc.graphql(`mutation($i: ApproveLoanInput!) { approveLoan(input: $i) { userErrors { code } } }`, { i: { loanId: loans.kaolackBr2 } }, riskOfficer);
    const disbursed = await svc.graphql<{ disburseLoan: { loan: { status: string } } }>(
      `mutation($i: DisburseLoanInput!) { disburseLoan(input: $i) { loan { status } } }`,
      { i: { loanId: loans.kaolackBr2, disbursedOn: '2026-01-10' } },
      staff.admin,
    );
    expect(disbursed.data?.disburseLoan.loan.status).toBe('ACTIVE');
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('refuses a bad declaration with a code per field and writes nothing', async () => {
    const before = await svc.db.selectFrom('crisis_measure').select('id').execute();
    const noScope = await declare(
      { name: 'Drought', kind: 'PAYMENT_HOLIDAY', reason: 'Drought', scope: {}, instalments: 2, effectiveOn: '2026-02-01' },
      riskOfficer,
    );
    expect(noScope.userErrors.map((e) => e.code)).toEqual(['SCOPE_REQUIRED']);
    const otherBranch = await declare(
      { name: 'Floods', kind: 'PAYMENT_HOLIDAY', reason: 'Floods', scope: { branchIds: ['BR-002'] }, instalments: 2, effectiveOn: '2026-02-01' },
      manager,
    );
    expect(otherBranch.userErrors).toEqual([expect.objectContaining({ field: 'scope.branchIds', code: 'OUT_OF_SCOPE' })]);
    const noTerms = await declare({ name: ' ', kind: 'PAYMENT_HOLIDAY', reason: 'x', scope: { regions: ['Kaolack'] } }, riskOfficer);
    expect(noTerms.userErrors.map((e) => `${e.field}:${e.code}`).sort()).toEqual(['effectiveOn:REQUIRED', 'instalments:REQUIRED', 'name:REQUIRED']);
    const badWaiver = await declare(
      { name: 'Waiver', kind: 'PENALTY_WAIVER', reason: 'x', scope: { regions: ['Kaolack'] }, waiverFrom: '2026-03-01', waiverTo: '2026-02-01' },
      riskOfficer,
    );
    expect(badWaiver.userErrors.map((e) => `${e.field}:${e.code}`)).toEqual(['waiverTo:INVALID_RANGE']);
    const tooLong = await declare(
      { name: 'Waiver', kind: 'PENALTY_WAIVER', reason: 'x', scope: { regions: ['Kaolack'] }, waiverFrom: '2026-01-01', waiverTo: '2027-06-01' },
      riskOfficer,
    );
    expect(tooLong.userErrors.map((e) => `${e.field}:${e.code}`)).toEqual(['waiverTo:OUT_OF_RANGE']);
    expect(await svc.db.selectFrom('crisis_measure').select('id').execute()).toEqual(before);
    // a loan officer may not declare at all
    const officer = await svc.graphql(DECLARE, { i: { name: 'x', kind: 'PAYMENT_HOLIDAY', reason: 'x', scope: { regions: ['Kaolack'] } } }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('declares a payment holiday for a region, approved by a second person, restructuring exactly the loans in scope', async () => {
    vi.setSystemTime(new Date('2026-01-20T09:00:00Z'));
    const declared = await declare(
      {
        name: 'Flood relief, Kaolack',
        kind: 'PAYMENT_HOLIDAY',
        reason: 'Floods destroyed the harvest',
        scope: { regions: ['Kaolack'], industries: ['AGRICULTURE'] },
        instalments: 2,
        effectiveOn: '2026-02-01',
        idempotencyKey: 'crisis-flood-1',
      },
      riskOfficer,
    );
    expect(declared.userErrors).toEqual([]);
    const id = declared.measure?.id ?? '';
    expect(declared.measure).toMatchObject({
      status: 'DECLARED',
      scope: { branchIds: [], regions: ['Kaolack'], industries: ['AGRICULTURE'], customerKinds: [], customerIds: [] },
      inScope: [{ currency: 'USD', loans: 2, principalAffected: '2400.00' }],
    });
    // the same idempotency key returns the first measure
    const again = await declare(
      {
        name: 'Flood relief, Kaolack',
        kind: 'PAYMENT_HOLIDAY',
        reason: 'x',
        scope: { regions: ['Kaolack'] },
        instalments: 2,
        effectiveOn: '2026-02-01',
        idempotencyKey: 'crisis-flood-1',
      },
      riskOfficer,
    );
    expect(again.measure?.id).toBe(id);
    // nothing changed on the loans yet
    expect((await svc.db.selectFrom('loan').select('schedule_version').where('id', '=', loans.kaolackBr1).executeTakeFirstOrThrow()).schedule_version).toBe(1);

    // four eyes: not the declarer; a branch manager only decides the measures of their branch
    const self = await decide(id, true, riskOfficer);
    expect(self.data?.decideCrisisMeasure.userErrors.map((e) => e.code)).toEqual(['SAME_PERSON']);
    const outsider = await decide(id, true, manager);
    expect(outsider.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await svc.db.selectFrom('crisis_measure').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('DECLARED');

    const approved = await decide(id, true, riskOfficer2);
    expect(approved.errors).toBeUndefined();
    expect(approved.data?.decideCrisisMeasure.userErrors).toEqual([]);
    expect(approved.data?.decideCrisisMeasure.measure).toMatchObject({
      status: 'APPROVED',
      decidedBy: 'risk-2',
      // 1,200.00 at 12 % over 3 months: 408.03 + 408.03 + 408.02 deferred per loan, nothing paid yet
      effect: {
        loansAffected: 2,
        loansSkipped: 0,
        byCurrency: [{ currency: 'USD', loans: 2, principalAffected: '2400.00', amountDeferred: '2448.16', penaltiesWaived: '0.00' }],
      },
    });

    for (const loanId of [loans.kaolackBr1, loans.kaolackBr2]) {
      const l = await svc.graphql<{
        loan: {
          currentScheduleVersion: number;
          schedule: { number: number; dueDate: string }[];
          restructurings: { edges: { node: Record<string, unknown> }[] };
        };
      }>(LOAN, { id: loanId }, riskOfficer);
      expect(l.data?.loan.currentScheduleVersion).toBe(2);
      expect(l.data?.loan.schedule.map((i) => i.dueDate)).toEqual(['2026-04-10', '2026-05-10', '2026-06-10']);
      expect(l.data?.loan.restructurings.edges.map((e) => e.node)).toEqual([
        {
          kind: 'PAYMENT_HOLIDAY',
          status: 'APPROVED',
          instalments: 2,
          crisisMeasureId: id,
          requestedBy: 'risk-1',
          decidedBy: 'risk-2',
          fromVersion: 1,
          toVersion: 2,
        },
      ]);
    }
    // the Dakar loan is outside the scope: untouched
    const dakar = await svc.graphql<{ loan: { currentScheduleVersion: number; schedule: { dueDate: string }[] } }>(LOAN, { id: loans.dakarBr1 }, riskOfficer);
    expect(dakar.data?.loan.currentScheduleVersion).toBe(1);
    expect(dakar.data?.loan.schedule.map((i) => i.dueDate)).toEqual(['2026-02-10', '2026-03-10', '2026-04-10']);

    // events: the declaration, per loan LoanRestructured (with the measure) and CrisisReliefGranted, then the measure applied with its effect
    expect((await domainEvents('CrisisMeasureDeclared')).map((e) => e.subject)).toEqual([id]);
    const restructured = await domainEvents('LoanRestructured');
    expect(restructured.map((e) => e.data.loanId).sort()).toEqual([loans.kaolackBr1, loans.kaolackBr2].sort());
    expect(restructured.every((e) => e.data.crisisMeasureId === id)).toBe(true);
    const relief = await domainEvents('CrisisReliefGranted');
    expect(relief.map((e) => [e.subject, e.data.kind, e.data.instalments, e.data.scheduleVersion]).sort()).toEqual([
      ['cm-k1', 'PAYMENT_HOLIDAY', 2, 2],
      ['cm-k2', 'PAYMENT_HOLIDAY', 2, 2],
    ]);
    const applied = await domainEvents('CrisisMeasureApplied');
    expect(applied.map((e) => e.data)).toEqual([
      expect.objectContaining({
        measureId: id,
        loansAffected: 2,
        loansSkipped: 0,
        effect: [{ currency: 'USD', loans: 2, principalAffected: '2400.00', amountDeferred: '2448.16' }],
      }),
    ]);
    // audited with the decider and the counts
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['actor_id', 'outcome'])
      .where('action', '=', 'decideCrisisMeasure')
      .where('entity_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => `${a.actor_id}:${a.outcome}`)).toEqual(['risk-1:REJECTED', 'bm-1:FORBIDDEN', 'risk-2:SUCCEEDED']);

    // decided once
    const twice = await decide(id, true, riskOfficer2);
    expect(twice.data?.decideCrisisMeasure.userErrors.map((e) => e.code)).toEqual(['ALREADY_DECIDED']);
    // a branch manager reads the measure's loans of their branch only
    const seen = await svc.graphql<{ crisisMeasure: { loans: { totalCount: number; edges: { node: { loan: { id: string } } }[] } } }>(MEASURE, { id }, manager);
    expect(seen.data?.crisisMeasure.loans.edges.map((e) => e.node.loan.id)).toEqual([loans.kaolackBr1]);
    expect(seen.data?.crisisMeasure.loans.totalCount).toBe(1);
  });

  it("waives the penalty of a branch's loans for a period: the end-of-day run accrues none for those days", async () => {
    vi.setSystemTime(new Date('2026-02-12T09:00:00Z'));
    const declared = await declare(
      {
        name: 'Market fire',
        kind: 'PENALTY_WAIVER',
        reason: 'The market burnt down',
        scope: { customerKinds: ['ENTERPRISE'] },
        waiverFrom: '2026-02-11',
        waiverTo: '2026-02-20',
      },
      manager,
    );
    expect(declared.userErrors).toEqual([]);
    // a branch manager's measure covers their branch only
    expect(declared.measure?.scope.branchIds).toEqual(['BR-001']);
    const id = declared.measure?.id ?? '';
    // another branch's manager neither sees it as theirs nor decides it
    expect((await decide(id, true, managerBr2)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const approved = await decide(id, true, manager2);
    expect(approved.data?.decideCrisisMeasure.userErrors).toEqual([]);
    expect(approved.data?.decideCrisisMeasure.measure?.effect).toMatchObject({ loansAffected: 2, loansSkipped: 0 });

    // A second waiver overlapping the first skips the loans already under it.
    const overlap = await declare(
      { name: 'Second fire', kind: 'PENALTY_WAIVER', reason: 'x', scope: { branchIds: ['BR-001'] }, waiverFrom: '2026-02-15', waiverTo: '2026-02-25' },
      riskOfficer,
    );
    const skipped = await decide(overlap.measure?.id ?? '', true, riskOfficer2);
    expect(skipped.data?.decideCrisisMeasure.measure?.effect).toMatchObject({ loansAffected: 0, loansSkipped: 2 });
    const skippedLoans = await svc.graphql<{ crisisMeasure: { loans: { edges: { node: { status: string; skipReason: string } }[] } } }>(
      MEASURE,
      { id: overlap.measure?.id },
      riskOfficer,
    );
    expect(skippedLoans.data?.crisisMeasure.loans.edges.map((e) => `${e.node.status}:${e.node.skipReason}`)).toEqual([
      'SKIPPED:ALREADY_UNDER_WAIVER',
      'SKIPPED:ALREADY_UNDER_WAIVER',
    ]);

    // End of day on 15 March: the Dakar loan's first instalment (408.03, due 10 Feb, 3 grace days, 36.5 % a year)
    // is 33 days past due; penalty days 14 Feb..15 Mar = 30, of which 14..20 Feb (7) are waived: 408.03 x 0.001 x 23 = 9.38 (12.24 without).
    // The second (due 10 Mar, 5 days) accrues 14..15 Mar, outside the waiver: 0.82.
    vi.setSystemTime(new Date('2026-03-16T09:00:00Z'));
    const eod = await svc.graphql<{ runEndOfDay: { userErrors: UserErrors } }>(
      `mutation { runEndOfDay(input: { asOf: "2026-03-15" }) { userErrors { code } } }`,
      {},
      riskOfficer,
    );
    expect(eod.data?.runEndOfDay.userErrors).toEqual([]);
    const dakar = await svc.graphql<{ loan: { schedule: { number: number; penalty: string }[] } }>(LOAN, { id: loans.dakarBr1 }, riskOfficer);
    expect(dakar.data?.loan.schedule.map((i) => i.penalty)).toEqual(['9.38', '0.82', '0.00']);
    // the loan of the other branch, outside the waiver, pays full penalty: its holiday moved its instalments, none is overdue
    const measure = await svc.graphql<{
      crisisMeasure: { effect: Effect; loans: { edges: { node: { loan: { id: string }; penaltyWaived: { amount: string } } }[] } };
    }>(MEASURE, { id }, riskOfficer);
    expect(measure.data?.crisisMeasure.effect.byCurrency).toEqual([
      { currency: 'USD', loans: 2, principalAffected: '2400.00', amountDeferred: '0.00', penaltiesWaived: '2.86' },
    ]);
    const byLoan = Object.fromEntries(measure.data?.crisisMeasure.loans.edges.map((e) => [e.node.loan.id, e.node.penaltyWaived.amount]) ?? []);
    expect(byLoan).toEqual({ [loans.dakarBr1]: '2.86', [loans.kaolackBr1]: '0.00' });
    // a re-run of the same date changes nothing
    await svc.graphql(`mutation { runEndOfDay(input: { asOf: "2026-03-15" }) { userErrors { code } } }`, {}, riskOfficer);
    const rerun = await svc.graphql<{ crisisMeasure: { effect: Effect } }>(MEASURE, { id }, riskOfficer);
    expect(rerun.data?.crisisMeasure.effect.byCurrency[0]?.penaltiesWaived).toBe('2.86');

    // Penalties recomputed for one loan as of an earlier date spare the waived days as the run does:
    // after a run of 20 March, a payoff quote and a back-dated repayment as of 15 March find 9.38 + 0.82
    // (13.06 if the waiver were forgotten).
    vi.setSystemTime(new Date('2026-03-21T09:00:00Z'));
    await svc.graphql(`mutation { runEndOfDay(input: { asOf: "2026-03-20" }) { userErrors { code } } }`, {}, riskOfficer);
    const quote = await svc.graphql<{ loan: { payoffQuote: { penalty: string } | null } }>(
      `query($id: ID!) { loan(id: $id) { payoffQuote(asOf: "2026-03-15") { penalty } } }`,
      { id: loans.dakarBr1 },
      riskOfficer,
    );
    expect(quote.data?.loan.payoffQuote?.penalty).toBe('10.20');
    const repaid = await g.repay({ loanId: loans.dakarBr1, amount: '10.00', paidOn: '2026-03-15', channel: 'CASH', externalReference: 'CM-WAIVED-1' });
    expect(repaid.userErrors).toEqual([]);
    expect(repaid.repayment).toMatchObject({ penaltyPaid: '9.38', interestPaid: '0.62' });
    expect(
      (await domainEvents('CrisisReliefGranted'))
        .filter((e) => e.data.measureId === id)
        .map((e) => e.subject)
        .sort(),
    ).toEqual(['cm-d1', 'cm-k1']);
  });

  it('lists the measures a caller may see, newest first, with their effect', async () => {
    const LIST = `query($f: CrisisMeasureFilter) { crisisMeasures(filter: $f, first: 10) { totalCount edges { node { name status kind } } } }`;
    const all = await svc.graphql<{ crisisMeasures: { totalCount: number; edges: { node: { name: string } }[] } }>(
      LIST,
      {},
      { userId: 'an-1', roles: ['analyst'] },
    );
    expect(all.data?.crisisMeasures.edges.map((e) => e.node.name)).toEqual(['Second fire', 'Market fire', 'Flood relief, Kaolack']);
    const holidays = await svc.graphql<{ crisisMeasures: { totalCount: number } }>(LIST, { f: { kind: ['PAYMENT_HOLIDAY'] } }, riskOfficer);
    expect(holidays.data?.crisisMeasures.totalCount).toBe(1);
    // BR-002's manager: the region-wide measure (not restricted to branches) but not BR-001's
    const br2 = await svc.graphql<{ crisisMeasures: { edges: { node: { name: string } }[] } }>(LIST, {}, managerBr2);
    expect(br2.data?.crisisMeasures.edges.map((e) => e.node.name)).toEqual(['Flood relief, Kaolack']);
  });

  it('rejects a measure: nothing changes on any loan, CrisisMeasureRejected', async () => {
    const declared = await declare(
      { name: 'Not needed', kind: 'PAYMENT_HOLIDAY', reason: 'x', scope: { branchIds: ['BR-001'] }, instalments: 1, effectiveOn: '2026-03-01' },
      riskOfficer,
    );
    const versions = await svc.db.selectFrom('loan').select(['id', 'schedule_version']).orderBy('id').execute();
    const rejected = await decide(declared.measure?.id ?? '', false, riskOfficer2);
    expect(rejected.data?.decideCrisisMeasure.measure).toMatchObject({ status: 'REJECTED', effect: null });
    expect(await svc.db.selectFrom('loan').select(['id', 'schedule_version']).orderBy('id').execute()).toEqual(versions);
    expect((await domainEvents('CrisisMeasureRejected')).map((e) => e.subject)).toEqual([declared.measure?.id]);
  });
});

describe('the end-of-day penalty under waivers equals the domain rule (one source)', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_crisis_oracle' });
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const windowArb = fc.record({ start: fc.integer({ min: 0, max: 120 }), length: fc.integer({ min: 1, max: 40 }) });
  const caseArb = fc.record({
    graceDays: fc.integer({ min: 0, max: 10 }),
    dueOffsets: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 4 }),
    windows: fc.array(windowArb, { maxLength: 3 }),
    asOfDay: fc.integer({ min: 0, max: 150 }),
    capped: fc.boolean(),
  });

  it('waived days and penalties of generated instalments and windows', async () => {
    const BASE = '2026-01-01';
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        // non-overlapping windows of one loan, as approval guarantees
        const windows: { from: string; to: string }[] = [];
        let cursor = 0;
        for (const w of c.windows) {
          const from = Math.max(cursor, w.start);
          windows.push({ from: addDays(BASE, from), to: addDays(BASE, from + w.length - 1) });
          cursor = from + w.length;
        }
        const loan = await g.storedLoan({
          graceDays: c.graceDays,
          penaltyCapRate: c.capped ? '0.05' : null,
          disbursedOn: BASE,
          instalments: [...c.dueOffsets].sort((a, b) => a - b).map((d) => ({ dueDate: addDays(BASE, d + 1), principal: '1000.00', interest: '37.50' })),
        });
        const measureId = uuidv7();
        await svc.db
          .insertInto('crisis_measure')
          .values({
            id: measureId,
            name: 'oracle',
            kind: 'PENALTY_WAIVER',
            scope: JSON.stringify({ branchIds: [], regions: [], industries: [], customerKinds: [], customerIds: [loan.customer_id] }),
            instalments: null,
            effective_on: null,
            waiver_from: '2026-01-01',
            waiver_to: '2026-01-01',
            reason: 'oracle',
            status: 'APPROVED',
            branch_id: null,
            declared_by: 'a',
            declared_at: new Date(),
            decided_by: 'b',
            decided_at: new Date(),
            idempotency_key: null,
          })
          .execute();
        for (const [k, w] of windows.entries()) {
          // one loan, several measures (one window each)
          const mid = k === 0 ? measureId : uuidv7();
          if (k > 0)
            await sql`insert into crisis_measure select ${mid}, name, kind, scope, instalments, effective_on, waiver_from, waiver_to, reason, status, branch_id,
              declared_by, declared_at, decided_by, decided_at, loans_affected, loans_skipped, null from crisis_measure where id = ${measureId}`.execute(
              svc.db,
            );
          await svc.db
            .insertInto('crisis_measure_loan')
            .values({
              measure_id: mid,
              loan_id: loan.id,
              customer_id: loan.customer_id,
              currency: 'USD',
              status: 'APPLIED',
              skip_reason: null,
              outstanding_principal: '0',
              restructuring_id: null,
              from_version: null,
              to_version: null,
              waiver_from: w.from,
              waiver_to: w.to,
            })
            .execute();
        }
        const asOf = addDays(BASE, c.asOfDay);
        await svc.db.transaction().execute(async (tx) => {
          await stageDelinquency(tx, asOf, loan.id);
          const { rows } = await sql<{ due_date: string; dpd: number; waived_days: number; penalty_due: string; unpaid: string }>`
            select to_char(due_date, 'YYYY-MM-DD') as due_date, dpd, waived_days, penalty_due::text, unpaid::text from eod_instalment order by number`.execute(
            tx,
          );
          for (const r of rows) {
            const i = { dueDate: r.due_date, dpd: Number(r.dpd), graceDays: c.graceDays };
            expect(Number(r.waived_days)).toBe(waivedPenaltyDays(i, windows));
            expect(r.penalty_due).toBe(
              penaltyWithWaivers(
                { ...i, unpaid: r.unpaid, penaltyRate: '0.365', currency: 'USD', penaltyCapRate: c.capped ? '0.05' : null, rounding: 'HALF_UP' },
                windows,
              ),
            );
          }
        });
      }),
      { numRuns: 40 },
    );
  });
});
