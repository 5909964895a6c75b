import { createEvent } from '@crm/events';
import { addDays, isoDate } from '@crm/service-kit';
import { startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';

const RUN = `mutation($input: RunLoyaltyJobInput!) { runLoyaltyJob(input: $input) { run { asOf } userErrors { field code message } } }`;
type Run = { runLoyaltyJob: { run: { asOf: string } | null; userErrors: { field: string; code: string; message: string }[] } };

/**
 * Credit's business date reaches loyalty as BusinessDateChanged (issue 10): kept in the one-row
 * replica through the consumer and its inbox, it lets the administrators' job runs go up to that
 * date. Redelivered and older changes leave it; a newer change moves it, even back.
 */
describe('the business date from credit bounds loyalty job runs (DB-backed)', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_business_date' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const today = isoDate(new Date());
  /** A BusinessDateChanged as credit's outbox publishes it: key and subject the institution, with its sequence. */
  const message = (sequence: number, businessDate: string, previousBusinessDate: string) => {
    const event = createEvent('BusinessDateChanged', {
      subject: 'default',
      data: { businessDate, previousBusinessDate, how: 'SET', changedBy: 'admin-1', changedAt: new Date().toISOString() },
    });
    return { topic: 'crm.credit.v1', key: 'default', value: JSON.stringify({ ...event, sequence: String(sequence), sequencetype: 'Integer' }) };
  };
  const run = async (asOf: string) => (await svc.graphql<Run>(RUN, { input: { job: 'TIER_EVALUATION', asOf } })).data?.runLoyaltyJob;
  const replica = () => svc.db.selectFrom('business_date_replica').select(['institution', 'how', 'changed_by', 'event_id']).execute();

  it('runs up to the replicated business date, keeps it on a redelivery or an older change, and follows a newer one back', async () => {
    const ahead = addDays(today, 40);
    expect(await run(addDays(today, 1))).toEqual({
      run: null,
      userErrors: [{ field: 'asOf', code: 'DATE_IN_FUTURE', message: `a job cannot run for a date after today (${today})` }],
    });

    const second = message(2, ahead, addDays(today, 10));
    await svc.consumer.handle(second);
    expect(await run(ahead)).toEqual({ run: { asOf: ahead }, userErrors: [] });
    expect(await run(addDays(ahead, 1))).toEqual({
      run: null,
      userErrors: [{ field: 'asOf', code: 'DATE_IN_FUTURE', message: `a job cannot run for a date after the business date (${ahead}; today is ${today})` }],
    });

    // the same message again, then the change before it delivered late
    await svc.consumer.handle(second);
    await svc.consumer.handle(message(1, addDays(today, 10), today));
    const secondId = JSON.parse(second.value).id;
    expect(await replica()).toEqual([{ institution: 'default', how: 'SET', changed_by: 'admin-1', event_id: secondId }]);
    expect(await run(ahead)).toEqual({ run: { asOf: ahead }, userErrors: [] });

    // a newer change to an earlier date: the runs are bounded by it
    await svc.consumer.handle(message(3, addDays(today, 5), ahead));
    expect((await run(ahead))?.userErrors.map((e) => e.code)).toEqual(['DATE_IN_FUTURE']);
    expect(await run(addDays(today, 5))).toEqual({ run: { asOf: addDays(today, 5) }, userErrors: [] });
  }, 120_000);
});
