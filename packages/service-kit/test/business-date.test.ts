import { createEvent, type DomainEvent } from '@crm/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTableMigration } from '../src/audit.ts';
import {
  type BusinessDateReplicaTables,
  businessDateReplicaMigration,
  findReplicatedBusinessDate,
  recordBusinessDate,
  runClock,
} from '../src/business-date.ts';
import type { Database } from '../src/db.ts';
import { futureAsOfError, jobRunProgressMigration, jobRunTableMigration, runJobAsCaller } from '../src/job-runs.ts';
import { startJobs } from '../src/jobs.ts';
import { createLogger } from '../src/logger.ts';
import { openTestDatabase } from '../src/testing/index.ts';

/** A BusinessDateChanged as credit's outbox writes it (subject: the institution; `sequence` when given). */
function changed(businessDate: string, previousBusinessDate: string, o: { sequence?: number; time?: string; how?: 'SET' | 'CLOSED' } = {}) {
  const event = createEvent('BusinessDateChanged', {
    subject: 'default',
    data: { businessDate, previousBusinessDate, how: o.how ?? 'SET', changedBy: 'admin-1', changedAt: o.time ?? '2026-12-01T10:00:00.000Z' },
    time: new Date(o.time ?? '2026-12-01T10:00:00.000Z'),
  });
  return (o.sequence === undefined ? event : { ...event, sequence: String(o.sequence), sequencetype: 'Integer' }) as DomainEvent<'BusinessDateChanged'>;
}

describe('the business date replica (customers, engagement, loyalty) and the jobs it bounds', () => {
  let database: Database<BusinessDateReplicaTables>;
  beforeAll(async () => {
    database = await openTestDatabase<BusinessDateReplicaTables>('business_date', {
      '0000': auditTableMigration,
      '0001': jobRunTableMigration,
      '0002': jobRunProgressMigration,
      '0003': businessDateReplicaMigration,
    });
  });
  afterAll(async () => {
    await database.close();
  });
  const replica = async () =>
    (await database.db.selectFrom('business_date_replica').select(['how', 'sequence', 'event_id']).execute()).map((r) => ({
      ...r,
      sequence: Number(r.sequence),
    }));

  it('keeps the latest change by sequence: a redelivery or an older change leaves it, a newer one moves it, even back', async () => {
    expect(await findReplicatedBusinessDate(database.db)).toBeNull();
    const second = changed('2027-03-01', '2027-02-28', { sequence: 2, how: 'CLOSED' });
    expect(await recordBusinessDate(database.db, second)).toBe(true);
    expect(await findReplicatedBusinessDate(database.db)).toBe('2027-03-01');
    // the same event again (a redelivery that got past the inbox), then an older one delivered late
    expect(await recordBusinessDate(database.db, second)).toBe(false);
    expect(await recordBusinessDate(database.db, changed('2027-02-28', '2026-12-01', { sequence: 1, time: '2026-12-01T11:00:00.000Z' }))).toBe(false);
    expect(await replica()).toEqual([{ how: 'CLOSED', sequence: 2, event_id: second.id }]);
    expect(await findReplicatedBusinessDate(database.db)).toBe('2027-03-01');
    // a later SET to an earlier date is a newer change: the replica follows credit back
    expect(await recordBusinessDate(database.db, changed('2027-01-15', '2027-03-01', { sequence: 3 }))).toBe(true);
    expect(await findReplicatedBusinessDate(database.db)).toBe('2027-01-15');
  });

  it('orders by event time when a change carries no sequence', async () => {
    expect(await recordBusinessDate(database.db, changed('2027-05-01', '2027-01-15', { time: '2026-12-01T12:00:00.000Z' }))).toBe(true);
    expect(await recordBusinessDate(database.db, changed('2027-04-01', '2027-01-15', { time: '2026-12-01T11:59:59.000Z' }))).toBe(false);
    expect(await findReplicatedBusinessDate(database.db)).toBe('2027-05-01');
  });

  it('bounds a job run by the later of today and the business date, naming the bound in DATE_IN_FUTURE', async () => {
    const now = new Date('2026-12-01T10:30:00Z');
    expect(futureAsOfError('2026-12-02', now)?.message).toBe('a job cannot run for a date after today (2026-12-01)');
    expect(futureAsOfError('2026-12-02', now, '2026-11-20')?.message).toBe('a job cannot run for a date after today (2026-12-01)');
    expect(futureAsOfError('2027-05-01', now, '2027-05-01')).toBeNull();
    expect(futureAsOfError('2027-05-02', now, '2027-05-01')).toEqual({
      field: 'asOf',
      code: 'DATE_IN_FUTURE',
      message: 'a job cannot run for a date after the business date (2027-05-01; today is 2026-12-01)',
    });

    const runner = startJobs<BusinessDateReplicaTables>({
      service: 'test',
      jobs: [{ name: 'noop', description: 'does nothing', everyMs: 60_000, run: async ({ asOf }) => ({ day: Number(asOf.slice(8)) }) }],
      db: database.db,
      engine: database.target.kind,
      logger: createLogger('t', 'silent'),
      schedule: false,
    });
    const actor = { service: 'test', identity: { userId: 'admin-1', roles: ['administrator' as const] }, correlationId: null };
    const ctx = { jobs: runner, audit: { actor }, now: () => now, businessDate: () => findReplicatedBusinessDate(database.db) };
    expect((await runJobAsCaller(ctx, 'noop', '2027-05-01')).run).toMatchObject({ asOf: '2027-05-01', outcome: 'SUCCEEDED', counts: { day: 1 } });
    expect((await runJobAsCaller(ctx, 'noop', '2027-05-02')).userErrors.map((e) => e.code)).toEqual(['DATE_IN_FUTURE']);
    // without a business date (credit's own jobs keep their rule): today bounds
    expect((await runJobAsCaller({ ...ctx, businessDate: undefined }, 'noop', '2027-05-01')).userErrors.map((e) => e.code)).toEqual(['DATE_IN_FUTURE']);
    await runner.stop();
  });

  it("puts a run for a business date ahead of the wall clock at that date, at the wall clock's time of day", () => {
    const now = new Date('2026-12-01T10:30:00Z');
    expect(runClock('2026-12-01', now)).toBe(now);
    expect(runClock('2026-11-01', now)).toBe(now);
    expect(runClock('2027-03-01', now).toISOString()).toBe('2027-03-01T10:30:00.000Z');
  });
});
