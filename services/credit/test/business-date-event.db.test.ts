import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { riskOfficer } from './given.ts';

const SET_DATE = `mutation($date: Date!) { setBusinessDate(input: { date: $date }) { businessDate { date } userErrors { field code } } }`;
const CLOSE_DAY = `mutation($date: Date!) { closeBusinessDay(input: { businessDate: $date }) { businessDate { date } userErrors { field code } } }`;

/**
 * Issue 10: every move of the business date is announced to the other services with
 * BusinessDateChanged, written to the outbox by the command that moves it (so with it, or not at
 * all): SET by setBusinessDate, CLOSED by closeBusinessDay; a refused close announces nothing.
 */
describe('BusinessDateChanged from setBusinessDate and closeBusinessDay', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_business_date_event' });
  }, 300_000);
  afterAll(async () => {
    await svc?.stop();
  });

  const announced = async () =>
    (
      await sql<{
        key: string;
        event: string;
      }>`select key, event::text as event from event_outbox where type = 'crm.credit.BusinessDateChanged.v1' order by seq`.execute(svc.db)
    ).rows.map((r) => {
      const e = JSON.parse(r.event) as { subject: string; sequence: string; data: Record<string, unknown> };
      return { key: r.key, subject: e.subject, sequence: e.sequence, ...e.data };
    });
  const year = new Date().getUTCFullYear() + 3;

  it('announces a SET and a CLOSED change with the dates, who and its sequence; a refused close announces nothing', async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect((await svc.graphql(SET_DATE, { date: `${year}-03-10` }, staff.admin)).data).toEqual({
      setBusinessDate: { businessDate: { date: `${year}-03-10` }, userErrors: [] },
    });
    expect((await svc.graphql(CLOSE_DAY, { date: `${year}-03-10` }, riskOfficer)).data).toEqual({
      closeBusinessDay: { businessDate: { date: `${year}-03-11` }, userErrors: [] },
    });
    expect((await svc.graphql(CLOSE_DAY, { date: `${year}-03-10` }, riskOfficer)).data).toEqual({
      closeBusinessDay: { businessDate: null, userErrors: [{ field: 'businessDate', code: 'BUSINESS_DATE_MISMATCH' }] },
    });
    const base = { key: 'default', subject: 'default', changedAt: expect.any(String) };
    expect(await announced()).toEqual([
      { ...base, sequence: '1', businessDate: `${year}-03-10`, previousBusinessDate: today, how: 'SET', changedBy: staff.admin.userId },
      { ...base, sequence: '2', businessDate: `${year}-03-11`, previousBusinessDate: `${year}-03-10`, how: 'CLOSED', changedBy: riskOfficer.userId },
    ]);
  }, 120_000);
});
