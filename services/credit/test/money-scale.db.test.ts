import { definitionOfType, eventFields } from '@crm/events';
import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import type { DocumentNode, TypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { DB } from '../src/db/schema.ts';
import { typeDefs } from '../src/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager, riskOfficer } from './given.ts';

/**
 * Issue 10: every amount of a loan is written at its currency's scale (the minor unit, at least 2
 * decimals: "0.000" KWD, "0.00" XOF), a zero penalty included. The selection is built from the
 * subgraph's own schema: every field of the loan, its schedule (both versions), repayments, payoff
 * quote, end-of-day snapshots, collateral and guarantors; a Decimal field is an amount unless its
 * name says it is a rate (`annualRate`, `loanToValue`...), and `Money.amount` always is. So a money
 * field added later is checked too. The loan goes through the paths that write amounts: an
 * application (nothing outstanding yet), a disbursement fee, a payment, a prepayment that
 * re-amortises (new schedule rows), end-of-day runs with and without arrears, a partial payment
 * and its reversal (everything re-allocated), collateral and a guarantor. Dates move by the
 * business date (setBusinessDate, closeBusinessDay), not by faking the clock.
 */

const SET_DATE = `mutation($date: Date!) { setBusinessDate(input: { date: $date }) { businessDate { date } userErrors { field code } } }`;
const CLOSE_DAY = `mutation($date: Date!) { closeBusinessDay(input: { businessDate: $date }) { businessDate { date } userErrors { field code } } }`;
const REVERSE = `mutation($input: ReverseRepaymentInput!) { reverseRepayment(input: $input) { userErrors { field code } } }`;
const ADD_COLLATERAL = `mutation($i: AddCollateralInput!) { addCollateral(input: $i) { collateral { id } userErrors { field code } } }`;
const REVALUE = `mutation($i: RevalueCollateralInput!) { revalueCollateral(input: $i) { userErrors { field code } } }`;
const GUARANTOR = `mutation($i: AddGuarantorInput!) { addGuarantor(input: $i) { userErrors { field code } } }`;

interface TypeRef {
  kind: string;
  name: string | null;
  ofType?: TypeRef | null;
}
interface Field {
  name: string;
  args: { name: string; defaultValue: string | null; type: { kind: string } }[];
  type: TypeRef;
}
type Types = Map<string, { kind: string; fields: Field[] }>;

const BUILT_IN_SCALARS = ['ID', 'String', 'Int', 'Float', 'Boolean'];

/** The subgraph's types from its SDL (introspection is off on the subgraph), in introspection's shape. */
function typesOf(sdl: DocumentNode): Types {
  const kinds = new Map<string, string>(BUILT_IN_SCALARS.map((n) => [n, 'SCALAR']));
  for (const d of sdl.definitions) {
    if (d.kind === 'ScalarTypeDefinition') kinds.set(d.name.value, 'SCALAR');
    if (d.kind === 'EnumTypeDefinition') kinds.set(d.name.value, 'ENUM');
    if (d.kind === 'ObjectTypeDefinition' || d.kind === 'ObjectTypeExtension') kinds.set(d.name.value, 'OBJECT');
  }
  const ref = (t: TypeNode): TypeRef =>
    t.kind === 'NamedType'
      ? { kind: kinds.get(t.name.value) ?? 'OTHER', name: t.name.value }
      : { kind: t.kind === 'NonNullType' ? 'NON_NULL' : 'LIST', name: null, ofType: ref(t.type) };
  const types: Types = new Map();
  for (const d of sdl.definitions) {
    if (d.kind !== 'ObjectTypeDefinition' && d.kind !== 'ObjectTypeExtension') continue;
    const fields = (d.fields ?? []).map((f) => ({
      name: f.name.value,
      args: (f.arguments ?? []).map((a) => ({
        name: a.name.value,
        defaultValue: a.defaultValue ? 'set' : null,
        type: { kind: a.type.kind === 'NonNullType' ? 'NON_NULL' : 'OTHER' },
      })),
      type: ref(f.type),
    }));
    const known = types.get(d.name.value);
    types.set(d.name.value, { kind: 'OBJECT', fields: [...(known?.fields ?? []), ...fields] });
  }
  return types;
}

const named = (t: TypeRef): TypeRef => (t.ofType ? named(t.ofType) : t);
/** Object types not followed from a loan: other aggregates (they have their own amounts and tests). */
const NOT_FOLLOWED = new Set(['Loan', 'Customer', 'LoanProduct', 'RiskWarning', 'RiskClassChange', 'CreditReview', 'JobRun']);
/** A Decimal that is a rate or a ratio, not an amount: by its name, or one of these (rate points). */
const RATE_FIELDS = new Set(['LoanPricing.discountApplied']);
const isRate = (type: string, field: string) => /rate|toValue|ratio/i.test(field) || RATE_FIELDS.has(`${type}.${field}`);
/** Arguments for fields that need one. */
const ARGS: Record<string, string> = { scheduleVersion: '(version: 1)', repayments: '(first: 50)', delinquencyHistory: '(first: 50)' };

/** The selection of every field of `type` (depth-limited), following the types a loan owns. */
function selection(types: Types, type: string, depth = 0): string {
  const t = types.get(type);
  if (!t?.fields || depth > 8) return '';
  const parts: string[] = [];
  for (const f of t.fields) {
    if (f.args.some((a) => a.type.kind === 'NON_NULL' && a.defaultValue === null) && !ARGS[f.name]) continue;
    const target = named(f.type);
    const args = ARGS[f.name] ?? '';
    if (target.kind === 'SCALAR' || target.kind === 'ENUM') parts.push(`${f.name}${args}`);
    else if (target.kind === 'OBJECT' && target.name && !NOT_FOLLOWED.has(target.name)) {
      const inner = selection(types, target.name, depth + 1);
      if (inner) parts.push(`${f.name}${args} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

/** Every amount in `value` (of GraphQL type `type`) with its path. */
function amountsOf(types: Types, type: string, value: unknown, path: string, out: [string, string][]): [string, string][] {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      amountsOf(types, type, v, `${path}[${i}]`, out);
    });
    return out;
  }
  const t = types.get(type);
  if (!t?.fields || typeof value !== 'object') return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const f = t.fields.find((x) => x.name === key);
    if (!f) continue;
    const target = named(f.type);
    if (target.name === 'Decimal' && !isRate(type, key) && typeof v === 'string') out.push([`${path}.${key}`, v]);
    else if (target.name === 'Money' && v && typeof v === 'object' && 'amount' in v) out.push([`${path}.${key}.amount`, String(v.amount)]);
    else if (target.kind === 'OBJECT' && target.name) amountsOf(types, target.name, v, `${path}.${key}`, out);
  }
  return out;
}

/**
 * The money fields of an event's data ([path, value]): those its catalogue schema declares as
 * `money` (the shared field, optional or nullable or not), nested objects and lists followed.
 */
function moneyOfEvent(schema: z.ZodType, value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType } } })._zod
    .def;
  if (value === null || value === undefined) return out;
  if (def.innerType) return moneyOfEvent(def.innerType, value, path, out);
  if (schema === eventFields.money) out.push([path, String(value)]);
  else if (def.type === 'object' && def.shape && typeof value === 'object')
    for (const [k, s] of Object.entries(def.shape)) moneyOfEvent(s, (value as Record<string, unknown>)[k], `${path}.${k}`, out);
  else if (def.type === 'array' && def.element && Array.isArray(value))
    for (const [i, v] of value.entries()) moneyOfEvent(def.element, v, `${path}[${i}]`, out);
  return out;
}

describe('every money field of a loan at its currency scale (KWD 3 decimals, XOF 0 written as 2)', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  let types: Types;
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, as: Identity = staff.admin): Promise<T> => {
    const res = await svc.graphql<T>(query, variables, as);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  };
  const businessDate = async (date: string) => {
    expect((await gql<{ setBusinessDate: unknown }>(SET_DATE, { date })).setBusinessDate).toEqual({ businessDate: { date }, userErrors: [] });
  };
  const closeDay = async (date: string) => {
    const res = await gql<{ closeBusinessDay: { userErrors: unknown[] } }>(CLOSE_DAY, { date }, riskOfficer);
    expect(res.closeBusinessDay.userErrors).toEqual([]);
  };
  let refs = 0;
  const pay = async (loanId: string, amount: string) => {
    const res = await g.repay({ loanId, amount, channel: 'CASH', externalReference: `scale-${++refs}` });
    expect(res.userErrors).toEqual([]);
    return res.repayment?.id ?? '';
  };
  const loanQuery = () => `query($id: ID!) { loan(id: $id) { ${selection(types, 'Loan')} } }`;
  const amountsOfLoan = async (id: string) => {
    const data = await gql<{ loan: unknown }>(loanQuery(), { id });
    return amountsOf(types, 'Loan', data.loan, 'loan', []);
  };

  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_money_scale' });
    g = given(svc);
    types = typesOf(typeDefs);
    await g.customer('c-scale');
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  it('selects the amounts of the schedule, repayments, payoff quote, snapshots, collateral and guarantors', () => {
    const q = loanQuery();
    for (const part of [
      'schedule {',
      'scheduleVersion(version: 1) {',
      'repayments(first: 50) {',
      'payoffQuote {',
      'delinquencyHistory(first: 50) {',
      'collateral {',
      'guarantors {',
      'disbursementFee {',
      'penalty',
      'penaltyPaid',
      'overdueAmount',
    ])
      expect(q).toContain(part);
  });

  for (const c of [
    { currency: 'KWD', scale: 3, principal: '1200.000', min: '100.000', max: '5000.000', value: '2500.000', extra: '100.000' },
    { currency: 'XOF', scale: 2, principal: '1200000', min: '100000', max: '50000000', value: '2500000', extra: '100000' },
  ]) {
    it(`${c.currency}: every amount has ${c.scale} decimals, zeros included`, async () => {
      const shape = new RegExp(`^-?\\d+\\.\\d{${c.scale}}$`);
      await g.product({
        code: `SCALE-${c.currency}`,
        currency: c.currency,
        minPrincipal: c.min,
        maxPrincipal: c.max,
        penaltyRate: '0.365',
        graceDays: 0,
        overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS',
        disbursementFeeRate: '0.01',
      });
      await businessDate('2024-01-10');
      const input = { customerId: 'c-scale', productCode: `SCALE-${c.currency}`, principal: c.principal, annualRate: '0.12', termCount: 4, purpose: 'Stock' };
      // An application: nothing outstanding yet.
      const applied = (await g.apply(input)).loan?.id ?? '';
      const id = await g.activeLoan('c-scale', `SCALE-${c.currency}`, input);

      const added = await gql<{ addCollateral: { collateral: { id: string } | null; userErrors: unknown[] } }>(
        ADD_COLLATERAL,
        { i: { loanId: id, type: 'VEHICLE', description: 'Van', value: c.value, valuedOn: '2024-01-10' } },
        manager,
      );
      expect(added.addCollateral.userErrors).toEqual([]);
      const revalued = await gql<{ revalueCollateral: { userErrors: unknown[] } }>(
        REVALUE,
        { i: { collateralId: added.addCollateral.collateral?.id, value: c.extra, valuedOn: '2024-01-10' } },
        manager,
      );
      expect(revalued.revalueCollateral.userErrors).toEqual([]);
      const guarantor = await gql<{ addGuarantor: { userErrors: unknown[] } }>(
        GUARANTOR,
        { i: { loanId: id, name: 'Guarantor', relationship: 'brother', guaranteedAmount: c.extra } },
        manager,
      );
      expect(guarantor.addGuarantor.userErrors).toEqual([]);

      const schedule = async () =>
        (
          await gql<{ loan: { schedule: { total: string; outstanding: string }[] } }>(`query($id: ID!) { loan(id: $id) { schedule { total outstanding } } }`, {
            id,
          })
        ).loan.schedule;
      // Instalment 1 on its due date, then the close of that day: nothing overdue.
      await businessDate('2024-02-10');
      await pay(id, (await schedule())[0]?.outstanding ?? '');
      await closeDay('2024-02-10');
      // A prepayment: instalment 2 and more, the rest re-amortised (a new schedule version).
      await businessDate('2024-02-20');
      const two = (await schedule())[1]?.outstanding ?? '';
      const prepaid = (Number(two) + Number(c.extra)).toFixed(c.currency === 'KWD' ? 3 : 0);
      await pay(id, prepaid);
      // Instalment 3 missed: the close of 20 Apr accrues its penalty (instalment 4 not yet due: zero).
      await businessDate('2024-04-20');
      await closeDay('2024-04-20');
      // A partial payment, reversed: every standing repayment re-allocated.
      const partial = await pay(id, c.extra);
      const reversed = await gql<{ reverseRepayment: { userErrors: unknown[] } }>(
        REVERSE,
        { input: { repaymentId: partial, reason: 'Cheque bounced' } },
        manager,
      );
      expect(reversed.reverseRepayment.userErrors).toEqual([]);

      const amounts = await amountsOfLoan(id);
      // the paths above reached what they were meant to: a second schedule version, penalties, snapshots, two valuations
      const paths = amounts.map(([p]) => p.replace(/\[\d+\]/g, '[]'));
      for (const p of [
        'loan.schedule[].penalty',
        'loan.scheduleVersion[].penaltyPaid',
        'loan.repayments.edges[].node.prepaidPrincipal',
        'loan.payoffQuote.penalty',
        'loan.delinquencyHistory.edges[].node.overdueAmount',
        'loan.collateral.edges[].node.currentValue.amount',
        'loan.guarantors.edges[].node.guaranteedAmount.amount',
        'loan.disbursementFee.amount',
      ])
        expect(paths).toContain(p);
      const loan = await gql<{ loan: { currentScheduleVersion: number; schedule: { penalty: string }[] } }>(
        `query($id: ID!) { loan(id: $id) { currentScheduleVersion schedule { penalty } } }`,
        { id },
      );
      expect(loan.loan.currentScheduleVersion).toBe(2);
      // a zero penalty (instalment 4) and a real one (instalment 3)
      expect(loan.loan.schedule.map((i) => Number(i.penalty) > 0)).toEqual([false, false, true, false]);
      expect(amounts.filter(([, v]) => !shape.test(v))).toEqual([]);

      // Every money field of every event about the loan (applied, disbursed, repaid, instalments paid, reversed, overdue,
      // collateral, guarantor...) at the same scale: "1700.00" XOF, as the API writes it, never "1700" beside it.
      const events = (await svc.db.selectFrom('event_outbox').select(['type', 'event']).execute())
        .map((r) => ({ type: r.type, data: (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data as Record<string, unknown> }))
        .filter((e) => e.data?.loanId === id);
      const money = events.flatMap((e) => {
        const definition = definitionOfType(e.type);
        expect(definition, e.type).toBeDefined();
        return definition ? moneyOfEvent(definition.data, e.data, e.type) : [];
      });
      for (const type of ['LoanDisbursed', 'RepaymentRecorded', 'InstalmentPaid', 'RepaymentReversed'])
        expect(money.map(([p]) => p).some((p) => p.startsWith(`crm.credit.${type}.`))).toBe(true);
      expect(money.map(([p]) => p)).toContain('crm.credit.InstalmentPaid.v1.interestPaid');
      expect(money.filter(([, v]) => !shape.test(v))).toEqual([]);

      // The application: nothing outstanding, at the currency's scale too.
      const pending = await amountsOfLoan(applied);
      expect(pending.map(([p]) => p)).toContain('loan.outstandingPrincipal.amount');
      expect(pending.filter(([, v]) => !shape.test(v))).toEqual([]);
    }, 120_000);
  }
});
