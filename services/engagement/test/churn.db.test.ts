import { isoDate } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

const DAY = 86_400_000;

describe('churn early warning', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const today = isoDate(new Date());
  const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
  const contact = (customerId: string, occurredAt: Date) =>
    svc.graphql(
      `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { userErrors { code } } }`,
      { input: { customerId, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'check-in', occurredAt: occurredAt.toISOString() } },
      staff.officer,
    );
  const complain = (customerId: string) =>
    svc.graphql(
      `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { userErrors { code } } }`,
      { input: { customerId, kind: 'COMPLAINT', category: 'FEES', severity: 'LOW', channel: 'PHONE', description: 'Fee too high' } },
      staff.officer,
    );

  it('scores explainable churn risk set-wise, announces level changes and opens one retention task on HIGH', async () => {
    // ch-1: DPD 65 (61-90: strength 1 x 25) + 3 complaints (1 x 20) + NPS 3 (1 x 15) + contacts 4 -> 1 ((4-1)/4 = 0.75 x 15 = 11.25) = 71.25: HIGH
    const high = await g.customer('ch-1', { relationshipManagerId: 'rm-ch' });
    await g.overdue(high, 'loan-ch1', 65, today);
    for (let i = 0; i < 3; i++) await complain(high);
    for (const d of [100, 120, 140, 160, 10]) await contact(high, daysAgo(d));
    const sent = await svc.graphql<{ dispatchSurvey: { dispatches: { id: string }[] } }>(
      `mutation($input: DispatchSurveyInput!) { dispatchSurvey(input: $input) { dispatches { id } } }`,
      { input: { surveyId: '00000000-0000-7000-8000-00000000d15b', customerIds: [high] } },
      staff.officer,
    );
    await svc.graphql(
      `mutation($input: RespondToSurveyInput!) { respondToSurvey(input: $input) { userErrors { code } } }`,
      { input: { dispatchId: sent.data?.dispatchSurvey.dispatches[0]?.id, answers: [{ code: 'nps', score: 3 }] } },
      staff.officer,
    );
    // ch-2: loan closed 40 days ago, none since (15) and no contact (10) = 25: LOW
    const low = await g.customer('ch-2');
    await g.deliver('LoanClosed', low, {
      loanId: 'loan-ch2',
      customerId: low,
      closedOn: isoDate(daysAgo(40)),
      principal: '800.00',
      currency: 'XOF',
      repaidOnTimeInFull: true,
    });
    // ch-3: 2 complaints (0.6667 x 20 = 13.334) + DPD 40 (0.7 x 25 = 17.5) = 30.834 -> 30.83: MEDIUM
    const medium = await g.customer('ch-3');
    await complain(medium);
    await complain(medium);
    await g.overdue(medium, 'loan-ch3', 40, today);
    await contact(medium, daysAgo(1));

    const first = await svc.jobs.run('churn-scoring', today);
    expect(first).toEqual({ scored: 3, changed: 2, high: 1, retentionTasks: 1 });
    const Q = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id churnRisk { level score asOf signals { code weight value } } } } }`;
    type R = {
      _entities: { id: string; churnRisk: { level: string; score: string; asOf: string; signals: { code: string; weight: string; value: string }[] } | null }[];
    };
    const res = await svc.graphql<R>(Q, { reps: [high, low, medium, 'ch-none'].map((id) => ({ __typename: 'Customer', id })) }, staff.officer);
    const [h, l, m, none] = res.data?._entities ?? [];
    expect(h?.churnRisk).toEqual({
      level: 'HIGH',
      score: '71.25',
      asOf: today,
      signals: [
        { code: 'OVERDUE_INSTALMENTS', weight: '25.00', value: '1.0000' },
        { code: 'COMPLAINTS', weight: '20.00', value: '1.0000' },
        { code: 'INTERACTION_DECLINE', weight: '15.00', value: '0.7500' },
        { code: 'LOAN_CLOSED_NO_RENEWAL', weight: '15.00', value: '0.0000' },
        { code: 'LOW_SURVEY_SCORE', weight: '15.00', value: '1.0000' },
        { code: 'DORMANCY', weight: '10.00', value: '0.0000' },
      ],
    });
    expect([l?.churnRisk?.level, l?.churnRisk?.score]).toEqual(['LOW', '25.00']);
    expect([m?.churnRisk?.level, m?.churnRisk?.score]).toEqual(['MEDIUM', '30.83']);
    expect(none?.churnRisk).toBeNull();

    const retention = (await g.tasksOf(high)).filter((t) => t.type === 'RETENTION');
    expect(retention.map((t) => [t.assignee_id, t.priority, t.dedupe_key])).toEqual([['rm-ch', 'HIGH', `CHURN_HIGH:${high}:${today}`]]);
    const changed = await svc.db
      .selectFrom('event_outbox')
      .select(['key', 'event'])
      .where('type', '=', 'crm.engagement.ChurnRiskChanged.v1')
      .orderBy('key')
      .execute();
    expect(changed.map((e) => [e.key, (e.event as { data: { previousLevel: string | null; level: string } }).data.level])).toEqual([
      [high, 'HIGH'],
      [medium, 'MEDIUM'],
    ]);

    // a rerun for the same date changes nothing; a cured loan lowers the level and is announced once
    expect(await svc.jobs.run('churn-scoring', today)).toEqual({ scored: 3, changed: 0, high: 0, retentionTasks: 0 });
    await g.deliver('DelinquencyBucketChanged', medium, {
      loanId: 'loan-ch3',
      customerId: medium,
      previousBucket: 'DPD_31_60',
      bucket: 'CURRENT',
      daysPastDue: 0,
      asOf: today,
    });
    expect(await svc.jobs.run('churn-scoring', today)).toEqual({ scored: 3, changed: 1, high: 0, retentionTasks: 0 });
  });
});
