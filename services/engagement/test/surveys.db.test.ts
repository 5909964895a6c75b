import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

type Errors = { field: string; code: string }[];

describe('surveys: definitions, dispatch, one response per dispatch, results in SQL, service recovery', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const DEFINE = `mutation($input: DefineSurveyInput!) { defineSurvey(input: $input) { survey { id name questions { code kind choices } } userErrors { field code } } }`;
  const DISPATCH = `mutation($input: DispatchSurveyInput!) { dispatchSurvey(input: $input) { dispatches { id customer { id } survey { id } response { id } } userErrors { field code } } }`;
  const RESPOND = `mutation($input: RespondToSurveyInput!) { respondToSurvey(input: $input) { response { id npsScore csatScore answers { code score choice text } } userErrors { field code } } }`;
  type Defined = { defineSurvey: { survey: { id: string } | null; userErrors: Errors } };
  type Dispatched = { dispatchSurvey: { dispatches: { id: string; customer: { id: string } }[]; userErrors: Errors } };
  type Responded = { respondToSurvey: { response: { id: string; npsScore: number | null; csatScore: number | null } | null; userErrors: Errors } };
  const questions = [
    { code: 'nps', kind: 'NPS', text: 'Would you recommend us?' },
    { code: 'csat', kind: 'CSAT', text: 'How satisfied are you?' },
    { code: 'channel', kind: 'CHOICE', text: 'Preferred channel?', choices: ['SMS', 'Visit'] },
    { code: 'why', kind: 'TEXT', text: 'Why?' },
  ];
  /** Branch scope: the manager of the branch the dispatch test's customers belong to; the results test spans two branches (administrator). */
  const managerS1: Identity = { userId: 'bm-s1', roles: ['branch_manager'], branchId: 'BR-S1' };
  const respond = (dispatchId: string, answers: Record<string, unknown>[], as: Identity = managerS1) =>
    svc.graphql<Responded>(RESPOND, { input: { dispatchId, answers } }, as);

  let surveyId = '';
  it('refuses a malformed definition and stores a good one', async () => {
    const bad = await svc.graphql<Defined>(
      DEFINE,
      {
        input: {
          name: ' ',
          questions: [...questions, { code: 'nps', kind: 'NPS', text: 'again' }, { code: 'c2', kind: 'CHOICE', text: 'pick', choices: ['one'] }],
        },
      },
      staff.admin,
    );
    expect(bad.data?.defineSurvey.userErrors).toEqual(
      expect.arrayContaining([
        { field: 'name', code: 'TOO_SMALL' },
        { field: 'questions.4.code', code: 'DUPLICATE_QUESTION' },
        { field: 'questions.5.choices', code: 'TOO_SMALL' },
        { field: 'questions', code: 'MORE_THAN_ONE_NPS' },
      ]),
    );
    const good = await svc.graphql<Defined>(DEFINE, { input: { name: 'Quarterly pulse', questions, idempotencyKey: 'pulse-def' } }, staff.admin);
    expect(good.data?.defineSurvey.userErrors).toEqual([]);
    surveyId = good.data?.defineSurvey.survey?.id ?? '';
    const again = await svc.graphql<Defined>(DEFINE, { input: { name: 'Quarterly pulse', questions, idempotencyKey: 'pulse-def' } }, staff.admin);
    expect(again.data?.defineSurvey.survey?.id).toBe(surveyId);
    expect(await svc.db.selectFrom('survey').select('id').where('name', '=', 'Quarterly pulse').execute()).toHaveLength(1);
  });

  it('dispatches to explicit customers or a branch, refuses unknown customers, and takes one response per dispatch', async () => {
    const a = await g.customer('sv-a', { branchId: 'BR-S1', relationshipManagerId: 'rm-s1' });
    const b = await g.customer('sv-b', { branchId: 'BR-S1', relationshipManagerId: 'rm-s2' });
    await g.customer('sv-c', { branchId: 'BR-S2', relationshipManagerId: 'rm-s2' });
    const unknown = await svc.graphql<Dispatched>(DISPATCH, { input: { surveyId, customerIds: [a, 'nobody'] } }, managerS1);
    expect(unknown.data?.dispatchSurvey).toEqual({ dispatches: [], userErrors: [{ field: 'customerIds.1', code: 'CUSTOMER_NOT_FOUND' }] });
    expect(await svc.db.selectFrom('survey_dispatch').select('id').where('survey_id', '=', surveyId).execute()).toEqual([]);
    const branch = await svc.graphql<Dispatched>(DISPATCH, { input: { surveyId, branchId: 'BR-S1', idempotencyKey: 'pulse-s1' } }, managerS1);
    expect(branch.data?.dispatchSurvey.dispatches.map((d) => d.customer.id).sort()).toEqual([a, b]);
    const repeated = await svc.graphql<Dispatched>(DISPATCH, { input: { surveyId, branchId: 'BR-S1', idempotencyKey: 'pulse-s1' } }, managerS1);
    expect(repeated.data?.dispatchSurvey.dispatches.map((d) => d.id).sort()).toEqual(branch.data?.dispatchSurvey.dispatches.map((d) => d.id).sort());
    const dispatchOf = (customer: string) => branch.data?.dispatchSurvey.dispatches.find((d) => d.customer.id === customer)?.id ?? '';

    const outOfRange = await respond(dispatchOf(a), [{ code: 'nps', score: 11 }]);
    expect(outOfRange.data?.respondToSurvey).toEqual({ response: null, userErrors: [{ field: 'answers.0.score', code: 'SCORE_OUT_OF_RANGE' }] });
    const badCsat = await respond(dispatchOf(a), [
      { code: 'csat', score: 0 },
      { code: 'channel', choice: 'Fax' },
      { code: 'zzz', text: 'x' },
    ]);
    expect(badCsat.data?.respondToSurvey.userErrors).toEqual([
      { field: 'answers.0.score', code: 'SCORE_OUT_OF_RANGE' },
      { field: 'answers.1.choice', code: 'UNKNOWN_CHOICE' },
      { field: 'answers.2.code', code: 'UNKNOWN_QUESTION' },
    ]);
    expect(await svc.db.selectFrom('survey_response').select('id').execute()).toEqual([]);

    const ok = await respond(dispatchOf(a), [
      { code: 'nps', score: 10 },
      { code: 'csat', score: 5 },
      { code: 'channel', choice: 'SMS' },
      { code: 'why', text: 'Quick service' },
    ]);
    expect(ok.data?.respondToSurvey.response).toMatchObject({ npsScore: 10, csatScore: 5 });
    const second = await respond(dispatchOf(a), [{ code: 'nps', score: 2 }]);
    expect(second.data?.respondToSurvey).toEqual({ response: null, userErrors: [{ field: 'dispatchId', code: 'ALREADY_RESPONDED' }] });
    expect((await g.tasksOf(a)).map((t) => t.type)).toEqual(['WELCOME']);
    expect(await g.outboxTypes(a)).toEqual(['TaskCreated', 'SurveyDispatched', 'SurveyResponded']);

    // a low score opens service recovery for the relationship manager, created by the SurveyResponded event
    const low = await respond(dispatchOf(b), [
      { code: 'nps', score: 6 },
      { code: 'csat', score: 3 },
    ]);
    expect(low.data?.respondToSurvey.userErrors).toEqual([]);
    const recovery = (await g.tasksOf(b)).filter((t) => t.type === 'SERVICE_RECOVERY');
    const responded = await svc.db
      .selectFrom('event_outbox')
      .select('id')
      .where('key', '=', b)
      .where('type', '=', 'crm.engagement.SurveyResponded.v1')
      .executeTakeFirstOrThrow();
    expect(recovery.map((t) => ({ assignee: t.assignee_id, priority: t.priority, source: t.source_event_id }))).toEqual([
      { assignee: 'rm-s2', priority: 'HIGH', source: responded.id },
    ]);
  });

  it('computes NPS and average CSAT by branch, officer and month in SQL', async () => {
    const customers = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5'];
    for (const [i, id] of customers.entries()) await g.customer(id, { branchId: i < 3 ? 'BR-R1' : 'BR-R2', relationshipManagerId: i < 3 ? 'rm-r1' : 'rm-r2' });
    const sent = await svc.graphql<Dispatched>(DISPATCH, { input: { surveyId, customerIds: customers } }, staff.admin);
    const dispatchOf = (customer: string) => sent.data?.dispatchSurvey.dispatches.find((d) => d.customer.id === customer)?.id ?? '';
    // BR-R1: NPS 10 (promoter), 9 (promoter), 3 (detractor); CSAT 5, 4, (none)
    await respond(
      dispatchOf('r-1'),
      [
        { code: 'nps', score: 10 },
        { code: 'csat', score: 5 },
      ],
      staff.admin,
    );
    await respond(
      dispatchOf('r-2'),
      [
        { code: 'nps', score: 9 },
        { code: 'csat', score: 4 },
      ],
      staff.admin,
    );
    await respond(dispatchOf('r-3'), [{ code: 'nps', score: 3 }], staff.admin);
    // BR-R2: NPS 7 (passive); CSAT 1 and 2
    await respond(
      dispatchOf('r-4'),
      [
        { code: 'nps', score: 7 },
        { code: 'csat', score: 1 },
      ],
      staff.admin,
    );
    await respond(dispatchOf('r-5'), [{ code: 'csat', score: 2 }], staff.admin);
    const Q = `query($filter: SurveyResultsFilter!) { surveyResults(filter: $filter) { key responses npsResponses promoters passives detractors nps csatResponses averageCsat } }`;
    type Res = { surveyResults: Record<string, unknown>[] };
    const byBranch = await svc.graphql<Res>(Q, { filter: { groupBy: 'BRANCH', surveyId } }, staff.analyst);
    // BR-R1: (2 promoters - 1 detractor) / 3 = 33.3 %; CSAT (5 + 4) / 2 = 4.50. BR-R2: (0 - 0) / 1 = 0.0; CSAT (1 + 2) / 2 = 1.50
    const r1 = { key: 'BR-R1', responses: 3, npsResponses: 3, promoters: 2, passives: 0, detractors: 1, nps: '33.3', csatResponses: 2, averageCsat: '4.50' };
    const r2 = { key: 'BR-R2', responses: 2, npsResponses: 1, promoters: 0, passives: 1, detractors: 0, nps: '0.0', csatResponses: 2, averageCsat: '1.50' };
    expect(byBranch.data?.surveyResults.filter((r) => String(r.key).startsWith('BR-R'))).toEqual([r1, r2]);
    const byOfficer = await svc.graphql<Res>(Q, { filter: { groupBy: 'OFFICER', surveyId, officerId: 'rm-r2' } }, staff.analyst);
    expect(byOfficer.data?.surveyResults).toEqual([{ ...r2, key: 'rm-r2' }]);
    const month = new Date().toISOString().slice(0, 7);
    const byMonth = await svc.graphql<Res>(Q, { filter: { groupBy: 'MONTH', surveyId, branchId: 'BR-R1' } }, staff.analyst);
    expect(byMonth.data?.surveyResults).toEqual([{ ...r1, key: month }]);
    const none = await svc.graphql<Res>(Q, { filter: { groupBy: 'BRANCH', surveyId, to: '2000-01-01' } }, staff.analyst);
    expect(none.data?.surveyResults).toEqual([]);
  });

  it('sends the after-disbursement survey once per loan', async () => {
    const c = await g.customer('sv-loan');
    const loan = {
      loanId: 'loan-sv',
      customerId: c,
      productCode: 'MICRO',
      principal: '500.00',
      currency: 'XOF',
      disbursedOn: '2026-11-20',
      firstDueDate: '2026-12-20',
      instalmentCount: 6,
      officerId: null,
      loanCycle: 2,
    };
    await g.deliver('LoanDisbursed', c, loan);
    await g.deliver('LoanDisbursed', c, loan); // same loan, another event id
    const dispatches = await svc.db.selectFrom('survey_dispatch').select(['trigger', 'source_key']).where('customer_id', '=', c).execute();
    expect(dispatches).toEqual([{ trigger: 'AFTER_DISBURSEMENT', source_key: 'LOAN:loan-sv' }]);
  });
});
