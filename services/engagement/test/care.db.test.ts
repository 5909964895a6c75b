import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

type Errors = { field: string; code: string }[];

describe('care: greetings for consenting customers, holidays, customer events', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const greetings = (date: string) =>
    svc.db
      .selectFrom('care_greeting')
      .select(['customer_id', 'kind', 'holiday_code', 'status', 'assignee_id'])
      .where('occasion_on', '=', date)
      .orderBy('customer_id')
      .orderBy('kind')
      .execute();

  it('greets consenting customers on their birthday, repeatably, and stops when consent is withdrawn', async () => {
    await g.customer('b-1', { birthDate: '1985-07-04', relationshipManagerId: 'rm-b' });
    await g.customer('b-2', { birthDate: '1992-07-04' });
    await g.customer('b-3', { birthDate: '1992-07-05' });
    await g.consent('b-1', true, '2026-01-01T00:00:00.000Z');
    await g.consent('b-3', true, '2026-01-01T00:00:00.000Z'); // b-2 never consented
    expect(await svc.jobs.run('care-greetings', '2026-07-04')).toEqual({ birthdays: 1, holidays: 0, cancelled: 0 });
    expect(await svc.jobs.run('care-greetings', '2026-07-04')).toEqual({ birthdays: 0, holidays: 0, cancelled: 0 });
    expect(await greetings('2026-07-04')).toEqual([{ customer_id: 'b-1', kind: 'BIRTHDAY', holiday_code: '', status: 'PENDING', assignee_id: 'rm-b' }]);
    await g.consent('b-1', false, '2026-02-01T00:00:00.000Z');
    expect(await greetings('2026-07-04')).toEqual([{ customer_id: 'b-1', kind: 'BIRTHDAY', holiday_code: '', status: 'CANCELLED', assignee_id: 'rm-b' }]);
    expect(await svc.jobs.run('care-greetings', '2026-07-04')).toEqual({ birthdays: 0, holidays: 0, cancelled: 0 });
    expect(await svc.jobs.run('care-greetings', '2027-07-04')).toEqual({ birthdays: 0, holidays: 0, cancelled: 0 });
    await g.consent('b-1', true, '2026-03-01T00:00:00.000Z');
    expect(await svc.jobs.run('care-greetings', '2026-07-04')).toEqual({ birthdays: 1, holidays: 0, cancelled: 0 });
    expect((await greetings('2026-07-04')).map((r) => r.status)).toEqual(['PENDING']);

    const SENT = `mutation($input: MarkCareGreetingSentInput!) { markCareGreetingSent(input: $input) { greeting { status } userErrors { field code } } }`;
    type Sent = { markCareGreetingSent: { greeting: { status: string } | null; userErrors: Errors } };
    const row = await svc.db
      .selectFrom('care_greeting')
      .select('id')
      .where('customer_id', '=', 'b-1')
      .where('occasion_on', '=', '2026-07-04')
      .executeTakeFirstOrThrow();
    const sent = await svc.graphql<Sent>(SENT, { input: { greetingId: row.id } }, staff.officer);
    expect(sent.data?.markCareGreetingSent).toEqual({ greeting: { status: 'SENT' }, userErrors: [] });
    const twice = await svc.graphql<Sent>(SENT, { input: { greetingId: row.id } }, staff.officer);
    expect(twice.data?.markCareGreetingSent.userErrors).toEqual([{ field: 'greetingId', code: 'GREETING_NOT_PENDING' }]);
  });

  it('greets 29 February birthdays on 28 February of other years, and holidays from the holiday table', async () => {
    await g.customer('b-leap', { birthDate: '2000-02-29' });
    await g.consent('b-leap', true, '2026-01-01T00:00:00.000Z');
    expect((await svc.jobs.run('care-greetings', '2027-02-28')).birthdays).toBe(1);
    expect((await svc.jobs.run('care-greetings', '2028-02-28')).birthdays).toBe(0);
    expect((await svc.jobs.run('care-greetings', '2028-02-29')).birthdays).toBe(1);
    const HOLIDAY = `mutation($input: DefineCareHolidayInput!) { defineCareHoliday(input: $input) { holiday { code onDate } userErrors { field code } } }`;
    const bad = await svc.graphql<{ defineCareHoliday: { userErrors: Errors } }>(
      HOLIDAY,
      { input: { code: 'new year!', onDate: '2027-01-01', name: ' ' } },
      staff.admin,
    );
    expect(bad.data?.defineCareHoliday.userErrors).toEqual([
      { field: 'code', code: 'INVALID_FORMAT' },
      { field: 'name', code: 'TOO_SMALL' },
    ]);
    await svc.graphql(HOLIDAY, { input: { code: 'NEW_YEAR', onDate: '2027-01-01', name: 'New Year' } }, staff.admin);
    const run = await svc.jobs.run('care-greetings', '2027-01-01');
    // consenting now: b-1, b-3, b-leap
    expect(run).toEqual({ birthdays: 0, holidays: 3, cancelled: 0 });
    const Q = `{ careGreetings(filter: { occasionOn: "2027-01-01", kind: HOLIDAY }, first: 2) { edges { node { customer { id } holidayCode status } } pageInfo { hasNextPage } } }`;
    const res = await svc.graphql<{ careGreetings: { edges: { node: { holidayCode: string } }[]; pageInfo: { hasNextPage: boolean } } }>(Q, {}, staff.officer);
    expect(res.data?.careGreetings.edges.map((e) => e.node.holidayCode)).toEqual(['NEW_YEAR', 'NEW_YEAR']);
    expect(res.data?.careGreetings.pageInfo.hasNextPage).toBe(true);
  });

  it('plans an event, invites consenting customers within capacity, and records attendance', async () => {
    const CREATE = `mutation($input: CreateCareEventInput!) { createCareEvent(input: $input) { event { id } userErrors { field code } } }`;
    const INVITE = `mutation($input: InviteToCareEventInput!) { inviteToCareEvent(input: $input) { event { invitedCount } userErrors { field code } } }`;
    const ATTEND = `mutation($input: RecordCareEventAttendanceInput!) { recordCareEventAttendance(input: $input) { event { invitedCount attendedCount invitations { edges { node { customer { id } status } } } } userErrors { field code } } }`;
    type Created = { createCareEvent: { event: { id: string } | null; userErrors: Errors } };
    const past = await svc.graphql<Created>(
      CREATE,
      { input: { title: 'Budgeting talk', kind: 'EDUCATION_TALK', startsAt: '2020-01-01T10:00:00Z' } },
      staff.admin,
    );
    expect(past.data?.createCareEvent.userErrors).toEqual([{ field: 'startsAt', code: 'DATE_IN_PAST' }]);
    const startsAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const input = { title: 'Budgeting talk', kind: 'EDUCATION_TALK', startsAt, capacity: 2, idempotencyKey: 'talk-1' };
    const created = await svc.graphql<Created>(CREATE, { input }, staff.admin);
    const eventId = created.data?.createCareEvent.event?.id ?? '';
    const repeated = await svc.graphql<Created>(CREATE, { input }, staff.admin);
    expect(repeated.data?.createCareEvent.event?.id).toBe(eventId);
    type Invited = { inviteToCareEvent: { event: { invitedCount: number } | null; userErrors: Errors } };
    const refused = await svc.graphql<Invited>(INVITE, { input: { eventId, customerIds: ['b-1', 'b-2', 'nobody'] } }, staff.officer);
    expect(refused.data?.inviteToCareEvent.userErrors).toEqual([
      { field: 'customerIds.1', code: 'CONSENT_REQUIRED' },
      { field: 'customerIds.2', code: 'CUSTOMER_NOT_FOUND' },
    ]);
    const full = await svc.graphql<Invited>(INVITE, { input: { eventId, customerIds: ['b-1', 'b-3', 'b-leap'] } }, staff.officer);
    expect(full.data?.inviteToCareEvent.userErrors).toEqual([{ field: 'customerIds', code: 'CAPACITY_EXCEEDED' }]);
    const ok = await svc.graphql<Invited>(INVITE, { input: { eventId, customerIds: ['b-1', 'b-3'] } }, staff.officer);
    expect(ok.data?.inviteToCareEvent.event?.invitedCount).toBe(2);
    type Attended = {
      recordCareEventAttendance: {
        event: { attendedCount: number; invitations: { edges: { node: { customer: { id: string }; status: string } }[] } } | null;
        userErrors: Errors;
      };
    };
    const early = await svc.graphql<Attended>(ATTEND, { input: { eventId, attendedCustomerIds: ['b-1'] } }, staff.officer);
    expect(early.data?.recordCareEventAttendance.userErrors).toEqual([{ field: 'eventId', code: 'EVENT_NOT_STARTED' }]);
    await g.careEventTookPlace(eventId);
    const notInvited = await svc.graphql<Attended>(ATTEND, { input: { eventId, attendedCustomerIds: ['b-2'] } }, staff.officer);
    expect(notInvited.data?.recordCareEventAttendance.userErrors).toEqual([{ field: 'attendedCustomerIds.0', code: 'NOT_INVITED' }]);
    const attended = await svc.graphql<Attended>(ATTEND, { input: { eventId, attendedCustomerIds: ['b-1'] } }, staff.officer);
    expect(attended.data?.recordCareEventAttendance.event?.attendedCount).toBe(1);
    expect(attended.data?.recordCareEventAttendance.event?.invitations.edges.map(({ node: i }) => [i.customer.id, i.status])).toEqual([
      ['b-1', 'ATTENDED'],
      ['b-3', 'NO_SHOW'],
    ]);
  });
  it("records attendance only for the invitations in the caller's scope; invitees of other branches are left as they are", async () => {
    await g.customer('att-in', { branchId: 'BR-001', relationshipManagerId: 'rm-1' });
    await g.customer('att-in-2', { branchId: 'BR-001', relationshipManagerId: 'rm-1' });
    await g.customer('att-out', { branchId: 'BR-002', relationshipManagerId: 'rm-2' });
    for (const id of ['att-in', 'att-in-2', 'att-out']) await g.consent(id, true, '2026-01-01T00:00:00.000Z');
    const CREATE = `mutation($input: CreateCareEventInput!) { createCareEvent(input: $input) { event { id } userErrors { field code } } }`;
    const INVITE = `mutation($input: InviteToCareEventInput!) { inviteToCareEvent(input: $input) { event { invitedCount } userErrors { field code } } }`;
    const ATTEND = `mutation($input: RecordCareEventAttendanceInput!) { recordCareEventAttendance(input: $input) { event { id } userErrors { field code } } }`;
    const startsAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const created = await svc.graphql<{ createCareEvent: { event: { id: string } | null } }>(
      CREATE,
      { input: { title: 'Appreciation day', kind: 'APPRECIATION_DAY', startsAt } },
      staff.admin,
    );
    const eventId = created.data?.createCareEvent.event?.id ?? '';
    expect(eventId).not.toBe('');
    const invited = await svc.graphql<{ inviteToCareEvent: { userErrors: Errors } }>(
      INVITE,
      { input: { eventId, customerIds: ['att-in', 'att-in-2', 'att-out'] } },
      staff.admin,
    );
    expect(invited.data?.inviteToCareEvent.userErrors).toEqual([]);
    await g.careEventTookPlace(eventId);
    const invitations = () =>
      svc.db
        .selectFrom('care_event_invitation')
        .select(['customer_id', 'status', 'attended_at'])
        .where('event_id', '=', eventId)
        .orderBy('customer_id')
        .execute();
    const before = (await invitations()).find((i) => i.customer_id === 'att-out');

    const res = await svc.graphql<{ recordCareEventAttendance: { userErrors: Errors } }>(
      ATTEND,
      { input: { eventId, attendedCustomerIds: ['att-in'] } },
      staff.officer,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.recordCareEventAttendance.userErrors).toEqual([]);
    expect((await invitations()).map((i) => [i.customer_id, i.status])).toEqual([
      ['att-in', 'ATTENDED'],
      ['att-in-2', 'NO_SHOW'],
      ['att-out', 'INVITED'],
    ]);
    expect((await invitations()).find((i) => i.customer_id === 'att-out')).toEqual(before);

    // an out-of-scope invitee cannot be named as attended either
    const outside = await svc.graphql<{ recordCareEventAttendance: { userErrors: Errors } }>(
      ATTEND,
      { input: { eventId, attendedCustomerIds: ['att-out'] } },
      staff.officer,
    );
    expect(outside.data?.recordCareEventAttendance.userErrors).toEqual([{ field: 'attendedCustomerIds.0', code: 'NOT_INVITED' }]);
    expect((await invitations()).find((i) => i.customer_id === 'att-out')?.status).toBe('INVITED');

    // the other branch records its own guests
    const otherBranch = { userId: 'officer-2', roles: ['loan_officer'], branchId: 'BR-002' } as const;
    const theirs = await svc.graphql<{ recordCareEventAttendance: { userErrors: Errors } }>(
      ATTEND,
      { input: { eventId, attendedCustomerIds: ['att-out'] } },
      { ...otherBranch, roles: [...otherBranch.roles] },
    );
    expect(theirs.data?.recordCareEventAttendance.userErrors).toEqual([]);
    expect((await invitations()).map((i) => [i.customer_id, i.status])).toEqual([
      ['att-in', 'ATTENDED'],
      ['att-in-2', 'NO_SHOW'],
      ['att-out', 'ATTENDED'],
    ]);
  });
});
