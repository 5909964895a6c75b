import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { manager, riskOfficer } from './given.ts';

const RUN = `mutation($input: RunCreditJobInput!) { runCreditJob(input: $input) {
  run { job asOf startedAt finishedAt affected skipped outcome actorId counts { name value } } userErrors { field code } } }`;
const EOD = `mutation($asOf: Date!) { runEndOfDay(input: { asOf: $asOf }) { loansEvaluated run { job asOf outcome } userErrors { field code } } }`;
const RUNS = `query($job: CreditJob, $first: Int, $after: String) { creditJobRuns(job: $job, first: $first, after: $after) {
  edges { node { job asOf affected skipped outcome actorId } } pageInfo { hasNextPage endCursor } } }`;

interface JobRun {
  job: string;
  asOf: string;
  affected: number;
  skipped: boolean;
  outcome: string;
  actorId: string;
}

describe('credit jobs: one mutation shape and the run history', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-03-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_job_runs' });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('runs a job by its enum value for a date, and answers the run as recorded', async () => {
    const res = await svc.graphql<{ runCreditJob: { run: JobRun & { counts: { name: string; value: number }[]; finishedAt: string }; userErrors: unknown[] } }>(
      RUN,
      { input: { job: 'RISK_WARNING_ESCALATION', asOf: '2024-03-09' } },
      riskOfficer,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.runCreditJob.userErrors).toEqual([]);
    expect(res.data?.runCreditJob.run).toMatchObject({
      job: 'RISK_WARNING_ESCALATION',
      asOf: '2024-03-09',
      affected: 0,
      skipped: false,
      outcome: 'SUCCEEDED',
      actorId: riskOfficer.userId,
      counts: [{ name: 'escalated', value: 0 }],
    });
    expect(res.data?.runCreditJob.run.finishedAt).toBeTruthy();
    const eod = await svc.graphql<{ runEndOfDay: { run: JobRun; userErrors: unknown[] } }>(EOD, { asOf: '2024-03-10' }, staff.admin);
    expect(eod.data?.runEndOfDay.run).toEqual({ job: 'END_OF_DAY', asOf: '2024-03-10', outcome: 'SUCCEEDED' });
  });

  it('refuses a future as-of date with DATE_IN_FUTURE and records nothing', async () => {
    const res = await svc.graphql<{ runCreditJob: { run: JobRun | null; userErrors: unknown[] } }>(
      RUN,
      { input: { job: 'END_OF_DAY', asOf: '2024-03-11' } },
      riskOfficer,
    );
    expect(res.data?.runCreditJob).toEqual({ run: null, userErrors: [{ field: 'asOf', code: 'DATE_IN_FUTURE' }] });
    const denied = await svc.graphql(RUN, { input: { job: 'END_OF_DAY', asOf: '2024-03-10' } }, manager);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists the runs newest first, by job, one page at a time, to operators and auditors only', async () => {
    type Runs = { creditJobRuns: { edges: { node: JobRun }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const all = await svc.graphql<Runs>(RUNS, { first: 1 }, { userId: 'auditor-1', roles: ['auditor'] });
    expect(all.errors).toBeUndefined();
    expect(all.data?.creditJobRuns.edges.map((e) => [e.node.job, e.node.asOf, e.node.actorId])).toEqual([['END_OF_DAY', '2024-03-10', staff.admin.userId]]);
    expect(all.data?.creditJobRuns.pageInfo.hasNextPage).toBe(true);
    const next = await svc.graphql<Runs>(RUNS, { first: 5, after: all.data?.creditJobRuns.pageInfo.endCursor }, riskOfficer);
    expect(next.data?.creditJobRuns.edges.map((e) => e.node.job)).toEqual(['RISK_WARNING_ESCALATION']);
    const byJob = await svc.graphql<Runs>(RUNS, { job: 'RISK_WARNING_ESCALATION' }, staff.admin);
    expect(byJob.data?.creditJobRuns.edges.map((e) => [e.node.job, e.node.outcome])).toEqual([['RISK_WARNING_ESCALATION', 'SUCCEEDED']]);
    const officer = await svc.graphql(RUNS, {}, staff.officer);
    expect(officer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
