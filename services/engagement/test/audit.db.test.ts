import { readFileSync } from 'node:fs';
import { type Identity, isoDate } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { type FieldDefinitionNode, Kind, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode, parse, type TypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/** Every Mutation field of the subgraph schema with the name of its input type. */
function mutationFields(): { name: string; inputType: string }[] {
  const doc = parse(readFileSync(new URL('../src/schema.graphql', import.meta.url), 'utf8'));
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
    // a job run is audited under the job's name, by the administrator who asked for it
    runEngagementJob: () =>
      run('runEngagementJob', { job: 'COMPLAINT_SLA', asOf: isoDate(new Date()) }, 'counts { name value }', { as: admin, action: 'job:complaint-sla' }),
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
