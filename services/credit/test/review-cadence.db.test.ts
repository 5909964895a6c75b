import { catalogue, createEvent, type EventInput, topicOf } from '@crm/events';
import { startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findReviewCadence } from '../src/db/review.store.ts';
import type { DB } from '../src/db/schema.ts';
import { nextReviewDue } from '../src/domain/reviews.ts';
import { creditService } from '../src/service.ts';
import { given, riskOfficer } from './given.ts';

type Band = EventInput<'MonitoringCadenceChanged'>['bands'][number];

/** Engagement's seed (migration 0021 there), as credit's replica starts (migration 0045). */
const SEED: Band[] = [
  { riskClass: 'NORMAL', minPrincipal: '0', visitEveryDays: 180, reviewEveryDays: 365 },
  { riskClass: 'NORMAL', minPrincipal: '1000000', visitEveryDays: 90, reviewEveryDays: 180 },
  { riskClass: 'SPECIAL_MENTION', minPrincipal: '0', visitEveryDays: 60, reviewEveryDays: 90 },
  { riskClass: 'SUBSTANDARD', minPrincipal: '0', visitEveryDays: 30, reviewEveryDays: 30 },
  { riskClass: 'DOUBTFUL', minPrincipal: '0', visitEveryDays: 30, reviewEveryDays: 30 },
  { riskClass: 'LOSS', minPrincipal: '0', visitEveryDays: 30, reviewEveryDays: 30 },
];

describe('review cadence: one source, engagement’s monitoring cadence replicated by MonitoringCadenceChanged', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const loans = { small: '', mid: '', watched: '' };

  /** Delivers engagement's event as the consumer receives it; returns a redelivery. */
  const deliver = async (bands: Band[], changedAt: string) => {
    const data = { bands, changedBy: 'risk-1', changedAt };
    const event = createEvent('MonitoringCadenceChanged', { subject: 'monitoring-cadence', data, time: new Date(changedAt) });
    const message = { topic: topicOf(catalogue.MonitoringCadenceChanged.producer), key: 'monitoring-cadence', value: JSON.stringify(event) };
    await svc.consumer.handle(message);
    return () => svc.consumer.handle(message);
  };
  const nextDue = async (id: string) => {
    const res = await svc.graphql<{ loan: { nextReviewDue: string | null } }>(`query($id: ID!) { loan(id: $id) { nextReviewDue } }`, { id }, riskOfficer);
    expect(res.errors).toBeUndefined();
    return res.data?.loan.nextReviewDue;
  };
  const overdue = async (asOf: string) => {
    const res = await svc.graphql<{ overdueCreditReviews: { edges: { node: { id: string } }[] } }>(
      `query($a: Date!) { overdueCreditReviews(asOf: $a, first: 50) { edges { node { id } } } }`,
      { a: asOf },
      riskOfficer,
    );
    expect(res.errors).toBeUndefined();
    return (res.data?.overdueCreditReviews.edges ?? []).map((e) => e.node.id).sort();
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_review_cadence' });
    g = given(svc);
    await g.customer('c-rc');
    await g.product({ code: 'RC' });
    loans.small = await g.activeLoan('c-rc', 'RC', { principal: '1200.00' }, '2026-01-10');
    loans.mid = await g.activeLoan('c-rc', 'RC', { principal: '20000.00' }, '2026-01-10');
    loans.watched = await g.activeLoan('c-rc', 'RC', { principal: '1200.00' }, '2026-01-10');
    // the watched loan is SPECIAL_MENTION by a risk officer's override
    const res = await svc.graphql<{ overrideRiskClass: { userErrors: unknown[] } }>(
      `mutation($i: OverrideRiskClassInput!) { overrideRiskClass(input: $i) { userErrors { field code } } }`,
      { i: { loanId: loans.watched, riskClass: 'SPECIAL_MENTION', reason: 'sector under stress' } },
      riskOfficer,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.overrideRiskClass.userErrors).toEqual([]);
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('starts with the seeded table: the intervals credit used before (365 days, 90 for SPECIAL_MENTION)', async () => {
    expect(await nextDue(loans.small)).toBe('2027-01-10');
    expect(await nextDue(loans.mid)).toBe('2027-01-10');
    expect(await nextDue(loans.watched)).toBe('2026-04-10');
    expect(await overdue('2026-04-11')).toEqual([loans.watched]);
  });

  it('follows an edited table: a new band for loans from 10,000 and a shorter SPECIAL_MENTION interval', async () => {
    const edited = [
      ...SEED.filter((b) => b.riskClass !== 'SPECIAL_MENTION'),
      { riskClass: 'NORMAL' as const, minPrincipal: '10000.00', visitEveryDays: 90, reviewEveryDays: 120 },
      { riskClass: 'SPECIAL_MENTION' as const, minPrincipal: '0.00', visitEveryDays: 30, reviewEveryDays: 45 },
    ];
    const redeliver = await deliver(edited, '2026-01-12T10:00:00.000Z');
    expect(await nextDue(loans.small)).toBe('2027-01-10');
    expect(await nextDue(loans.mid)).toBe('2026-05-10');
    expect(await nextDue(loans.watched)).toBe('2026-02-24');
    // the SQL of the overdue list reads the same rows
    expect(await overdue('2026-02-25')).toEqual([loans.watched]);
    expect(await overdue('2026-05-11')).toEqual([loans.mid, loans.watched].sort());
    // a redelivery and an older version change nothing
    await redeliver();
    await deliver(SEED, '2026-01-11T10:00:00.000Z');
    expect(await nextDue(loans.mid)).toBe('2026-05-10');
    expect(await nextDue(loans.watched)).toBe('2026-02-24');
  });

  it('computes the same due date in TypeScript (nextReviewDue) and in SQL (overdueCreditReviews) for every loan', async () => {
    const bands = await findReviewCadence(svc.db);
    const rows = await svc.db
      .selectFrom('loan')
      .select(['id', 'principal', 'risk_class'])
      .select(sql<string>`to_char(disbursed_on, 'YYYY-MM-DD')`.as('disbursed_on'))
      .where('status', '=', 'ACTIVE')
      .execute();
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      const due = nextReviewDue(bands, r.disbursed_on, String(r.principal), r.risk_class);
      expect(due).toBe(await nextDue(r.id));
      if (!due) throw new Error('no due date');
      // overdue from the day after the due date, not on it
      expect(await overdue(due)).not.toContain(r.id);
      const dayAfter = new Date(`${due}T00:00:00Z`);
      dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
      expect(await overdue(dayAfter.toISOString().slice(0, 10))).toContain(r.id);
    }
  });
});
