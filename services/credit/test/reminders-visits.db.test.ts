import { catalogue, createEvent, type EventInput, topicOf } from '@crm/events';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { eventsOf, given, type UserErrorShape } from './given.ts';

const SET_DAYS = `mutation($input: SetLoanProductReminderDaysInput!) { setLoanProductReminderDays(input: $input) {
  product { code dueReminderDays } userErrors { field code } } }`;
const WARNINGS = `query($id: ID!) { loan(id: $id) { riskWarnings(openOnly: true) { edges { node { ruleCode severity indicators } } } } }`;

describe('issue 15 in credit: due-reminder lead days per product, visit outcomes feeding the early-warning rules', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  let weekAhead = '';
  let threeDays = '';

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-01-31T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_reminders' });
    g = given(svc);
    await g.customer('c-rem');
    await g.product({ code: 'REM-7' });
    await g.product({ code: 'REM-3' });
    // monthly from 31 Jan 2024: the first instalment falls due on 29 Feb
    weekAhead = await g.activeLoan('c-rem', 'REM-7', {}, '2024-01-31');
    threeDays = await g.activeLoan('c-rem', 'REM-3', {}, '2024-01-31');
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  /** The end-of-day run of a date; its count of due reminders sent. */
  const endOfDay = async (asOf: string) => (await svc.jobs.run('end-of-day', asOf)).dueReminders;

  it('sets a product’s lead (administrators), refusing an unknown product or a lead out of range, audited', async () => {
    type R = { setLoanProductReminderDays: { product: { code: string; dueReminderDays: number } | null; userErrors: UserErrorShape[] } };
    const ok = await svc.graphql<R>(SET_DAYS, { input: { productCode: 'REM-7', dueReminderDays: 7 } }, staff.admin);
    expect(ok.data?.setLoanProductReminderDays).toEqual({ product: { code: 'REM-7', dueReminderDays: 7 }, userErrors: [] });
    const far = await svc.graphql<R>(SET_DAYS, { input: { productCode: 'REM-3', dueReminderDays: 61 } }, staff.admin);
    expect(far.data?.setLoanProductReminderDays).toEqual({ product: null, userErrors: [{ field: 'dueReminderDays', code: 'OUT_OF_RANGE' }] });
    const unknown = await svc.graphql<R>(SET_DAYS, { input: { productCode: 'NOPE', dueReminderDays: 5 } }, staff.admin);
    expect(unknown.data?.setLoanProductReminderDays.userErrors).toEqual([{ field: 'productCode', code: 'PRODUCT_NOT_FOUND' }]);
    const officer = await svc.graphql<R>(SET_DAYS, { input: { productCode: 'REM-3', dueReminderDays: 5 } }, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const products = await svc.graphql<{ loanProducts: { code: string; dueReminderDays: number }[] }>(
      `{ loanProducts { code dueReminderDays } }`,
      {},
      staff.officer,
    );
    expect(products.data?.loanProducts.filter((p) => p.code.startsWith('REM-'))).toEqual([
      { code: 'REM-3', dueReminderDays: 3 },
      { code: 'REM-7', dueReminderDays: 7 },
    ]);
    const audit = await svc.db.selectFrom('audit_log').select(['outcome']).where('action', '=', 'setLoanProductReminderDays').orderBy('occurred_at').execute();
    expect(audit.map((a) => a.outcome)).toEqual(['SUCCEEDED', 'REJECTED', 'REJECTED', 'FORBIDDEN']);
  });

  it('sends InstalmentDue each product’s lead days before the due date, once per instalment', async () => {
    vi.setSystemTime(new Date('2024-02-27T09:00:00Z'));
    expect(await endOfDay('2024-02-21')).toBe(0);
    expect(await endOfDay('2024-02-22')).toBe(1);
    expect(await eventsOf(svc, weekAhead)).toContain('InstalmentDue');
    expect(await eventsOf(svc, threeDays)).not.toContain('InstalmentDue');
    expect(await endOfDay('2024-02-25')).toBe(0);
    expect(await endOfDay('2024-02-26')).toBe(1);
    expect((await eventsOf(svc, threeDays)).filter((t) => t === 'InstalmentDue')).toHaveLength(1);
    expect((await eventsOf(svc, weekAhead)).filter((t) => t === 'InstalmentDue')).toHaveLength(1);
  });

  it('raises FUND_USE_DEVIATION and VISIT_CONCERN from a post-loan visit, with its findings, once', async () => {
    const deliver = async (data: EventInput<'VisitOutcomeRecorded'>, id?: string) => {
      const event = createEvent('VisitOutcomeRecorded', { subject: data.customerId, data, ...(id ? { id } : {}) });
      const message = { topic: topicOf(catalogue.VisitOutcomeRecorded.producer), key: data.customerId, value: JSON.stringify(event) };
      await svc.consumer.handle(message);
      return () => svc.consumer.handle(message);
    };
    const fine = {
      customerId: 'c-rem',
      loanId: threeDays,
      visitedOn: '2024-02-20',
      customerMet: true,
      recordedBy: 'officer-1',
      recordedAt: '2024-02-20T15:00:00.000Z',
    };
    await deliver({ ...fine, taskId: 'visit-ok', businessOperating: true, fundUseAsDeclared: true, concerns: [] });
    const warnings = async (loanId: string) =>
      (
        await svc.graphql<{ loan: { riskWarnings: { edges: { node: { ruleCode: string; severity: string; indicators: string } }[] } } }>(
          WARNINGS,
          { id: loanId },
          staff.officer,
        )
      ).data?.loan.riskWarnings.edges
        .map((e) => e.node)
        .filter((w) => w.ruleCode === 'FUND_USE_DEVIATION' || w.ruleCode === 'VISIT_CONCERN') ?? [];
    expect(await warnings(threeDays)).toEqual([]);

    const redeliver = await deliver({
      ...fine,
      taskId: 'visit-bad',
      businessOperating: false,
      fundUseAsDeclared: false,
      concerns: ['OTHER_DEBTS', 'STOCK_OR_ASSETS_MISSING'],
    });
    await redeliver();
    await deliver({ ...fine, taskId: 'visit-bad-2', visitedOn: '2024-02-21', businessOperating: false, fundUseAsDeclared: false, concerns: [] });
    const raised = await warnings(threeDays);
    expect(raised.map((w) => [w.ruleCode, w.severity])).toEqual(
      expect.arrayContaining([
        ['FUND_USE_DEVIATION', 'HIGH'],
        ['VISIT_CONCERN', 'MEDIUM'],
      ]),
    );
    expect(raised).toHaveLength(2);
    expect(JSON.parse(raised.find((w) => w.ruleCode === 'VISIT_CONCERN')?.indicators ?? '{}')).toEqual({
      source: 'POST_LOAN_VISIT',
      visitTaskId: 'visit-bad',
      visitedOn: '2024-02-20',
      customerMet: true,
      businessOperating: false,
      fundUseAsDeclared: false,
      concerns: 'OTHER_DEBTS, STOCK_OR_ASSETS_MISSING',
      declaredPurpose: 'Stock for the shop',
    });
    expect((await eventsOf(svc, threeDays)).filter((t) => t === 'RiskWarningRaised')).toHaveLength(2);
  });
});
