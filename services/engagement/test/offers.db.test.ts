import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Next-best offers and "did it work" (issue 15): offers made from the rules with their reasons,
 * shown in Customer 360, the offers list and through the worklist; the customer's answer
 * recorded; retention task outcomes; the KPIs that read them.
 */

const officer: Identity = { userId: 'rm-1', roles: ['loan_officer'], branchId: 'BR-001' };
const managerBr2: Identity = { userId: 'bm-2', roles: ['branch_manager'], branchId: 'BR-002' };
const manager: Identity = { userId: 'bm-1', roles: ['branch_manager'], branchId: 'BR-001' };

const OFFERS_OF = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id
  offers(first: 10) { totalCount edges { node { id ruleCode kind rank status reasons { condition value } validUntil assigneeId } } } } } }`;
const OFFERS = `query($f: OfferFilter) { offers(filter: $f, first: 20) { totalCount edges { node { id ruleCode status customer { id } } } } }`;
const OUTCOME = `mutation($i: RecordOfferOutcomeInput!) { recordOfferOutcome(input: $i) { offer { id status outcomeRecordedBy closedOn } userErrors { field code message } } }`;
const RULE = `mutation($i: UpsertOfferRuleInput!) { upsertOfferRule(input: $i) { rule { code priority conditions { productsHeld maxDaysPastDue } } userErrors { field code message } } }`;
const RETENTION = `mutation($i: RecordRetentionOutcomeInput!) { recordRetentionOutcome(input: $i) { task { id status outcome outcomeRecordedBy } userErrors { field code message } } }`;
const KPI_QUERY = `query($m: EngagementKpiMetric!, $from: Date!, $to: Date!) { engagementKpi(metric: $m, from: $from, to: $to) { numerator denominator value } }`;
/** The KPIs over the days around now (outcomes are recorded at the wall clock's time). */
const kpiArgs = (m: string) => ({
  m,
  from: new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10),
  to: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
});

type OfferNode = {
  id: string;
  ruleCode: string;
  kind: string;
  rank: number;
  status: string;
  reasons: { condition: string; value: string }[];
  validUntil: string;
  assigneeId: string;
};
type UserErrors = { field: string | null; code: string; message: string }[];

describe('next-best offers', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;

  const offersOf = async (customerId: string, as: Identity = officer) => {
    const res = await svc.graphql<{ _entities: { offers: { totalCount: number; edges: { node: OfferNode }[] } }[] }>(
      OFFERS_OF,
      { r: [{ __typename: 'Customer', id: customerId }] },
      as,
    );
    expect(res.errors).toBeUndefined();
    return res.data?._entities[0]?.offers.edges.map((e) => e.node) ?? [];
  };
  const outcome = (offerId: string, value: string, as: Identity = officer) =>
    svc.graphql<{ recordOfferOutcome: { offer: { id: string; status: string; outcomeRecordedBy: string; closedOn: string } | null; userErrors: UserErrors } }>(
      OUTCOME,
      { i: { offerId, outcome: value } },
      as,
    );
  const eventsOf = async (type: string) => {
    const rows = await svc.db.selectFrom('event_outbox').select('event').where('type', '=', `crm.engagement.${type}.v1`).orderBy('seq').execute();
    return rows.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data as Record<string, unknown>);
  };
  const disbursed = (customerId: string, loanId: string, productCode = 'MICRO-M') =>
    g.deliver('LoanDisbursed', customerId, {
      loanId,
      customerId,
      productCode,
      principal: '1200.00',
      currency: 'USD',
      disbursedOn: '2026-10-01',
      firstDueDate: '2026-11-01',
      instalmentCount: 12,
      officerId: 'rm-1',
      loanCycle: 1,
    });

  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_offers' });
    g = given(svc);
    // A: a PREMIUM, GOLD borrower paying on time; B: repaid a loan on time, none active; C: no consent; D: another branch
    for (const id of ['nbo-a', 'nbo-b', 'nbo-c']) await g.customer(id);
    await g.customer('nbo-d', { branchId: 'BR-002', relationshipManagerId: 'rm-2' });
    for (const id of ['nbo-a', 'nbo-b', 'nbo-d']) await g.consent(id, true, '2026-10-01T00:00:00.000Z');
    await g.deliver('CustomerGradeChanged', 'nbo-a', {
      customerId: 'nbo-a',
      previousGrade: 'STANDARD',
      grade: 'PREMIUM',
      score: '72.00',
      effectiveOn: '2026-10-01',
    });
    const tier = await g.deliver('TierChanged', 'nbo-a', {
      accountId: 'acc-a',
      customerId: 'nbo-a',
      previousTier: 'SILVER',
      tier: 'GOLD',
      direction: 'UP',
      effectiveOn: '2026-10-02',
      rateDiscountBps: 25,
    });
    await tier.redeliver();
    // an older tier change arriving late changes nothing
    await g.deliver(
      'TierChanged',
      'nbo-a',
      { accountId: 'acc-a', customerId: 'nbo-a', previousTier: 'BRONZE', tier: 'SILVER', direction: 'UP', effectiveOn: '2026-09-01' },
      { time: new Date('2026-09-01T00:00:00Z') },
    );
    await disbursed('nbo-a', 'loan-a');
    await disbursed('nbo-b', 'loan-b');
    await g.deliver('LoanClosed', 'nbo-b', {
      loanId: 'loan-b',
      customerId: 'nbo-b',
      closedOn: '2026-11-20',
      principal: '1200.00',
      currency: 'USD',
      repaidOnTimeInFull: true,
    });
    await disbursed('nbo-c', 'loan-c');
    await g.deliver('CustomerGradeChanged', 'nbo-d', { customerId: 'nbo-d', previousGrade: null, grade: 'VIP', score: '90.00', effectiveOn: '2026-10-01' });
    await disbursed('nbo-d', 'loan-d');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('makes ranked offers with their reasons, for consenting customers only; a rerun makes none again', async () => {
    const counts = await svc.jobs.run('next-best-offers', '2026-11-25');
    expect(counts).toMatchObject({ customers: 4, made: 4, withdrawn: 0 });
    const a = await offersOf('nbo-a');
    expect(a.map((o) => [o.rank, o.ruleCode, o.kind, o.status, o.validUntil, o.assigneeId])).toEqual([
      [2, 'LOYALTY_RATE_DISCOUNT', 'RATE_DISCOUNT', 'OPEN', '2026-12-25', 'rm-1'],
      [1, 'TOP_UP_GOOD_PAYER', 'TOP_UP', 'OPEN', '2026-12-25', 'rm-1'],
    ]);
    expect(a.find((o) => o.ruleCode === 'TOP_UP_GOOD_PAYER')?.reasons).toEqual([
      { condition: 'grade in VIP, PREMIUM, STANDARD', value: 'PREMIUM' },
      { condition: 'days past due at most 0', value: '0' },
      { condition: 'active loans at least 1', value: '1' },
    ]);
    expect(a.find((o) => o.ruleCode === 'LOYALTY_RATE_DISCOUNT')?.reasons).toEqual([
      { condition: 'loyalty tier in SILVER, GOLD, PLATINUM', value: 'GOLD' },
      { condition: 'days past due at most 0', value: '0' },
    ]);
    expect((await offersOf('nbo-b')).map((o) => o.ruleCode)).toEqual(['RENEWAL_AFTER_ON_TIME']);
    expect(await offersOf('nbo-c')).toEqual([]);
    expect((await eventsOf('OfferMade')).map((e) => `${e.customerId}:${e.ruleCode}:${e.rank}`).sort()).toEqual([
      'nbo-a:LOYALTY_RATE_DISCOUNT:2',
      'nbo-a:TOP_UP_GOOD_PAYER:1',
      'nbo-b:RENEWAL_AFTER_ON_TIME:1',
      'nbo-d:TOP_UP_GOOD_PAYER:1',
    ]);
    expect(await svc.jobs.run('next-best-offers', '2026-11-25')).toMatchObject({ made: 0, withdrawn: 0, reranked: 0 });
    expect(await eventsOf('OfferMade')).toHaveLength(4);
  });

  it("shows the offers to the relationship manager (list, worklist) within the caller's branch only", async () => {
    const mine = await svc.graphql<{ offers: { totalCount: number; edges: { node: { ruleCode: string; customer: { id: string } } }[] } }>(
      OFFERS,
      { f: { relationshipManagerId: 'rm-1', status: ['OPEN'] } },
      officer,
    );
    expect(mine.data?.offers.totalCount).toBe(3);
    const br2 = await svc.graphql<{ offers: { edges: { node: { customer: { id: string } } }[] } }>(OFFERS, {}, managerBr2);
    expect(br2.data?.offers.edges.map((e) => e.node.customer.id)).toEqual(['nbo-d']);
    // a BR-002 manager does not see BR-001's customer offers through Customer 360
    expect(await offersOf('nbo-a', managerBr2)).toEqual([]);
    // the worklist's tasks carry their customer's offers (the welcome task of A)
    const worklist = await svc.graphql<{
      worklist: { edges: { node: { customer: { id: string; offers: { edges: { node: { ruleCode: string; reasons: unknown[] } }[] } } } }[] };
    }>(
      `query { worklist(assigneeId: "rm-1", first: 50) { edges { node { customer { id offers { edges { node { ruleCode reasons { condition value } } } } } } } } }`,
      {},
      officer,
    );
    expect(worklist.errors).toBeUndefined();
    const ofA = worklist.data?.worklist.edges.find((e) => e.node.customer.id === 'nbo-a')?.node.customer.offers.edges.map((e) => e.node.ruleCode);
    expect(ofA?.sort()).toEqual(['LOYALTY_RATE_DISCOUNT', 'TOP_UP_GOOD_PAYER']);
  });

  it("records the customer's answer once; out of scope is FORBIDDEN; an answered rule cools down", async () => {
    const [topUp] = (await offersOf('nbo-a')).filter((o) => o.ruleCode === 'TOP_UP_GOOD_PAYER');
    const outside = await outcome(topUp?.id ?? '', 'ACCEPTED', managerBr2);
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const accepted = await outcome(topUp?.id ?? '', 'ACCEPTED');
    expect(accepted.data?.recordOfferOutcome).toMatchObject({ offer: { status: 'ACCEPTED', outcomeRecordedBy: 'rm-1' }, userErrors: [] });
    const again = await outcome(topUp?.id ?? '', 'DECLINED');
    expect(again.data?.recordOfferOutcome.userErrors.map((e) => e.code)).toEqual(['OUTCOME_ALREADY_RECORDED']);
    const unknown = await outcome('no-such-offer', 'DECLINED');
    expect(unknown.data?.recordOfferOutcome.userErrors.map((e) => e.code)).toEqual(['OFFER_NOT_FOUND']);
    const [renewal] = await offersOf('nbo-b');
    expect((await outcome(renewal?.id ?? '', 'DECLINED')).data?.recordOfferOutcome.userErrors).toEqual([]);
    expect((await eventsOf('OfferOutcomeRecorded')).map((e) => `${e.customerId}:${e.ruleCode}:${e.outcome}`)).toEqual([
      'nbo-a:TOP_UP_GOOD_PAYER:ACCEPTED',
      'nbo-b:RENEWAL_AFTER_ON_TIME:DECLINED',
    ]);
    // the next day the accepted and declined rules are cooling down: nothing new
    expect(await svc.jobs.run('next-best-offers', '2026-11-26')).toMatchObject({ made: 0 });
    const audit = await svc.db.selectFrom('audit_log').select('outcome').where('action', '=', 'recordOfferOutcome').orderBy('seq').execute();
    expect(audit.map((a) => a.outcome)).toEqual(['FORBIDDEN', 'SUCCEEDED', 'REJECTED', 'REJECTED', 'SUCCEEDED']);
    // OFFER_ACCEPTANCE_RATE: one accepted of two answered
    const kpi = await svc.graphql<{ engagementKpi: { numerator: string; denominator: string; value: string }[] }>(
      KPI_QUERY,
      kpiArgs('OFFER_ACCEPTANCE_RATE'),
      manager,
    );
    expect(kpi.data?.engagementKpi).toEqual([{ numerator: '1', denominator: '2', value: '0.5' }]);
  });

  it('withdraws an offer whose rule no longer holds, and an expired one', async () => {
    // A's loan falls 40 days behind: the rate discount (days past due at most 0) no longer holds
    await g.deliver('DelinquencyBucketChanged', 'nbo-a', {
      loanId: 'loan-a',
      customerId: 'nbo-a',
      previousBucket: 'CURRENT',
      bucket: 'DPD_31_60',
      daysPastDue: 40,
      asOf: '2026-11-26',
    });
    expect(await svc.jobs.run('next-best-offers', '2026-11-27')).toMatchObject({ made: 0, withdrawn: 1 });
    expect((await offersOf('nbo-a')).map((o) => o.ruleCode)).toEqual([]);
    const withdrawn = await svc.db
      .selectFrom('offer')
      .select(['rule_code', 'status', 'withdrawn_reason'])
      .where('customer_id', '=', 'nbo-a')
      .orderBy('rule_code')
      .execute();
    expect(withdrawn).toEqual([
      { rule_code: 'LOYALTY_RATE_DISCOUNT', status: 'WITHDRAWN', withdrawn_reason: 'NO_LONGER_ELIGIBLE' },
      { rule_code: 'TOP_UP_GOOD_PAYER', status: 'ACCEPTED', withdrawn_reason: null },
    ]);
    // answering a withdrawn offer is refused
    const [rate] = await svc.db.selectFrom('offer').select('id').where('rule_code', '=', 'LOYALTY_RATE_DISCOUNT').where('customer_id', '=', 'nbo-a').execute();
    expect((await outcome(rate?.id ?? '', 'ACCEPTED')).data?.recordOfferOutcome.userErrors.map((e) => e.code)).toEqual(['OFFER_NOT_OPEN']);
    // D's top-up was valid until 25 Dec: on the 26th it expires
    expect(await svc.jobs.run('next-best-offers', '2026-12-26')).toMatchObject({ withdrawn: 1 });
    expect((await eventsOf('OfferWithdrawn')).map((e) => `${e.customerId}:${e.ruleCode}:${e.reason}`)).toEqual([
      'nbo-a:LOYALTY_RATE_DISCOUNT:NO_LONGER_ELIGIBLE',
      'nbo-d:TOP_UP_GOOD_PAYER:EXPIRED',
    ]);
  });

  it('takes new rules as data (administrators), refusing bad ones', async () => {
    const bad = await svc.graphql<{ upsertOfferRule: { userErrors: UserErrors } }>(
      RULE,
      { i: { code: 'x', kind: 'TOP_UP', title: ' ', priority: 500, conditions: {}, validDays: 30, cooldownDays: 30 } },
      staff.admin,
    );
    expect(bad.data?.upsertOfferRule.userErrors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'code:INVALID_CODE',
      'title:REQUIRED',
      'priority:OUT_OF_RANGE',
      'conditions:REQUIRED',
    ]);
    const notAdmin = await svc.graphql(
      RULE,
      { i: { code: 'X_RULE', kind: 'TOP_UP', title: 'x', priority: 5, conditions: {}, validDays: 1, cooldownDays: 1 } },
      manager,
    );
    expect(notAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const made = await svc.graphql<{ upsertOfferRule: { rule: unknown; userErrors: UserErrors } }>(
      RULE,
      {
        i: {
          code: 'micro_renewal',
          kind: 'RENEWAL',
          title: 'Next micro loan',
          priority: 95,
          conditions: { productsHeld: ['MICRO-M'], maxDaysPastDue: 60 },
          validDays: 10,
          cooldownDays: 0,
        },
      },
      staff.admin,
    );
    expect(made.data?.upsertOfferRule).toEqual({
      rule: { code: 'MICRO_RENEWAL', priority: 95, conditions: { productsHeld: ['MICRO-M'], maxDaysPastDue: 60 } },
      userErrors: [],
    });
    await svc.jobs.run('next-best-offers', '2026-12-27');
    // C has no consent; A (40 days behind) and D hold a MICRO-M loan
    const made2 = (await eventsOf('OfferMade')).filter((e) => e.ruleCode === 'MICRO_RENEWAL').map((e) => `${e.customerId}:${e.rank}`);
    expect(made2.sort()).toEqual(['nbo-a:1', 'nbo-d:1']);
  });
});

describe('retention task outcomes', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const retention = async (customerId: string) =>
    (await g.tasksOf(customerId)).filter((t) => t.type === 'RETENTION').map((t) => ({ id: t.id, key: t.dedupe_key }));
  const record = (taskId: string, value: string, as: Identity = officer) =>
    svc.graphql<{
      recordRetentionOutcome: { task: { id: string; status: string; outcome: string; outcomeRecordedBy: string } | null; userErrors: UserErrors };
    }>(RETENTION, { i: { taskId, outcome: value } }, as);

  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_retention' });
    g = given(svc);
    await g.customer('ret-1');
    await g.customer('ret-2', { branchId: 'BR-002', relationshipManagerId: 'rm-2' });
    const atRisk = await g.deliver('CustomerGradeAtRisk', 'ret-1', {
      customerId: 'ret-1',
      grade: 'PREMIUM',
      projectedGrade: 'STANDARD',
      score: '58.00',
      floor: '60.00',
      windowEndsOn: '2026-12-31',
    });
    await atRisk.redeliver();
    await g.deliver('TierDowngradeWarning', 'ret-1', {
      accountId: 'acc-r',
      customerId: 'ret-1',
      tier: 'GOLD',
      projectedTier: 'SILVER',
      effectiveOn: '2026-12-31',
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('records SAVED on the grade-at-risk task (completing it), once; refuses other tasks; the KPIs read the outcomes', async () => {
    const tasks = await retention('ret-1');
    // the redelivered grade-at-risk event opened one task, not two
    expect(tasks.map((t) => t.key?.split(':')[0]).sort()).toEqual(['GRADE_AT_RISK', 'TIER_DOWNGRADE']);
    const gradeTask = tasks.find((t) => t.key?.startsWith('GRADE_AT_RISK'))?.id ?? '';
    const tierTask = tasks.find((t) => t.key?.startsWith('TIER_DOWNGRADE'))?.id ?? '';
    const saved = await record(gradeTask, 'SAVED');
    expect(saved.data?.recordRetentionOutcome).toEqual({
      task: { id: gradeTask, status: 'DONE', outcome: 'SAVED', outcomeRecordedBy: 'rm-1' },
      userErrors: [],
    });
    expect((await record(gradeTask, 'LOST')).data?.recordRetentionOutcome.userErrors.map((e) => e.code)).toEqual(['OUTCOME_ALREADY_RECORDED']);
    const welcome = (await g.tasksOf('ret-1')).find((t) => t.type === 'WELCOME')?.id ?? '';
    expect((await record(welcome, 'SAVED')).data?.recordRetentionOutcome.userErrors.map((e) => e.code)).toEqual(['NOT_A_RETENTION_TASK']);
    expect((await record(tierTask, 'LOST', managerBr2)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await record(tierTask, 'LOST')).data?.recordRetentionOutcome.task?.outcome).toBe('LOST');
    expect(await g.outboxTypes('ret-1')).toEqual(expect.arrayContaining(['TaskCompleted', 'TaskOutcomeRecorded']));
    const recorded = (
      await svc.db.selectFrom('event_outbox').select('event').where('type', '=', 'crm.engagement.TaskOutcomeRecorded.v1').orderBy('seq').execute()
    ).map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data);
    expect(recorded.map((d: { origin: string; outcome: string }) => `${d.origin}:${d.outcome}`)).toEqual(['GRADE_AT_RISK:SAVED', 'TIER_DOWNGRADE:LOST']);
    // the task state record carries the outcome
    const state = await svc.db
      .selectFrom('event_outbox')
      .select('event')
      .where('type', '=', 'crm.engagement.TaskState.v1')
      .where('key', '=', gradeTask)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect((typeof state.event === 'string' ? JSON.parse(state.event) : state.event).data).toMatchObject({ status: 'DONE', outcome: 'SAVED' });
    const kpi = async (m: string) => (await svc.graphql<{ engagementKpi: unknown[] }>(KPI_QUERY, kpiArgs(m), manager)).data?.engagementKpi;
    expect(await kpi('AT_RISK_GRADE_SAVE_RATE')).toEqual([{ numerator: '1', denominator: '1', value: '1' }]);
    expect(await kpi('RETENTION_SAVE_RATE')).toEqual([{ numerator: '1', denominator: '2', value: '0.5' }]);
    expect((await svc.graphql<{ engagementKpi: unknown[] }>(KPI_QUERY, kpiArgs('RETENTION_SAVE_RATE'), managerBr2)).data?.engagementKpi).toEqual([
      { numerator: '0', denominator: '0', value: null },
    ]);
  });
});

describe("a crisis measure's relief is notified to the customer", () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_crisis_relief' });
    g = given(svc);
    await g.customer('cr-1');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('queues one CRISIS_RELIEF notice per measure and loan (a redelivery queues nothing), without marketing consent', async () => {
    const relief = await g.deliver('CrisisReliefGranted', 'cr-1', {
      measureId: 'm-1',
      loanId: 'l-1',
      customerId: 'cr-1',
      kind: 'PAYMENT_HOLIDAY',
      name: 'Floods, Kaolack',
      instalments: 2,
      effectiveOn: '2026-12-01',
      waiverFrom: null,
      waiverTo: null,
      restructuringId: 'r-1',
      scheduleVersion: 2,
      outstandingPrincipal: '1200.00',
      currency: 'USD',
    });
    await relief.redeliver();
    const notices = await svc.db.selectFrom('notification').select(['kind', 'loan_id', 'body', 'status']).where('customer_id', '=', 'cr-1').execute();
    expect(notices).toEqual([
      {
        kind: 'CRISIS_RELIEF',
        loan_id: 'l-1',
        status: 'QUEUED',
        body: 'Dear Amina Diallo, under the measure "Floods, Kaolack" your loan gets a payment holiday: the instalments due from 2026-12-01 move 2 periods later. Contact your branch with any question.',
      },
    ]);
  });
});
