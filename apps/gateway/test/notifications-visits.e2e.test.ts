/**
 * Issue 15 through the gateway, with no event injected by hand: a loan disbursed in credit, its
 * end-of-day run sending InstalmentDue its product's reminder days ahead, engagement queueing the
 * due reminders and sending them through the logging adapter (one suppressed for want of
 * consent), the monitoring cadence planning a visit and a review (and, edited, moving credit's
 * review due date: one source), and a visit's outcome reaching credit's early-warning rules. Every effect travels over the configured transport (in-process,
 * or Kafka in the real-infrastructure run).
 */
import { type Identity, isoDate } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

type Errors = { field: string | null; code: string }[];
const manager: Identity = { userId: 'bm-nv', roles: ['branch_manager'], branchId: 'BR-NV' };

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const CONSENT = `mutation($input: SetCustomerConsentInput!) { setCustomerConsent(input: $input) { userErrors { field code } } }`;
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { userErrors { field code } } }`;
const REMINDER_DAYS = `mutation($input: SetLoanProductReminderDaysInput!) { setLoanProductReminderDays(input: $input) { product { dueReminderDays } userErrors { field code } } }`;
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id } userErrors { field code } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { userErrors { field code } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { status } userErrors { field code } } }`;
const END_OF_DAY = `mutation($input: RunEndOfDayInput!) { runEndOfDay(input: $input) { loansEvaluated userErrors { field code } } }`;
const ENGAGEMENT_JOB = `mutation($input: RunEngagementJobInput!) { runEngagementJob(input: $input) { counts { name value } userErrors { field code } } }`;
const NOTIFICATIONS = `query($id: ID!) { customer(id: $id) { notifications(first: 10) { edges { node {
  id kind channel language status reason deferredReason attempts providerReference loanId body } } } } }`;
const TASKS = `query($id: ID!) { customer(id: $id) { tasks(first: 20) { edges { node { id type status cadence loanId dueAt } } } } }`;
const VISIT = `mutation($input: RecordVisitOutcomeInput!) { recordVisitOutcome(input: $input) {
  task { status visitOutcome { customerMet fundUseAsDeclared concerns } } userErrors { field code } } }`;
const WARNINGS = `query($id: ID!) { loan(id: $id) { riskWarnings(openOnly: true) { edges { node { ruleCode severity indicators } } } } }`;

interface Notification {
  id: string;
  kind: string;
  channel: string;
  language: string;
  status: string;
  reason: string | null;
  deferredReason: string | null;
  attempts: number;
  providerReference: string | null;
  loanId: string | null;
  body: string | null;
}
interface Task {
  id: string;
  type: string;
  status: string;
  cadence: string | null;
  loanId: string | null;
  dueAt: string;
}

describe(`notifications and visits by risk through the gateway on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const today = isoDate(new Date());
  const customers = { consenting: '', silent: '' };
  const loans = { consenting: '', silent: '' };

  const ok = (payload: { userErrors: Errors } | undefined) => expect(payload?.userErrors).toEqual([]);
  const notificationsOf = async (customerId: string) =>
    (
      await stack.query<{ customer: { notifications: { edges: { node: Notification }[] } | null } | null }>(NOTIFICATIONS, { id: customerId })
    ).data?.customer?.notifications?.edges.map((e) => e.node) ?? [];
  const tasksOf = async (customerId: string) =>
    (await stack.query<{ customer: { tasks: { edges: { node: Task }[] } | null } | null }>(TASKS, { id: customerId })).data?.customer?.tasks?.edges.map(
      (e) => e.node,
    ) ?? [];
  const engagementJob = async (job: string) => {
    const res = await stack.query<{ runEngagementJob: { counts: { name: string; value: number }[]; userErrors: Errors } }>(
      ENGAGEMENT_JOB,
      { input: { job, asOf: today } },
      staff.admin,
    );
    expect(res.errors).toBeUndefined();
    ok(res.data?.runEngagementJob);
    return Object.fromEntries((res.data?.runEngagementJob.counts ?? []).map((c) => [c.name, c.value]));
  };

  async function register(lastName: string) {
    const res = await stack.query<{ registerCustomer: { customer: { id: string } | null; userErrors: Errors } }>(REGISTER, {
      input: {
        kind: 'INDIVIDUAL',
        branchId: 'BR-NV',
        relationshipManagerId: 'officer-nv',
        individual: { firstName: 'Kofi', lastName, birthDate: '1980-05-17' },
        contact: { phone: '+233 20 000 0000' },
      },
    });
    ok(res.data?.registerCustomer);
    return res.data?.registerCustomer.customer?.id ?? '';
  }

  async function disbursedLoan(customerId: string) {
    const applied = await stack.query<{ applyForLoan: { loan: { id: string } | null; userErrors: Errors } }>(APPLY, {
      input: { customerId, productCode: 'NV-MONTHLY', principal: '3000.00', annualRate: '0.24', termCount: 6, purpose: 'Stock for the shop' },
    });
    ok(applied.data?.applyForLoan);
    const loanId = applied.data?.applyForLoan.loan?.id ?? '';
    ok((await stack.query<{ approveLoan: { userErrors: Errors } }>(APPROVE, { input: { loanId } }, manager)).data?.approveLoan);
    const disbursed = await stack.query<{ disburseLoan: { loan: { status: string } | null; userErrors: Errors } }>(DISBURSE, { input: { loanId } });
    expect(disbursed.data?.disburseLoan).toEqual({ loan: { status: 'ACTIVE' }, userErrors: [] });
    return loanId;
  }

  beforeAll(async () => {
    stack = await startTestStack();
    // whatever the hour of the run: no quiet hours, no contact hours for collection reminders
    const settings = await stack.query<{ updateNotificationSettings: { userErrors: Errors } }>(
      `mutation { updateNotificationSettings(input: { quietHoursStart: "00:00", quietHoursEnd: "00:00" }) { userErrors { field code } } }`,
      {},
      staff.admin,
    );
    ok(settings.data?.updateNotificationSettings);
    ok(
      (
        await stack.query<{ setContactRules: { userErrors: Errors } }>(
          `mutation { setContactRules(input: { hours: [] }) { userErrors { field code } } }`,
          {},
          staff.admin,
        )
      ).data?.setContactRules,
    );

    customers.consenting = await register('Mensah');
    customers.silent = await register('Owusu');
    ok(
      (
        await stack.query<{ setCustomerConsent: { userErrors: Errors } }>(CONSENT, {
          input: { customerId: customers.consenting, purpose: 'MARKETING_CONTACT', granted: true, channel: 'BRANCH' },
        })
      ).data?.setCustomerConsent,
    );
    const product = await stack.query<{ createLoanProduct: { userErrors: Errors } }>(
      PRODUCT,
      {
        input: {
          code: 'NV-MONTHLY',
          name: 'Shop stock monthly',
          type: 'MICRO_BUSINESS',
          currency: 'GHS',
          minPrincipal: '500',
          maxPrincipal: '50000',
          minRate: '0.10',
          maxRate: '0.40',
          minTerm: 3,
          maxTerm: 12,
          frequency: 'MONTHLY',
          amortisation: 'EQUAL_PRINCIPAL',
          penaltyRate: '0.20',
          graceDays: 3,
          overpaymentPolicy: 'REFUSE',
        },
      },
      staff.admin,
    );
    ok(product.data?.createLoanProduct);
    // the first instalment falls due a month after today: a 40-day lead reminds of it from today
    const lead = await stack.query<{ setLoanProductReminderDays: { product: { dueReminderDays: number } | null; userErrors: Errors } }>(
      REMINDER_DAYS,
      { input: { productCode: 'NV-MONTHLY', dueReminderDays: 40 } },
      staff.admin,
    );
    expect(lead.data?.setLoanProductReminderDays).toEqual({ product: { dueReminderDays: 40 }, userErrors: [] });
    // engagement must know both customers (their branch, contact, consent) before it plans anything for them
    await eventually(async () => ((await tasksOf(customers.consenting)).length && (await tasksOf(customers.silent)).length ? true : undefined), 45_000);
    loans.consenting = await disbursedLoan(customers.consenting);
    loans.silent = await disbursedLoan(customers.silent);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('queues the due reminders of the end-of-day run and sends them through the logging adapter, suppressing the one without consent', async () => {
    const eod = await stack.query<{ runEndOfDay: { loansEvaluated: number; userErrors: Errors } }>(END_OF_DAY, { input: { asOf: today } }, staff.admin);
    ok(eod.data?.runEndOfDay);
    expect(eod.data?.runEndOfDay.loansEvaluated).toBeGreaterThanOrEqual(2);
    const queued = await eventually(async () => {
      const [a, b] = [await notificationsOf(customers.consenting), await notificationsOf(customers.silent)];
      return a.length && b.length ? { a, b } : undefined;
    }, 60_000);
    expect(queued.a.map((n) => [n.kind, n.channel, n.language, n.status, n.loanId])).toEqual([['DUE_REMINDER', 'SMS', 'en', 'QUEUED', loans.consenting]]);
    expect(queued.a[0]?.body).toMatch(/^Dear Kofi Mensah, instalment 1 of your loan, \d+\.\d{2} GHS, is due on \d{4}-\d{2}-\d{2}\.$/);

    const counts = await engagementJob('NOTIFICATION_DISPATCH');
    expect(counts.sent).toBeGreaterThanOrEqual(1);
    expect(counts.suppressed).toBeGreaterThanOrEqual(1);
    const [sent] = await notificationsOf(customers.consenting);
    expect(sent).toMatchObject({ kind: 'DUE_REMINDER', status: 'SENT', reason: null, attempts: 1, providerReference: `log:${sent?.id}` });
    const [suppressed] = await notificationsOf(customers.silent);
    expect(suppressed).toMatchObject({ kind: 'DUE_REMINDER', status: 'SUPPRESSED', reason: 'NO_CONSENT', attempts: 0, providerReference: null });

    // the top-level list with filters, as a branch manager of the customers' branch
    const listed = await stack.query<{ notifications: { edges: { node: { status: string; customer: { id: string } } }[]; totalCount: number } }>(
      `query { notifications(filter: { branchId: "BR-NV", kind: [DUE_REMINDER], status: [SUPPRESSED] }) { edges { node { status customer { id } } } totalCount } }`,
      {},
      manager,
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data?.notifications.edges.map((e) => e.node.customer.id)).toEqual([customers.silent]);
  }, 150_000);

  it('plans the visit and review by the cadence, and a visit’s outcome reaches credit’s early-warning rules', async () => {
    // the post-loan visit planned at disbursement: done with its outcome, funds not used as declared
    const first = await eventually(
      async () => (await tasksOf(customers.consenting)).find((t) => t.type === 'POST_LOAN_VISIT' && t.loanId === loans.consenting),
      45_000,
    );
    expect(first.cadence).toBeNull();
    const visit = await stack.query<{ recordVisitOutcome: { task: { status: string; visitOutcome: unknown } | null; userErrors: Errors } }>(VISIT, {
      input: {
        taskId: first.id,
        visitedOn: today,
        customerMet: true,
        businessOperating: true,
        fundUseAsDeclared: false,
        concerns: ['OTHER_DEBTS'],
        note: 'Paid school fees',
      },
    });
    expect(visit.data?.recordVisitOutcome).toEqual({
      task: { status: 'DONE', visitOutcome: { customerMet: true, fundUseAsDeclared: false, concerns: ['OTHER_DEBTS'] } },
      userErrors: [],
    });
    const warnings = await eventually(async () => {
      const w = (
        await stack.query<{ loan: { riskWarnings: { edges: { node: { ruleCode: string; severity: string; indicators: string } }[] } } | null }>(WARNINGS, {
          id: loans.consenting,
        })
      ).data?.loan?.riskWarnings.edges.map((e) => e.node);
      return w?.some((x) => x.ruleCode === 'FUND_USE_DEVIATION') && w.some((x) => x.ruleCode === 'VISIT_CONCERN') ? w : undefined;
    }, 60_000);
    const fundUse = warnings.find((w) => w.ruleCode === 'FUND_USE_DEVIATION');
    expect(JSON.parse(fundUse?.indicators ?? '{}')).toMatchObject({
      source: 'POST_LOAN_VISIT',
      visitTaskId: first.id,
      fundUseAsDeclared: false,
      declaredPurpose: 'Stock for the shop',
    });

    // credit's review due date comes from the same cadence (its replica of engagement's table): yearly until edited
    const reviewDue = async () =>
      (await stack.query<{ loan: { nextReviewDue: string | null } | null }>(`query($id: ID!) { loan(id: $id) { nextReviewDue } }`, { id: loans.consenting }))
        .data?.loan?.nextReviewDue;
    const dayText = (offset: number) => isoDate(new Date(new Date(`${today}T00:00:00.000Z`).getTime() + offset * 86_400_000));
    expect(await reviewDue()).toBe(dayText(365));
    // a cadence of a visit every 7 days and a review every 10: both fall within the 14 days planned ahead
    const bands = ['NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS'].map((riskClass) => ({
      riskClass,
      minPrincipal: '0',
      visitEveryDays: 7,
      reviewEveryDays: 10,
    }));
    ok(
      (
        await stack.query<{ setMonitoringCadence: { userErrors: Errors } }>(
          `mutation($input: SetMonitoringCadenceInput!) { setMonitoringCadence(input: $input) { userErrors { field code } } }`,
          { input: { bands } },
          staff.admin,
        )
      ).data?.setMonitoringCadence,
    );
    // MonitoringCadenceChanged reaches credit: the loan's next review is due 10 days after its disbursement
    await eventually(async () => ((await reviewDue()) === dayText(10) ? true : undefined), 60_000);
    const planned = await engagementJob('MONITORING_PLAN');
    expect(planned.visitsPlanned).toBeGreaterThanOrEqual(1);
    expect(planned.reviewsPlanned).toBeGreaterThanOrEqual(2);
    const tasks = (await tasksOf(customers.consenting)).filter((t) => t.loanId === loans.consenting && t.cadence);
    const day = (offset: number) => new Date(new Date(`${today}T00:00:00.000Z`).getTime() + (offset + 1) * 86_400_000).toISOString();
    expect(tasks.map((t) => [t.type, t.cadence, t.status, new Date(t.dueAt).toISOString()]).sort()).toEqual([
      ['CREDIT_REVIEW', 'REVIEW', 'OPEN', day(10)],
      ['POST_LOAN_VISIT', 'VISIT', 'OPEN', day(7)],
    ]);
    // the silent customer's first visit is still open: only its review is planned
    expect((await tasksOf(customers.silent)).filter((t) => t.cadence).map((t) => t.cadence)).toEqual(['REVIEW']);
  }, 150_000);
});
