import { type Identity, isoDate, subgraphSdl } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { type FieldDefinitionNode, Kind, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode, parse, type TypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/** Every Mutation field of the subgraph schema with the name of its input type. */
function mutationFields(): { name: string; inputType: string }[] {
  // schema.graphql and the area files of src/schema/ (extend type Mutation), as the runtime loads them
  const doc = parse(subgraphSdl(new URL('../src/schema.graphql', import.meta.url)));
  const named = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : named(t.type));
  return doc.definitions
    .filter(
      (d): d is ObjectTypeDefinitionNode | ObjectTypeExtensionNode =>
        (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === 'Mutation',
    )
    .flatMap((d) => d.fields ?? [])
    .map((f: FieldDefinitionNode) => {
      const arg = f.arguments?.find((a) => a.name.value === 'input');
      if (!arg) throw new Error(`Mutation ${f.name.value} takes no input argument`);
      return { name: f.name.value, inputType: named(arg.type) };
    });
}

/** A branch manager may call every engagement mutation but runEngagementJob (administrators). */
const manager: Identity = { userId: 'manager-audit', roles: ['branch_manager'], branchId: 'BR-AUD' };
const admin: Identity = { ...staff.admin, userId: 'admin-audit' };

describe('every engagement mutation writes an audit record with its caller', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const fields = mutationFields();
  const ran = new Map<string, { actor: Identity; action: string; result: Record<string, unknown> }>();
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
    await g.customer('aud-1', { branchId: 'BR-AUD', relationshipManagerId: 'rm-aud', birthDate: '1990-03-15' });
    await g.consent('aud-1', true, '2026-01-01T00:00:00.000Z');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  /** Runs one mutation with valid input: it must succeed without user errors. */
  async function run(name: string, input: Record<string, unknown>, selection: string, options: { as?: Identity; action?: string } = {}) {
    const field = fields.find((f) => f.name === name);
    if (!field) throw new Error(`${name} is not a Mutation field`);
    const as = options.as ?? manager;
    const res = await svc.graphql<Record<string, Record<string, unknown> & { userErrors: unknown[] }>>(
      `mutation($input: ${field.inputType}!) { ${name}(input: $input) { ${selection} userErrors { field code message } } }`,
      { input },
      as,
    );
    expect(res.errors, name).toBeUndefined();
    const payload = res.data?.[name];
    expect(payload?.userErrors, name).toEqual([]);
    ran.set(name, { actor: as, action: options.action ?? name, result: payload ?? {} });
    return payload ?? {};
  }
  const id = (value: unknown, path: string[]): string => {
    const found = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | null | undefined)?.[k], value);
    expect(typeof found, path.join('.')).toBe('string');
    return found as string;
  };
  const future = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
  /** An open enquiry of aud-1, received outside the audited runs. */
  const auditEnquiry = async (question: string) => {
    const res = await svc.graphql<{ receiveEnquiry: { enquiry: { id: string } } }>(
      `mutation($input: ReceiveEnquiryInput!) { receiveEnquiry(input: $input) { enquiry { id } } }`,
      { input: { customerId: 'aud-1', channel: 'BRANCH', question } },
      manager,
    );
    return id(res.data, ['receiveEnquiry', 'enquiry', 'id']);
  };

  /** One valid run of each mutation, in an order where each can use what the previous ones created. */
  const scenarios: Record<string, () => Promise<unknown>> = {
    logInteraction: () =>
      run(
        'logInteraction',
        { customerId: 'aud-1', channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'Called about fees' },
        'interaction { id }',
      ),
    createTask: () => run('createTask', { customerId: 'aud-1', type: 'FOLLOW_UP', title: 'Call back', dueAt: future() }, 'task { id }'),
    startTask: () => run('startTask', { taskId: id(ran.get('createTask')?.result, ['task', 'id']) }, 'task { id }'),
    completeTask: () =>
      run(
        'completeTask',
        { taskId: id(ran.get('createTask')?.result, ['task', 'id']), interactionId: id(ran.get('logInteraction')?.result, ['interaction', 'id']) },
        'task { id }',
      ),
    cancelTask: async () => {
      const other = await svc.graphql<{ createTask: { task: { id: string } } }>(
        `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } } }`,
        { input: { customerId: 'aud-1', type: 'FOLLOW_UP', title: 'Second call', dueAt: future() } },
        manager,
      );
      return run('cancelTask', { taskId: other.data?.createTask.task.id, reason: 'not needed' }, 'task { id }');
    },
    receiveComplaint: () =>
      run(
        'receiveComplaint',
        { customerId: 'aud-1', kind: 'COMPLAINT', category: 'FEES', severity: 'LOW', channel: 'PHONE', description: 'Fees too high' },
        'complaint { id }',
      ),
    changeComplaintStatus: () =>
      run('changeComplaintStatus', { complaintId: id(ran.get('receiveComplaint')?.result, ['complaint', 'id']), status: 'ACKNOWLEDGED' }, 'complaint { id }'),
    resolveComplaint: () =>
      run('resolveComplaint', { complaintId: id(ran.get('receiveComplaint')?.result, ['complaint', 'id']), resolution: 'Fee refunded' }, 'complaint { id }'),
    defineSurvey: () =>
      run('defineSurvey', { name: 'Audit pulse', questions: [{ code: 'nps', kind: 'NPS', text: 'Would you recommend us?' }] }, 'survey { id }'),
    dispatchSurvey: () =>
      run('dispatchSurvey', { surveyId: id(ran.get('defineSurvey')?.result, ['survey', 'id']), customerIds: ['aud-1'] }, 'dispatches { id }'),
    respondToSurvey: () => {
      const dispatches = ran.get('dispatchSurvey')?.result.dispatches as { id: string }[];
      return run('respondToSurvey', { dispatchId: dispatches[0]?.id, answers: [{ code: 'nps', score: 9 }] }, 'response { id }');
    },
    defineCareHoliday: () => run('defineCareHoliday', { code: 'AUDIT_DAY', onDate: '2027-05-01', name: 'Audit day' }, 'holiday { code }'),
    markCareGreetingSent: async () => {
      await svc.jobs.run('care-greetings', '2027-03-15');
      const greeting = await svc.db.selectFrom('care_greeting').select('id').where('customer_id', '=', 'aud-1').executeTakeFirstOrThrow();
      return run('markCareGreetingSent', { greetingId: greeting.id }, 'greeting { id }');
    },
    createCareEvent: () => run('createCareEvent', { title: 'Budgeting talk', kind: 'EDUCATION_TALK', branchId: 'BR-AUD', startsAt: future() }, 'event { id }'),
    inviteToCareEvent: () =>
      run('inviteToCareEvent', { eventId: id(ran.get('createCareEvent')?.result, ['event', 'id']), customerIds: ['aud-1'] }, 'event { id }'),
    recordCareEventAttendance: async () => {
      const eventId = id(ran.get('createCareEvent')?.result, ['event', 'id']);
      await g.careEventTookPlace(eventId);
      return run('recordCareEventAttendance', { eventId, attendedCustomerIds: ['aud-1'] }, 'event { id }');
    },
    updateEngagementSettings: () => run('updateEngagementSettings', { postLoanVisitDays: 12 }, 'settings { postLoanVisitDays }'),
    // service levels and contact rules (issue 15): the branch manager sets their branch's row; conduct rules are the administrator's
    setServiceLevel: () => run('setServiceLevel', { branchId: 'BR-AUD', kind: 'GRADE', code: 'VIP', taskDuePercent: 60 }, 'serviceLevel { code }'),
    setContactRules: () =>
      run('setContactRules', { limits: [{ purpose: 'MARKETING', maxContacts: 3, periodDays: 30 }] }, 'rules { limits { maxContacts } }', { as: admin }),
    // a job run is audited under the job's name, by the administrator who asked for it
    runEngagementJob: () =>
      run('runEngagementJob', { job: 'COMPLAINT_SLA', asOf: isoDate(new Date()) }, 'counts { name value }', { as: admin, action: 'job:complaint-sla' }),
    // service centre (issue 15)
    createKnowledgeArticle: () =>
      run('createKnowledgeArticle', { question: 'Can I repay early?', answer: 'Yes, without a fee.', tags: ['repayment'] }, 'article { id }'),
    updateKnowledgeArticle: () =>
      run('updateKnowledgeArticle', { articleId: id(ran.get('createKnowledgeArticle')?.result, ['article', 'id']), product: 'MICRO' }, 'article { id }'),
    receiveEnquiry: () => run('receiveEnquiry', { customerId: 'aud-1', channel: 'PHONE', question: 'Can I repay my loan early?' }, 'enquiry { id }'),
    answerEnquiry: () =>
      run(
        'answerEnquiry',
        { enquiryId: id(ran.get('receiveEnquiry')?.result, ['enquiry', 'id']), articleId: id(ran.get('createKnowledgeArticle')?.result, ['article', 'id']) },
        'enquiry { id }',
      ),
    retireKnowledgeArticle: () =>
      run('retireKnowledgeArticle', { articleId: id(ran.get('createKnowledgeArticle')?.result, ['article', 'id']) }, 'article { id }'),
    handOverEnquiry: async () => {
      const enquiryId = await auditEnquiry('The collector was rude');
      return run('handOverEnquiry', { enquiryId, kind: 'COMPLAINT' }, 'lead { id }');
    },
    openLeadComplaint: () =>
      run(
        'openLeadComplaint',
        { leadId: id(ran.get('handOverEnquiry')?.result, ['lead', 'id']), category: 'COLLECTION_CONDUCT', severity: 'LOW' },
        'lead { id }',
      ),
    changeLeadStatus: async () => {
      const enquiryId = await auditEnquiry('I need a top-up');
      const lead = await svc.graphql<{ handOverEnquiry: { lead: { id: string } } }>(
        `mutation($input: HandOverEnquiryInput!) { handOverEnquiry(input: $input) { lead { id } } }`,
        { input: { enquiryId, kind: 'TOP_UP' } },
        manager,
      );
      return run('changeLeadStatus', { leadId: lead.data?.handOverEnquiry.lead.id, status: 'CONTACTED' }, 'lead { id }');
    },
    // expert help (issue 15): the branch manager is the expert asked, so may answer
    registerExpert: () => run('registerExpert', { userId: manager.userId, name: 'Audit Expert', fields: ['LEGAL'], branchId: 'BR-AUD' }, 'expert { id }'),
    updateExpert: () =>
      run('updateExpert', { expertId: id(ran.get('registerExpert')?.result, ['expert', 'id']), fields: ['LEGAL', 'INDUSTRY'] }, 'expert { id }'),
    setConsultationDueTime: () => run('setConsultationDueTime', { field: 'LEGAL', dueWithinHours: 24 }, 'dueTime { field }'),
    requestConsultation: () =>
      run(
        'requestConsultation',
        { expertId: id(ran.get('registerExpert')?.result, ['expert', 'id']), customerId: 'aud-1', field: 'LEGAL', question: 'Is the pledge valid?' },
        'consultation { id }',
      ),
    answerConsultation: () =>
      run('answerConsultation', { consultationId: id(ran.get('requestConsultation')?.result, ['consultation', 'id']), answer: 'Yes' }, 'consultation { id }'),
    cancelConsultation: async () => {
      const other = await svc.graphql<{ requestConsultation: { consultation: { id: string } } }>(
        `mutation($input: RequestConsultationInput!) { requestConsultation(input: $input) { consultation { id } } }`,
        { input: { expertId: id(ran.get('registerExpert')?.result, ['expert', 'id']), customerId: 'aud-1', field: 'INDUSTRY', question: 'Season?' } },
        manager,
      );
      return run('cancelConsultation', { consultationId: other.data?.requestConsultation.consultation.id }, 'consultation { id }');
    },
    // notifications and visits and reviews by risk (issue 15)
    upsertNotificationTemplate: () =>
      run(
        'upsertNotificationTemplate',
        { kind: 'DUE_REMINDER', channel: 'SMS', language: 'fr', body: 'Échéance le {{dueDate}} : {{amountDue}} {{currency}}' },
        'template { id }',
      ),
    updateNotificationSettings: () =>
      run('updateNotificationSettings', { defaultLanguage: 'fr', branchLanguages: [{ branchId: 'BR-AUD', language: 'wo' }] }, 'settings { defaultLanguage }'),
    setMonitoringCadence: () =>
      run(
        'setMonitoringCadence',
        {
          bands: ['NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS'].map((riskClass) => ({
            riskClass,
            minPrincipal: '0',
            visitEveryDays: 90,
            reviewEveryDays: 180,
          })),
        },
        'bands { riskClass }',
      ),
    recordVisitOutcome: async () => {
      await g.deliver('LoanDisbursed', 'aud-1', {
        loanId: 'aud-loan',
        customerId: 'aud-1',
        productCode: 'MICRO',
        principal: '1000.00',
        currency: 'XOF',
        disbursedOn: '2026-01-05',
        firstDueDate: '2026-02-05',
        instalmentCount: 6,
        officerId: 'rm-aud',
        loanCycle: 1,
      });
      const visit = await svc.db
        .selectFrom('task')
        .select('id')
        .where('loan_id', '=', 'aud-loan')
        .where('type', '=', 'POST_LOAN_VISIT')
        .executeTakeFirstOrThrow();
      return run(
        'recordVisitOutcome',
        { taskId: visit.id, visitedOn: '2026-01-10', customerMet: true, businessOperating: true, fundUseAsDeclared: true },
        'task { id }',
      );
    },
    setBranchManager: () => run('setBranchManager', { branchId: 'BR-AUD', managerId: manager.userId }, 'branchManager { branchId }'),
    // next-best offers and retention outcomes (issue 15): a rule every consenting customer meets, an offer answered
    upsertOfferRule: () =>
      run(
        'upsertOfferRule',
        { code: 'AUDIT_REWARD', kind: 'REWARD', title: 'Audit reward', priority: 10, conditions: { maxDaysPastDue: 1000 }, validDays: 30, cooldownDays: 30 },
        'rule { code }',
        { as: admin },
      ),
    recordOfferOutcome: async () => {
      await svc.jobs.run('next-best-offers', isoDate(new Date()));
      const offer = await svc.db.selectFrom('offer').select('id').where('customer_id', '=', 'aud-1').where('status', '=', 'OPEN').executeTakeFirstOrThrow();
      return run('recordOfferOutcome', { offerId: offer.id, outcome: 'NOT_NOW' }, 'offer { id }');
    },
    recordRetentionOutcome: async () => {
      await g.deliver('CustomerGradeAtRisk', 'aud-1', {
        customerId: 'aud-1',
        grade: 'VIP',
        projectedGrade: 'PREMIUM',
        score: '70.00',
        floor: '75.00',
        windowEndsOn: '2027-12-31',
      });
      const task = await svc.db.selectFrom('task').select('id').where('customer_id', '=', 'aud-1').where('type', '=', 'RETENTION').executeTakeFirstOrThrow();
      return run('recordRetentionOutcome', { taskId: task.id, outcome: 'SAVED' }, 'task { id }');
    },
  };

  it('has a valid run for every Mutation field of the schema', () => {
    expect(fields.length).toBeGreaterThan(0);
    expect(Object.keys(scenarios).sort()).toEqual(fields.map((f) => f.name).sort());
  });

  it('records each mutation in audit_log as SUCCEEDED with the caller as actor', async () => {
    for (const name of Object.keys(scenarios)) await scenarios[name]?.();
    const rows = await svc.db.selectFrom('audit_log').select(['action', 'actor_id', 'outcome', 'entity_type', 'entity_id']).execute();
    const missing = fields
      .map((f) => f.name)
      .filter((name) => {
        const done = ran.get(name);
        if (!done) return true;
        // the command's own record names the entity it acted on; the access layer's fallback for a
        // mutation that wrote none (see service-kit access.ts) names none and does not count
        return !rows.some(
          (r) => r.action === done.action && r.actor_id === done.actor.userId && r.outcome === 'SUCCEEDED' && r.entity_type !== null && r.entity_id !== null,
        );
      });
    expect(missing).toEqual([]);
    // and through the API: the audit trail names the caller for a mutation
    const trail = await svc.graphql<{ engagementAuditTrail: { edges: { node: { action: string; actorId: string } }[] } }>(
      `query($actorId: String) { engagementAuditTrail(filter: { actorId: $actorId }, first: 50) { edges { node { action actorId } } } }`,
      { actorId: manager.userId },
      staff.admin,
    );
    expect(trail.errors).toBeUndefined();
    expect(trail.data?.engagementAuditTrail.edges.map((e) => e.node)).toContainEqual({ action: 'logInteraction', actorId: manager.userId });
  });
});
