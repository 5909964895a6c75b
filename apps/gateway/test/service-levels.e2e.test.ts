import type { Identity } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

/**
 * Issue 15, "from records to an operating rhythm": service levels by grade and need, and contact
 * limits, end to end through the gateway. Grades come from customers' grade evaluation (thresholds
 * lowered by an administrator so a new customer qualifies as VIP), special care from
 * setCustomerSpecialCare; engagement learns both from the events and shapes the tasks planned from
 * credit's disbursements, the complaint SLA, the worklist order and its explanation, and refuses a
 * collection call over the limit until a branch manager overrides it with a reason.
 *
 * Only Date is faked (it keeps ticking): the day is Tuesday 3 March 2026, 10:00 UTC, inside the
 * default collection hours (Monday-Saturday, 08:00-20:00 UTC). This file keeps the fake clock on
 * purpose, for all its cases: what it tests is computed from the wall clock at the moment of
 * creation, not from a business date (a planned task's due time shortened from when it is planned
 * and fitted into the contact hours, the contact limit counted back from now, the complaint SLA from
 * its receipt), so it needs a known weekday and time of day. No job in it runs for a date after
 * today: credit's business date (issue 10), which the other e2e files use instead of faking the
 * clock, has nothing to replace here.
 */
const NOW = new Date('2026-03-03T10:00:00Z');
const TODAY = '2026-03-03';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const WAIT = 45_000;

const officer: Identity = { userId: 'officer-sle', roles: ['loan_officer'], branchId: 'BR-SLE' };
const manager: Identity = { userId: 'bm-sle', roles: ['branch_manager'], branchId: 'BR-SLE' };
const riskOfficer: Identity = { userId: 'risk-sle', roles: ['risk_officer'], branchId: 'BR-SLE' };
const admin = staff.admin;

type Errors = { field: string | null; code: string }[];
type Factor = { factor: string; points: number; reason: string };
type TaskNode = {
  id: string;
  type: string;
  title: string;
  priority: string;
  dueAt: string;
  status: string;
  sourceEventId: string | null;
  customer: { id: string; displayName: string };
  planning: { basePriority: string; baseDueAt: string; grade: string | null; careNeeds: string[]; duePercent: number; homeVisit: boolean } | null;
  worklistRank: { score: number; factors: Factor[] } | null;
};
const TASK_FIELDS = `id type title priority dueAt status sourceEventId customer { id displayName }
  planning { basePriority baseDueAt grade careNeeds duePercent homeVisit } worklistRank { score factors { factor points reason } }`;

describe(`service levels by grade and need, and contact limits, through the gateway on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(NOW);
    stack = await startTestStack();
    // four services and the gateway on one embedded PGlite: slow to start on a loaded machine
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    vi.useRealTimers();
  });

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, as: Identity = officer): Promise<T> => {
    const res = await stack.query<T>(query, variables, as);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  };
  const tasksOf = async (customerId: string) =>
    (
      await gql<{ tasks: { edges: { node: TaskNode }[] } }>(
        `query($c: ID!) { tasks(filter: { customerId: $c }, first: 50) { edges { node { ${TASK_FIELDS} } } } }`,
        { c: customerId },
      )
    ).tasks.edges.map((e) => e.node);
  const serviceLevelOf = async (customerId: string) =>
    (
      await gql<{ customer: { serviceLevel: { grade: string | null; careNeeds: string[] } | null } | null }>(
        `query($id: ID!) { customer(id: $id) { serviceLevel { grade careNeeds } } }`,
        { id: customerId },
      )
    ).customer?.serviceLevel;
  async function register(firstName: string): Promise<string> {
    const res = await gql<{ registerCustomer: { customer: { id: string } | null; userErrors: Errors } }>(
      `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`,
      {
        input: {
          kind: 'INDIVIDUAL',
          branchId: 'BR-SLE',
          relationshipManagerId: officer.userId,
          individual: { firstName, lastName: 'Service', birthDate: '1950-01-20' },
        },
      },
    );
    expect(res.registerCustomer.userErrors).toEqual([]);
    const id = res.registerCustomer.customer?.id ?? '';
    // engagement knows the customer once the welcome call is planned
    await eventually(async () => ((await tasksOf(id)).some((t) => t.type === 'WELCOME') ? true : undefined), WAIT);
    return id;
  }
  const THRESHOLDS = `mutation($input: SetCustomerGradeThresholdsInput!) { setCustomerGradeThresholds(input: $input) { userErrors { field code } } }`;
  const thresholds = (vip: string, premium: string, standard: string) =>
    gql(
      THRESHOLDS,
      {
        input: {
          thresholds: [
            { grade: 'VIP', minScore: vip },
            { grade: 'PREMIUM', minScore: premium },
            { grade: 'STANDARD', minScore: standard },
            { grade: 'BASIC', minScore: '0' },
          ],
        },
      },
      admin,
    );
  const evaluateGrades = () =>
    gql<{ runCustomersJob: { run: { job: string } | null; userErrors: Errors } }>(
      `mutation($input: RunCustomersJobInput!) { runCustomersJob(input: $input) { run { job } userErrors { field code } } }`,
      { input: { job: 'GRADE_EVALUATION', asOf: TODAY } },
      admin,
    );

  const ids = { vip: '', elderly: '', plain: '' };
  const loans: Record<string, string> = {};

  it('learns grades and special care from customers, and plans the care touch the need calls for', async () => {
    // a new customer scores about 17 (neutral repayment and satisfaction): with a floor of 10 the first evaluation makes them VIP
    await thresholds('10', '5', '2');
    ids.vip = await register('Vida');
    expect((await evaluateGrades()).runCustomersJob.userErrors).toEqual([]);
    await eventually(async () => ((await serviceLevelOf(ids.vip))?.grade === 'VIP' ? true : undefined), WAIT);
    // the usual floors again: the next customers start BASIC
    await thresholds('80', '60', '40');
    ids.elderly = await register('Efua');
    ids.plain = await register('Pape');
    expect((await evaluateGrades()).runCustomersJob.userErrors).toEqual([]);
    await eventually(
      async () => ((await serviceLevelOf(ids.plain))?.grade === 'BASIC' && (await serviceLevelOf(ids.elderly))?.grade === 'BASIC' ? true : undefined),
      WAIT,
    );

    const CARE = `mutation($input: SetCustomerSpecialCareInput!) { setCustomerSpecialCare(input: $input) { customer { specialCare { flags } } userErrors { field code } } }`;
    expect(
      (await gql<{ setCustomerSpecialCare: { userErrors: Errors } }>(CARE, { input: { customerId: ids.elderly, flags: ['ELDERLY'] } })).setCustomerSpecialCare
        .userErrors,
    ).toEqual([]);
    const visit = await eventually(async () => (await tasksOf(ids.elderly)).find((t) => t.type === 'CARE'), WAIT);
    expect(visit).toMatchObject({
      title: 'Home visit (special care: ELDERLY)',
      priority: 'HIGH',
      status: 'OPEN',
      planning: { careNeeds: ['ELDERLY'], homeVisit: true, duePercent: 100 },
    });
    // every 30 days from when the need was recorded
    expect(new Date(visit.dueAt).getTime() - NOW.getTime()).toBeGreaterThanOrEqual(30 * DAY);
    expect(new Date(visit.dueAt).getTime() - Date.now()).toBeLessThanOrEqual(30 * DAY);
    expect(await serviceLevelOf(ids.elderly)).toEqual({ grade: 'BASIC', careNeeds: ['ELDERLY'] });

    // preferences on the customer's profile, for notifications, offers and segments
    const PROFILE = `mutation($input: UpdateCustomerProfileInput!) { updateCustomerProfile(input: $input) {
      customer { preferences { preferredChannel preferredLanguage contactTime { from to } interests educationLevel } } userErrors { field code } } }`;
    const prefs = await gql<{ updateCustomerProfile: { customer: { preferences: unknown }; userErrors: Errors } }>(PROFILE, {
      input: {
        customerId: ids.elderly,
        contact: { preferredChannel: 'PHONE', preferredLanguage: 'fr' },
        preferences: { contactTime: { from: '09:00', to: '11:00' }, interests: ['SAVINGS'], educationLevel: 'PRIMARY' },
      },
    });
    expect(prefs.updateCustomerProfile).toEqual({
      customer: {
        preferences: {
          preferredChannel: 'PHONE',
          preferredLanguage: 'fr',
          contactTime: { from: '09:00', to: '11:00' },
          interests: ['SAVINGS'],
          educationLevel: 'PRIMARY',
        },
      },
      userErrors: [],
    });
  }, 300_000);

  it('gives a VIP’s planned tasks a higher priority and half the lead time, and a shorter complaint SLA that a branch manager can tune', async () => {
    const product = await gql<{ createLoanProduct: { userErrors: Errors } }>(
      `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { product { code } userErrors { field code } } }`,
      {
        input: {
          code: 'SLE-MICRO',
          name: 'Micro monthly',
          type: 'MICRO_BUSINESS',
          currency: 'XOF',
          minPrincipal: '50000',
          maxPrincipal: '5000000',
          minRate: '0.10',
          maxRate: '0.30',
          minTerm: 3,
          maxTerm: 24,
          frequency: 'MONTHLY',
          amortisation: 'EQUAL_INSTALMENT',
          penaltyRate: '0.365',
          graceDays: 0,
          overpaymentPolicy: 'REFUSE',
        },
      },
      admin,
    );
    expect(product.createLoanProduct.userErrors).toEqual([]);
    const disbursedAt: Record<string, [number, number]> = {};
    for (const who of ['vip', 'plain'] as const) {
      const input = {
        customerId: ids[who],
        productCode: 'SLE-MICRO',
        principal: '200000',
        annualRate: '0.24',
        termCount: 6,
        purpose: 'Stock',
        idempotencyKey: `sle-${who}`,
      };
      const loanId = await eventually(async () => {
        const res = await stack.query<{ applyForLoan: { loan: { id: string } | null } }>(
          `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id } userErrors { field code } } }`,
          { input },
          officer,
        );
        return res.data?.applyForLoan.loan?.id;
      }, WAIT);
      const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { loan { status awaitingSecondApproval } userErrors { field code } } }`;
      const approved = await gql<{ approveLoan: { loan: { awaitingSecondApproval: boolean } | null; userErrors: Errors } }>(
        APPROVE,
        { input: { loanId } },
        manager,
      );
      expect(approved.approveLoan.userErrors).toEqual([]);
      if (approved.approveLoan.loan?.awaitingSecondApproval) await gql(APPROVE, { input: { loanId } }, riskOfficer);
      const before = Date.now();
      const disbursed = await gql<{ disburseLoan: { loan: { status: string } | null; userErrors: Errors } }>(
        `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { status } userErrors { field code } } }`,
        { input: { loanId, disbursedOn: TODAY } },
      );
      expect(disbursed.disburseLoan).toEqual({ loan: { status: 'ACTIVE' }, userErrors: [] });
      loans[who] = loanId;
      const visit = await eventually(
        async () => (await tasksOf(ids[who])).find((t) => t.type === 'POST_LOAN_VISIT' && t.title.startsWith('Post-loan visit: check the use of funds')),
        WAIT,
      );
      disbursedAt[who] = [before, Date.now()];
      const base = Date.parse('2026-03-11T00:00:00Z'); // the end of the seventh day after the disbursement
      if (who === 'vip') {
        expect(visit).toMatchObject({
          priority: 'HIGH',
          planning: { basePriority: 'NORMAL', baseDueAt: '2026-03-11T00:00:00.000Z', grade: 'VIP', duePercent: 50, homeVisit: false },
        });
        // half the lead time from when engagement planned it (between the disbursement and now), in whole minutes
        const [from, to] = disbursedAt.vip ?? [0, 0];
        const due = Date.parse(visit.dueAt);
        expect(due).toBeGreaterThanOrEqual(from + Math.floor((base - from) / 2 / 60_000) * 60_000 - 60_000);
        expect(due).toBeLessThanOrEqual(to + (base - to) / 2);
      } else {
        expect(visit).toMatchObject({ priority: 'NORMAL', dueAt: '2026-03-11T00:00:00.000Z', planning: { grade: 'BASIC', duePercent: 100 } });
      }
    }

    // complaints: MEDIUM is acknowledged within 24 hours and resolved within 10 days; the VIP's in half the time
    const RECEIVE = `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { complaint { acknowledgeDueAt resolveDueAt } userErrors { field code } } }`;
    const receivedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const complain = async (customerId: string) =>
      (
        await gql<{ receiveComplaint: { complaint: { acknowledgeDueAt: string; resolveDueAt: string } } }>(RECEIVE, {
          input: {
            customerId,
            kind: 'COMPLAINT',
            category: 'FEES',
            severity: 'MEDIUM',
            channel: 'BRANCH',
            description: 'Charged a fee twice',
            receivedAt: receivedAt.toISOString(),
          },
        })
      ).receiveComplaint.complaint;
    const at = (ms: number) => new Date(receivedAt.getTime() + ms).toISOString();
    expect(await complain(ids.vip)).toEqual({ acknowledgeDueAt: at(12 * HOUR), resolveDueAt: at(5 * DAY) });
    expect(await complain(ids.plain)).toEqual({ acknowledgeDueAt: at(24 * HOUR), resolveDueAt: at(10 * DAY) });
    // the branch manager keeps only a quarter of the SLA for the branch's VIPs; an officer may not
    const SET = `mutation($input: SetServiceLevelInput!) { setServiceLevel(input: $input) { serviceLevel { branchId complaintSlaPercent taskDuePercent } userErrors { field code } } }`;
    const byOfficer = await stack.query(SET, { input: { branchId: 'BR-SLE', kind: 'GRADE', code: 'VIP', complaintSlaPercent: 25 } }, officer);
    expect(byOfficer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const set = await gql<{ setServiceLevel: { serviceLevel: unknown; userErrors: Errors } }>(
      SET,
      { input: { branchId: 'BR-SLE', kind: 'GRADE', code: 'VIP', complaintSlaPercent: 25 } },
      manager,
    );
    expect(set.setServiceLevel).toEqual({ serviceLevel: { branchId: 'BR-SLE', complaintSlaPercent: 25, taskDuePercent: 50 }, userErrors: [] });
    expect(await complain(ids.vip)).toEqual({ acknowledgeDueAt: at(6 * HOUR), resolveDueAt: at(2.5 * DAY) });
    const levels = await gql<{ serviceLevels: { branchId: string | null; code: string; complaintSlaPercent: number }[] }>(
      `{ serviceLevels(branchId: "BR-SLE") { branchId code complaintSlaPercent } }`,
    );
    expect(levels.serviceLevels.filter((l) => l.code === 'VIP')).toEqual([
      { branchId: null, code: 'VIP', complaintSlaPercent: 50 },
      { branchId: 'BR-SLE', code: 'VIP', complaintSlaPercent: 25 },
    ]);
  }, 300_000);

  it('orders the relationship manager’s worklist by value and care, and explains each rank', async () => {
    const W = `{ worklist(assigneeId: "${officer.userId}", first: 50) { totalCount edges { node { ${TASK_FIELDS} } } } }`;
    const worklist = (await gql<{ worklist: { totalCount: number; edges: { node: TaskNode }[] } }>(W)).worklist;
    const nodes = worklist.edges.map((e) => e.node);
    expect(worklist.totalCount).toBe(nodes.length);
    const scores = nodes.map((n) => n.worklistRank?.score ?? -1);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const n of nodes) expect(n.worklistRank?.factors.reduce((s, f) => s + f.points, 0)).toBe(n.worklistRank?.score);
    const position = (pred: (n: TaskNode) => boolean) => nodes.findIndex(pred);
    const vipVisit = position((n) => n.customer.id === ids.vip && n.type === 'POST_LOAN_VISIT' && n.title.startsWith('Post-loan visit: check'));
    const elderlyVisit = position((n) => n.customer.id === ids.elderly && n.type === 'CARE');
    const plainVisit = position((n) => n.customer.id === ids.plain && n.type === 'POST_LOAN_VISIT' && n.title.startsWith('Post-loan visit: check'));
    const vipWelcome = position((n) => n.customer.id === ids.vip && n.type === 'WELCOME');
    const plainWelcome = position((n) => n.customer.id === ids.plain && n.type === 'WELCOME');
    expect([vipVisit, elderlyVisit, plainVisit, vipWelcome, plainWelcome].every((p) => p >= 0)).toBe(true);
    // both HIGH: the VIP's value (25) before the elderly customer's care (20); then the NORMAL tasks, the VIP's welcome first
    expect(vipVisit).toBeLessThan(elderlyVisit);
    expect(elderlyVisit).toBeLessThan(plainVisit);
    expect(vipWelcome).toBeLessThan(plainWelcome);
    const factors = (i: number) => Object.fromEntries((nodes[i]?.worklistRank?.factors ?? []).map((f) => [f.factor, [f.points, f.reason]]));
    expect(factors(vipVisit)).toMatchObject({ PRIORITY: [200, 'priority HIGH'], VALUE: [25, 'grade VIP'], CARE: [0, 'no special care'] });
    expect(factors(elderlyVisit)).toMatchObject({ PRIORITY: [200, 'priority HIGH'], VALUE: [0, 'grade BASIC'], CARE: [20, 'special care: ELDERLY'] });
    expect(factors(plainWelcome)).toMatchObject({ PRIORITY: [100, 'priority NORMAL'], VALUE: [0, 'grade BASIC'], RISK: [0, 'no active loan in arrears'] });
    // the customer context comes from the customers subgraph
    expect(nodes[vipVisit]?.customer.displayName).toBe('Vida Service');
  }, 120_000);

  it('refuses a third collection call of the day with a clear code until a branch manager overrides it with a reason', async () => {
    const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) {
      interaction { id contactRuleOverride { rules { code rule } reason by } } userErrors { field code message } } }`;
    type Logged = {
      logInteraction: { interaction: { id: string; contactRuleOverride: unknown } | null; userErrors: (Errors[number] & { message: string })[] };
    };
    const call = (occurredAt: Date, as: Identity = officer, overrideReason?: string) =>
      gql<Logged>(
        LOG,
        {
          input: {
            customerId: ids.plain,
            channel: 'PHONE',
            direction: 'OUTBOUND',
            purpose: 'COLLECTION_REMINDER',
            summary: 'Reminded of the instalment',
            occurredAt: occurredAt.toISOString(),
            ...(overrideReason === undefined ? {} : { overrideReason }),
          },
        },
        as,
      );
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    expect((await call(new Date(now.getTime() - 2 * HOUR))).logInteraction.userErrors).toEqual([]);
    expect((await call(new Date(now.getTime() - HOUR))).logInteraction.userErrors).toEqual([]);
    const third = await call(now);
    expect(third.logInteraction.interaction).toBeNull();
    expect(third.logInteraction.userErrors).toEqual([
      {
        field: 'purpose',
        code: 'CONTACT_LIMIT_REACHED',
        message: `Outbound PHONE collection reminder contacts are limited to 2 per 1 day; the customer had 2 (allowed again from ${new Date(now.getTime() - 2 * HOUR + DAY).toISOString()})`,
      },
    ]);
    // Sunday is outside the collection hours
    expect((await call(new Date('2026-03-01T12:00:00Z'))).logInteraction.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['occurredAt', 'OUTSIDE_CONTACT_HOURS'],
    ]);
    const check = await gql<{ contactCheck: { allowed: boolean; refusals: { code: string }[]; allowedAgainAt: string } }>(
      `query($c: ID!) { contactCheck(customerId: $c, channel: PHONE, purpose: COLLECTION_REMINDER) { allowed refusals { code } allowedAgainAt } }`,
      { c: ids.plain },
    );
    expect(check.contactCheck).toEqual({
      allowed: false,
      refusals: [{ code: 'CONTACT_LIMIT_REACHED' }],
      allowedAgainAt: new Date(now.getTime() - 2 * HOUR + DAY).toISOString(),
    });
    // only a branch manager overrides, and the reason is kept with the contact and in the audit trail
    expect((await call(now, officer, 'urgent')).logInteraction.userErrors.map((e) => e.code)).toEqual(['OVERRIDE_NOT_ALLOWED']);
    const overridden = await call(now, manager, 'The customer asked us to call back after the market');
    expect(overridden.logInteraction).toEqual({
      interaction: {
        id: expect.any(String),
        contactRuleOverride: {
          rules: [{ code: 'CONTACT_LIMIT_REACHED', rule: 'PHONE/COLLECTION_REMINDER 2 per 1 day' }],
          reason: 'The customer asked us to call back after the market',
          by: manager.userId,
        },
      },
      userErrors: [],
    });
    const trail = await gql<{ engagementAuditTrail: { edges: { node: { action: string; actorId: string; detail: string | null } }[] } }>(
      `query($id: ID) { engagementAuditTrail(filter: { entityId: $id }) { edges { node { action actorId detail } } } }`,
      { id: overridden.logInteraction.interaction?.id },
      admin,
    );
    const record = trail.engagementAuditTrail.edges[0]?.node;
    expect(record?.action).toBe('logInteraction');
    expect(record?.actorId).toBe(manager.userId);
    expect(JSON.parse(record?.detail ?? '{}')).toEqual({
      contactOverride: {
        rules: [{ code: 'CONTACT_LIMIT_REACHED', rule: 'PHONE/COLLECTION_REMINDER 2 per 1 day' }],
        reason: 'The customer asked us to call back after the market',
      },
    });
  }, 120_000);

  it('plans the next home visit of the elderly customer 30 days after the last one was done', async () => {
    const visit = (await tasksOf(ids.elderly)).find((t) => t.type === 'CARE' && t.status === 'OPEN');
    const done = await gql<{ completeTask: { task: { completedAt: string } | null; userErrors: Errors } }>(
      `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { task { completedAt } userErrors { field code } } }`,
      { input: { taskId: visit?.id } },
    );
    expect(done.completeTask.userErrors).toEqual([]);
    const RUN = `mutation($input: RunEngagementJobInput!) { runEngagementJob(input: $input) { counts { name value } userErrors { field code } } }`;
    const run = async () =>
      (await gql<{ runEngagementJob: { counts: { name: string; value: number }[] } }>(RUN, { input: { job: 'CARE_CALLBACKS', asOf: TODAY } }, admin))
        .runEngagementJob.counts;
    expect(await run()).toEqual(expect.arrayContaining([{ name: 'planned', value: 1 }]));
    expect(await run()).toEqual(expect.arrayContaining([{ name: 'planned', value: 0 }]));
    const open = (await tasksOf(ids.elderly)).filter((t) => t.type === 'CARE' && t.status === 'OPEN');
    expect(open.map((t) => [t.title, t.priority, t.dueAt])).toEqual([
      ['Home visit (special care: ELDERLY)', 'HIGH', new Date(Date.parse(done.completeTask.task?.completedAt ?? '') + 30 * DAY).toISOString()],
    ]);
  }, 120_000);
});
