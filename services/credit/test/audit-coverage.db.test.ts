import { type Identity, subgraphSdl } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { type FieldDefinitionNode, Kind, parse, type TypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager, riskOfficer } from './given.ts';

/** Every Mutation field of the SDL, with the named type of its `input` argument. */
function mutationsOfSchema(): { name: string; inputType: string }[] {
  // schema.graphql and the area files of src/schema/ (extend type Mutation), as the runtime loads them
  const doc = parse(subgraphSdl(new URL('../src/schema.graphql', import.meta.url)));
  const fields: FieldDefinitionNode[] = [];
  for (const def of doc.definitions) {
    if ((def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) && def.name.value === 'Mutation')
      fields.push(...(def.fields ?? []));
  }
  const typeName = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : typeName(t.type));
  return fields.map((f) => {
    const input = f.arguments?.find((a) => a.name.value === 'input');
    if (!input) throw new Error(`Mutation.${f.name.value} takes no input argument: give it a case below by hand`);
    return { name: f.name.value, inputType: typeName(input.type) };
  });
}

const officer: Identity = staff.officer;
const admin: Identity = staff.admin;

/** One valid call: who calls, the input (may use what earlier cases made), what to select of the payload. */
type Case = { as: Identity; input: () => Promise<Record<string, unknown>>; select?: string; action?: string };

describe('every credit mutation leaves an audit record of its own', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  /** Loans made in beforeAll: one serviced by most cases, one to restructure, one to close, one to write off. */
  const loans = { main: '', restructure: '', close: '', writeOff: '' };
  const results = new Map<string, Record<string, unknown>>();
  const idOf = (name: string, path: string[]): string => {
    const found = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | null | undefined)?.[k], results.get(name));
    if (typeof found !== 'string') throw new Error(`${name} gave no ${path.join('.')}`);
    return found;
  };

  /** One valid call per mutation, in order; a mutation added to the schema without a case here fails the first test. */
  const cases: Record<string, Case> = {
    createLoanProduct: {
      as: admin,
      input: async () => ({
        code: 'AUD-NEW',
        name: 'Audited product',
        type: 'CONSUMER',
        currency: 'USD',
        minPrincipal: '100.00',
        maxPrincipal: '5000.00',
        minRate: '0.05',
        maxRate: '0.30',
        minTerm: 3,
        maxTerm: 12,
        frequency: 'MONTHLY',
        amortisation: 'EQUAL_PRINCIPAL',
        penaltyRate: '0.10',
        graceDays: 0,
        overpaymentPolicy: 'REFUSE',
      }),
    },
    applyForLoan: {
      as: officer,
      input: async () => ({ customerId: 'aud-c', productCode: 'AUD', principal: '1200.00', annualRate: '0.12', termCount: 3, purpose: 'Stock' }),
      select: 'loan { id }',
    },
    approveLoan: { as: manager, input: async () => ({ loanId: idOf('applyForLoan', ['loan', 'id']) }) },
    disburseLoan: { as: officer, input: async () => ({ loanId: idOf('applyForLoan', ['loan', 'id']) }) },
    recordRepayment: {
      as: officer,
      input: async () => ({ loanId: loans.main, amount: '408.03', paidOn: '2026-02-10', channel: 'CASH', externalReference: 'aud-r1' }),
      select: 'repayment { id }',
    },
    reverseRepayment: {
      as: riskOfficer,
      input: async () => ({ repaymentId: idOf('recordRepayment', ['repayment', 'id']), reason: 'Cheque bounced' }),
    },
    // a job run is audited under the job's name (`job:<name>`, service-kit jobs), by the caller who asked for it
    runEndOfDay: { as: riskOfficer, input: async () => ({ asOf: '2026-02-20' }), action: 'job:end-of-day' },
    runCreditJob: { as: admin, input: async () => ({ job: 'RISK_WARNING_ESCALATION', asOf: '2026-02-20' }), action: 'job:risk-warning-escalation' },
    overrideRiskClass: { as: riskOfficer, input: async () => ({ loanId: loans.main, riskClass: 'SPECIAL_MENTION', reason: 'Market closed' }) },
    setRiskClassThresholds: {
      as: admin,
      input: async () => ({
        thresholds: [
          { riskClass: 'NORMAL', minDaysPastDue: 0 },
          { riskClass: 'SPECIAL_MENTION', minDaysPastDue: 31 },
          { riskClass: 'SUBSTANDARD', minDaysPastDue: 91 },
          { riskClass: 'DOUBTFUL', minDaysPastDue: 181 },
          { riskClass: 'LOSS', minDaysPastDue: 361 },
        ],
      }),
    },
    updateRiskWarningRule: { as: admin, input: async () => ({ code: 'DPD_OVER_30', threshold: '45', severity: 'HIGH' }) },
    addCollateral: {
      as: officer,
      input: async () => ({ loanId: loans.main, type: 'VEHICLE', description: 'Delivery van', value: '3000.00', valuedOn: '2026-01-10' }),
      select: 'collateral { id }',
    },
    revalueCollateral: {
      as: officer,
      input: async () => ({ collateralId: idOf('addCollateral', ['collateral', 'id']), value: '2800.00', valuedOn: '2026-02-01' }),
    },
    addGuarantor: { as: officer, input: async () => ({ loanId: loans.main, name: 'Jane Guarantor', relationship: 'SPOUSE', guaranteedAmount: '500.00' }) },
    recordCreditReview: {
      as: officer,
      input: async () => ({ loanId: loans.main, reviewedOn: '2026-02-15', rating: 'WATCH', findings: 'Stock bought, some diverted', fundUseAsDeclared: false }),
    },
    updateRiskWarning: {
      as: officer,
      input: async () => {
        const w = await svc.db.selectFrom('risk_warning').select('id').where('loan_id', '=', loans.main).executeTakeFirstOrThrow();
        return { warningId: w.id, action: 'ACKNOWLEDGE', note: 'Visiting the shop' };
      },
    },
    requestRestructuring: {
      as: officer,
      input: async () => ({ loanId: loans.restructure, kind: 'PAYMENT_HOLIDAY', instalments: 1, effectiveOn: '2026-02-20', reason: 'Harvest failed' }),
      select: 'restructuring { id }',
    },
    decideRestructuring: { as: manager, input: async () => ({ restructuringId: idOf('requestRestructuring', ['restructuring', 'id']), approve: true }) },
    setIndustryWatchList: { as: riskOfficer, input: async () => ({ industries: ['MINING'] }) },
    // issue 15: due-reminder lead days per product
    setLoanProductReminderDays: { as: admin, input: async () => ({ productCode: 'AUD', dueReminderDays: 5 }), select: 'product { code }' },
    setApprovalPolicy: { as: admin, input: async () => ({ currency: 'USD', secondApprovalAbove: '25000.00', writeOffAdministratorAbove: '10000.00' }) },
    closeLoan: { as: officer, input: async () => ({ loanId: loans.close }) },
    writeOffLoan: { as: riskOfficer, input: async () => ({ loanId: loans.writeOff, reason: 'Borrower left the country' }) },
    // last: the business date moves (demos and tests), then close of business runs end of day for it
    // issue 15: crisis measures (declared by one person, decided by another) and warning outcomes
    declareCrisisMeasure: {
      as: riskOfficer,
      input: async () => ({
        name: 'Audit relief',
        kind: 'PENALTY_WAIVER',
        reason: 'Floods',
        scope: { branchIds: ['BR-001'] },
        waiverFrom: '2026-02-01',
        waiverTo: '2026-02-28',
      }),
      select: 'measure { id }',
    },
    decideCrisisMeasure: { as: admin, input: async () => ({ measureId: idOf('declareCrisisMeasure', ['measure', 'id']), approve: true }) },
    recordRiskWarningOutcome: {
      as: officer,
      input: async () => {
        const w = await svc.db.selectFrom('risk_warning').select('id').where('loan_id', '=', loans.main).executeTakeFirstOrThrow();
        await svc.graphql(
          `mutation($i: UpdateRiskWarningInput!) { updateRiskWarning(input: $i) { userErrors { code } } }`,
          {
            i: { warningId: w.id, action: 'RESOLVE', note: 'Stock bought since' },
          },
          officer,
        );
        return { warningId: w.id, outcome: 'CURED' };
      },
    },
    setBusinessDate: { as: admin, input: async () => ({ date: '2026-03-01' }), select: 'businessDate { date }' },
    closeBusinessDay: { as: riskOfficer, input: async () => ({ businessDate: '2026-03-01' }), select: 'businessDate { date }' },
  };

  /** Records a command (or a job run) wrote; the access layer's fallback for a mutation that wrote none names no entity and does not count. */
  const commandRecords = async (action: string, actorId: string) =>
    svc.db
      .selectFrom('audit_log')
      .select(['id', 'entity_type', 'entity_id', 'outcome'])
      .where('action', '=', action)
      .where('actor_id', '=', actorId)
      .where('outcome', '=', 'SUCCEEDED')
      .where('entity_type', 'is not', null)
      .where('entity_id', 'is not', null)
      .orderBy('seq')
      .execute();

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_audit_coverage' });
    g = given(svc);
    await g.customer('aud-c', { branchId: 'BR-001' });
    await g.product({ code: 'AUD', graceDays: 0, penaltyRate: '0' });
    loans.main = await g.activeLoan('aud-c', 'AUD', {}, '2026-01-10');
    loans.restructure = await g.activeLoan('aud-c', 'AUD', { principal: '1000.00' }, '2026-01-10');
    loans.close = await g.activeLoan('aud-c', 'AUD', { principal: '300.00' }, '2026-01-10');
    loans.writeOff = await g.activeLoan('aud-c', 'AUD', { principal: '500.00' }, '2026-01-10');
    // A loan repaid in full that stayed ACTIVE (the state closeLoan exists for).
    vi.setSystemTime(new Date('2026-04-10T09:00:00Z'));
    const owed = await svc.db
      .selectFrom('instalment')
      .select((eb) => eb.fn.sum<string>(eb('principal', '+', eb.ref('interest'))).as('total'))
      .where('loan_id', '=', loans.close)
      .executeTakeFirstOrThrow();
    const paid = await g.repay({ loanId: loans.close, amount: owed.total, paidOn: '2026-04-10', channel: 'CASH', externalReference: 'aud-close' });
    expect(paid.userErrors).toEqual([]);
    vi.setSystemTime(new Date('2026-03-01T09:00:00Z'));
    await svc.db.updateTable('loan').set({ status: 'ACTIVE', closed_on: null }).where('id', '=', loans.close).execute();
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  const mutations = mutationsOfSchema();

  it('has a case for every Mutation field of the schema', () => {
    expect(mutations.length).toBeGreaterThan(10);
    expect(mutations.map((m) => m.name).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const name of Object.keys(cases)) {
    it(`${name} writes an audit record with the caller's user id, the action and an entity`, async () => {
      const m = mutations.find((x) => x.name === name);
      if (!m) throw new Error(`${name} is not a Mutation field of the schema`);
      const c = cases[name];
      if (!c) throw new Error(`No audit case for Mutation.${name}`);
      const input = await c.input();
      const action = c.action ?? name;
      const before = (await commandRecords(action, c.as.userId)).length;
      const res = await svc.graphql<Record<string, Record<string, unknown> & { userErrors: unknown[] }>>(
        `mutation($input: ${m.inputType}!) { ${name}(input: $input) { ${c.select ?? ''} userErrors { field code message } } }`,
        { input },
        c.as,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.[name]?.userErrors).toEqual([]);
      results.set(name, res.data?.[name] ?? {});
      const after = await commandRecords(action, c.as.userId);
      expect(after.length).toBe(before + 1);
      expect(after.at(-1)?.entity_type).toBeTruthy();
      expect(after.at(-1)?.entity_id).toBeTruthy();
    });
  }
});
