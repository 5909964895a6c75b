import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, riskOfficer } from './given.ts';

/**
 * Every bucket and class a loan has at the end of a run is what other services were last told:
 * a same-day repayment that takes a loan back to yesterday's bucket is published on the re-run.
 */
describe('end of day publishes against what was last published, not the previous snapshot', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const eod = async (asOf: string) => {
    const res = await svc.graphql(`mutation($a: Date!) { runEndOfDay(input: { asOf: $a }) { userErrors { code } } }`, { a: asOf }, riskOfficer);
    expect(res.errors).toBeUndefined();
  };
  const published = async (type: 'DelinquencyBucketChanged' | 'RiskClassChanged', loanId: string) =>
    (await svc.db.selectFrom('event_outbox').select(['type', 'event']).orderBy('seq').execute())
      .filter((r) => r.type === `crm.credit.${type}.v1`)
      .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data as Record<string, unknown>)
      .filter((d) => d.loanId === loanId);
  const payInstalment = async (loanId: string, number: number, paidOn: string, ref: string) => {
    const res = await svc.graphql<{ loan: { schedule: { number: number; outstanding: string }[] } }>(
      `query($id: ID!) { loan(id: $id) { schedule { number outstanding } } }`,
      { id: loanId },
      staff.admin,
    );
    const amount = res.data?.loan.schedule.find((i) => i.number === number)?.outstanding;
    const paid = await g.repay({ loanId, amount, paidOn, channel: 'CASH', externalReference: ref });
    expect(paid.userErrors).toEqual([]);
  };
  const loanState = async (id: string) =>
    (
      await svc.graphql<{ loan: { delinquencyBucket: string; riskClass: string } }>(
        `query($id: ID!) { loan(id: $id) { delinquencyBucket riskClass } }`,
        { id },
        staff.admin,
      )
    ).data?.loan;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-05T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_published' });
    g = given(svc);
    await g.customer('pb-a', { branchId: 'BR-001' });
    await g.product({ code: 'WK', frequency: 'WEEKLY', minTerm: 4, maxTerm: 52, graceDays: 0, penaltyRate: '0' });
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('DPD_1_30 then paid the same day: the re-run for that date publishes CURRENT', async () => {
    vi.setSystemTime(new Date('2026-01-05T09:00:00Z'));
    const loan = await g.activeLoan('pb-a', 'WK', { termCount: 8 }, '2026-01-05');
    vi.setSystemTime(new Date('2026-01-13T20:00:00Z'));
    await eod('2026-01-12');
    await eod('2026-01-13');
    expect((await published('DelinquencyBucketChanged', loan)).map((d) => [d.previousBucket, d.bucket, d.asOf])).toEqual([
      ['CURRENT', 'DPD_1_30', '2026-01-13'],
    ]);
    await payInstalment(loan, 1, '2026-01-13', 'pb-1');
    await eod('2026-01-13');
    expect(await loanState(loan)).toMatchObject({ delinquencyBucket: 'CURRENT' });
    expect((await published('DelinquencyBucketChanged', loan)).map((d) => [d.previousBucket, d.bucket, d.asOf])).toEqual([
      ['CURRENT', 'DPD_1_30', '2026-01-13'],
      ['DPD_1_30', 'CURRENT', '2026-01-13'],
    ]);
    // a further re-run tells nothing new
    await eod('2026-01-13');
    expect(await published('DelinquencyBucketChanged', loan)).toHaveLength(2);
  });

  it('DPD_90_PLUS then paid the same day back to 61-90: bucket and class are published', async () => {
    vi.setSystemTime(new Date('2026-01-05T09:00:00Z'));
    const loan = await g.activeLoan('pb-a', 'WK', { termCount: 20 }, '2026-01-05');
    // first instalment due 2026-01-12: 90 days past due on 2026-04-12, 91 on 2026-04-13
    vi.setSystemTime(new Date('2026-04-13T20:00:00Z'));
    await eod('2026-04-12');
    await eod('2026-04-13');
    expect(await loanState(loan)).toMatchObject({ delinquencyBucket: 'DPD_90_PLUS', riskClass: 'SUBSTANDARD' });
    await payInstalment(loan, 1, '2026-04-13', 'pb-2');
    await eod('2026-04-13');
    expect(await loanState(loan)).toMatchObject({ delinquencyBucket: 'DPD_61_90', riskClass: 'SPECIAL_MENTION' });
    const buckets = (await published('DelinquencyBucketChanged', loan)).map((d) => [d.previousBucket, d.bucket, d.asOf]);
    expect(buckets.at(-1)).toEqual(['DPD_90_PLUS', 'DPD_61_90', '2026-04-13']);
    const classes = (await published('RiskClassChanged', loan)).map((d) => [d.previousClass, d.riskClass, d.asOf]);
    expect(classes.at(-1)).toEqual(['SUBSTANDARD', 'SPECIAL_MENTION', '2026-04-13']);
    // what the loan shows is what was last published
    expect(buckets.at(-1)?.[1]).toBe((await loanState(loan))?.delinquencyBucket);
  });
});
