import type { Identity } from '@crm/service-kit';
import { eventually, staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { isConsultationOverdue } from '../src/domain/experts.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * Expert help for officers (issue 15): the directory by field and branch, consultations about a
 * customer (and loan) due by the field's due time, answered by the expert asked only, cancelled,
 * overdue in SQL as in the domain rule, visible on the customer, within the branch scope.
 */
type Errors = { field: string | null; code: string }[];
type GqlError = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };

const officer = staff.officer; // loan officer of BR-001
const officer2: Identity = { userId: 'officer-9b', roles: ['loan_officer'], branchId: 'BR-002' };
const manager: Identity = { userId: 'bm-9', roles: ['branch_manager'], branchId: 'BR-001' };
const manager2: Identity = { userId: 'bm-9b', roles: ['branch_manager'], branchId: 'BR-002' };
/** An institution-wide legal expert (a risk officer) and a BR-001 valuation expert (a loan officer). */
const lawyer: Identity = { userId: 'lawyer-9', roles: ['risk_officer'] };
const valuer: Identity = { userId: 'valuer-9', roles: ['loan_officer'], branchId: 'BR-001' };
const farmExpert: Identity = { userId: 'farm-9', roles: ['loan_officer'], branchId: 'BR-002' };

const EXPERT = 'id userId name fields branchId active';
const CONSULTATION =
  'id customer { id } loanId expert { id userId } expertUserId requesterId field question status requestedAt dueAt overdue answer answeredAt cancelledAt cancelledBy';

type Expert = { id: string; userId: string; name: string; fields: string[]; branchId: string | null; active: boolean };
type Consultation = {
  id: string;
  status: string;
  field: string;
  requestedAt: string;
  dueAt: string;
  overdue: boolean;
  answer: string | null;
  question: string | null;
  expert: { id: string; userId: string };
};

describe('expert help: directory, consultations, due times', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const experts: Record<string, Expert> = {};
  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_experts' });
    g = given(svc);
    await g.customer('ex-1', { branchId: 'BR-001', relationshipManagerId: officer.userId, displayName: 'Awa Ndiaye' });
    await g.customer('ex-2', { branchId: 'BR-002', relationshipManagerId: 'rm-9b', displayName: 'Moussa Diop' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const mutate = async <T = Record<string, unknown>>(field: string, inputType: string, input: Record<string, unknown>, selection: string, as: Identity) => {
    const res = await svc.graphql<Record<string, T & { userErrors: Errors }>>(
      `mutation($input: ${inputType}!) { ${field}(input: $input) { ${selection} userErrors { field code } } }`,
      { input },
      as,
    );
    return { data: res.data?.[field], errors: res.errors as GqlError[] | undefined };
  };
  const register = (input: Record<string, unknown>, as: Identity) =>
    mutate<{ expert: Expert | null }>('registerExpert', 'RegisterExpertInput', input, `expert { ${EXPERT} }`, as);
  const ask = (input: Record<string, unknown>, as: Identity = officer) =>
    mutate<{ consultation: Consultation | null }>('requestConsultation', 'RequestConsultationInput', input, `consultation { ${CONSULTATION} }`, as);
  const reply = (input: Record<string, unknown>, as: Identity) =>
    mutate<{ consultation: Consultation | null }>('answerConsultation', 'AnswerConsultationInput', input, `consultation { ${CONSULTATION} }`, as);
  const cancel = (input: Record<string, unknown>, as: Identity) =>
    mutate<{ consultation: Consultation | null }>('cancelConsultation', 'CancelConsultationInput', input, `consultation { ${CONSULTATION} }`, as);
  const directory = async (as: Identity, filter: Record<string, unknown> = {}) => {
    const res = await svc.graphql<{ experts: { totalCount: number; edges: { node: Expert }[] } }>(
      `query($filter: ExpertFilter) { experts(filter: $filter, first: 50) { totalCount edges { node { ${EXPERT} } } } }`,
      { filter },
      as,
    );
    expect(res.errors).toBeUndefined();
    return res.data?.experts.edges.map((e) => e.node.userId);
  };

  it('keeps the directory: a branch manager their branch’s experts, administrators the institution-wide ones', async () => {
    const wide = await register({ userId: lawyer.userId, name: 'Maître Diouf', fields: ['LEGAL', 'RESTRUCTURING'] }, manager);
    expect(wide.data?.userErrors).toEqual([{ field: 'branchId', code: 'ADMINISTRATOR_REQUIRED' }]);
    const foreign = await register({ userId: valuer.userId, name: 'Aïssatou Kane', fields: ['COLLATERAL_VALUATION'], branchId: 'BR-002' }, manager);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await register({ userId: 'x', name: ' ', fields: [] }, staff.admin)).data?.userErrors).toEqual([
      { field: 'name', code: 'TOO_SMALL' },
      { field: 'fields', code: 'TOO_SMALL' },
    ]);
    const created = [
      await register({ userId: lawyer.userId, name: 'Maître Diouf', fields: ['RESTRUCTURING', 'LEGAL', 'LEGAL'] }, staff.admin),
      await register({ userId: valuer.userId, name: 'Aïssatou Kane', fields: ['COLLATERAL_VALUATION', 'INDUSTRY'], branchId: 'BR-001' }, manager),
      await register({ userId: farmExpert.userId, name: 'Babacar Ndiaye', fields: ['INDUSTRY'], branchId: 'BR-002' }, manager2),
    ];
    for (const c of created) {
      expect(c.data?.userErrors).toEqual([]);
      const e = c.data?.expert as Expert;
      experts[e.userId] = e;
    }
    expect(experts[lawyer.userId]).toMatchObject({ fields: ['LEGAL', 'RESTRUCTURING'], branchId: null, active: true });
    expect((await register({ userId: valuer.userId, name: 'Again', fields: ['LEGAL'], branchId: 'BR-001' }, manager)).data?.userErrors).toEqual([
      { field: 'userId', code: 'EXPERT_ALREADY_REGISTERED' },
    ]);
    // by name; a branch sees its own experts and the institution-wide ones
    expect(await directory(officer)).toEqual([valuer.userId, lawyer.userId]);
    expect(await directory(officer2)).toEqual([farmExpert.userId, lawyer.userId]);
    expect(await directory(staff.analyst)).toEqual([valuer.userId, farmExpert.userId, lawyer.userId]);
    expect(await directory(staff.analyst, { field: 'INDUSTRY' })).toEqual([valuer.userId, farmExpert.userId]);
    expect(await directory(staff.analyst, { institutionWide: true })).toEqual([lawyer.userId]);
    expect(await directory(staff.analyst, { branchId: 'BR-002' })).toEqual([farmExpert.userId]);
    const hidden = await svc.graphql<{ expert: Expert | null }>(`query($id: ID!) { expert(id: $id) { id } }`, { id: experts[farmExpert.userId]?.id }, officer);
    expect(hidden.data?.expert).toBeNull();
  });

  it('sets the due time per field (1 hour to a year), for consultations asked from then on', async () => {
    const DUE = `query { consultationDueTimes { field dueWithinHours } }`;
    const due = await svc.graphql<{ consultationDueTimes: { field: string; dueWithinHours: number }[] }>(DUE, {}, officer);
    expect(due.data?.consultationDueTimes).toEqual([
      { field: 'COLLATERAL_VALUATION', dueWithinHours: 120 },
      { field: 'INDUSTRY', dueWithinHours: 48 },
      { field: 'LEGAL', dueWithinHours: 72 },
      { field: 'RESTRUCTURING', dueWithinHours: 48 },
    ]);
    const SET = 'dueTime { field dueWithinHours }';
    for (const [hours, code] of [
      [0, 'TOO_SMALL'],
      [8761, 'TOO_BIG'],
    ] as const) {
      const refused = await mutate('setConsultationDueTime', 'SetConsultationDueTimeInput', { field: 'LEGAL', dueWithinHours: hours }, SET, manager);
      expect(refused.data?.userErrors).toEqual([{ field: 'dueWithinHours', code }]);
    }
    const set = await mutate('setConsultationDueTime', 'SetConsultationDueTimeInput', { field: 'LEGAL', dueWithinHours: 24 }, SET, manager);
    expect(set.data).toEqual({ dueTime: { field: 'LEGAL', dueWithinHours: 24 }, userErrors: [] });
    const officerRefused = await mutate('setConsultationDueTime', 'SetConsultationDueTimeInput', { field: 'LEGAL', dueWithinHours: 2 }, SET, officer);
    expect(officerRefused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('asks an active expert covering the field about a customer in scope, due by the field’s time; refusals write nothing', async () => {
    const before = await svc.db.selectFrom('consultation').select('id').execute();
    const lawyerId = experts[lawyer.userId]?.id;
    const farmId = experts[farmExpert.userId]?.id;
    expect((await ask({ expertId: lawyerId, customerId: 'nobody', field: 'LEGAL', question: 'Pledge?' })).data?.userErrors).toEqual([
      { field: 'customerId', code: 'CUSTOMER_NOT_FOUND' },
    ]);
    expect((await ask({ expertId: lawyerId, customerId: 'ex-1', field: 'INDUSTRY', question: 'Season?' })).data?.userErrors).toEqual([
      { field: 'field', code: 'FIELD_NOT_COVERED' },
    ]);
    // a BR-002 expert is not in a BR-001 officer's directory
    expect((await ask({ expertId: farmId, customerId: 'ex-1', field: 'INDUSTRY', question: 'Season?' })).data?.userErrors).toEqual([
      { field: 'expertId', code: 'EXPERT_NOT_FOUND' },
    ]);
    expect((await ask({ expertId: lawyerId, customerId: 'ex-1', field: 'LEGAL', question: '   ' })).data?.userErrors).toEqual([
      { field: 'question', code: 'TOO_SMALL' },
    ]);
    expect((await ask({ expertId: lawyerId, customerId: 'ex-2', field: 'LEGAL', question: 'Pledge?' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await svc.db.selectFrom('consultation').select('id').execute()).toEqual(before);

    const asked = await ask({ expertId: lawyerId, customerId: 'ex-1', loanId: 'loan-9-1', field: 'LEGAL', question: 'Is the pledge on the van enforceable?' });
    expect(asked.data?.userErrors).toEqual([]);
    const c = asked.data?.consultation as Consultation;
    expect(c).toMatchObject({ status: 'OPEN', field: 'LEGAL', overdue: false, expert: { userId: lawyer.userId }, answer: null });
    // LEGAL was set to 24 hours
    expect(new Date(c.dueAt).getTime() - new Date(c.requestedAt).getTime()).toBe(24 * 3_600_000);
    expect(await g.outboxTypes('ex-1')).toContain('ConsultationRequested');
    const replay = await ask({ expertId: lawyerId, customerId: 'ex-1', field: 'LEGAL', question: 'Again?', idempotencyKey: 'cons-9' });
    const replayed = await ask({ expertId: lawyerId, customerId: 'ex-1', field: 'LEGAL', question: 'Again?', idempotencyKey: 'cons-9' });
    expect(replayed.data?.consultation?.id).toBe(replay.data?.consultation?.id);

    // an inactive expert is asked nothing new
    const valuerId = experts[valuer.userId]?.id;
    const off = await mutate<{ expert: Expert }>('updateExpert', 'UpdateExpertInput', { expertId: valuerId, active: false }, `expert { ${EXPERT} }`, manager);
    expect(off.data?.expert.active).toBe(false);
    expect((await ask({ expertId: valuerId, customerId: 'ex-1', field: 'INDUSTRY', question: 'Stock value?' })).data?.userErrors).toEqual([
      { field: 'expertId', code: 'EXPERT_INACTIVE' },
    ]);
    expect(
      (await mutate('updateExpert', 'UpdateExpertInput', { expertId: valuerId, active: true }, `expert { ${EXPERT} }`, manager2)).errors?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');
    await mutate('updateExpert', 'UpdateExpertInput', { expertId: valuerId, active: true }, `expert { ${EXPERT} }`, manager);
  });

  it('lets only the expert asked answer, once, whatever the customer’s branch; the requester or the branch may cancel', async () => {
    const lawyerId = experts[lawyer.userId]?.id;
    const asked = await ask({ expertId: lawyerId, customerId: 'ex-1', field: 'RESTRUCTURING', question: 'Payment holiday or term extension?' });
    const id = asked.data?.consultation?.id;
    expect((await reply({ consultationId: id, answer: 'Term extension' }, officer)).data?.userErrors).toEqual([
      { field: 'consultationId', code: 'NOT_THE_EXPERT' },
    ]);
    expect((await reply({ consultationId: id, answer: ' ' }, lawyer)).data?.userErrors).toEqual([{ field: 'answer', code: 'TOO_SMALL' }]);
    const answered = await reply({ consultationId: id, answer: 'A term extension: the business is seasonal.' }, lawyer);
    expect(answered.data?.consultation).toMatchObject({ status: 'ANSWERED', answer: 'A term extension: the business is seasonal.', overdue: false });
    expect((await reply({ consultationId: id, answer: 'Again' }, lawyer)).data?.userErrors).toEqual([
      { field: 'consultationId', code: 'CONSULTATION_NOT_OPEN' },
    ]);
    expect((await g.outboxTypes('ex-1')).slice(-1)).toEqual(['ConsultationAnswered']);

    // a BR-002 expert (once asked by a BR-002 officer about a BR-002 customer) is not a way into BR-001
    const other = await ask({ expertId: experts[farmExpert.userId]?.id, customerId: 'ex-2', field: 'INDUSTRY', question: 'Groundnut prices?' }, officer2);
    expect(other.data?.userErrors).toEqual([]);
    const otherId = other.data?.consultation?.id;
    expect((await svc.graphql(`query($id: ID!) { consultation(id: $id) { id } }`, { id: otherId }, officer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await cancel({ consultationId: otherId }, officer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // the institution-wide expert answers about a BR-002 customer when asked
    const wide = await ask({ expertId: lawyerId, customerId: 'ex-2', field: 'LEGAL', question: 'Guarantor valid?' }, officer2);
    const lawyerSees = await svc.graphql<{ consultation: Consultation }>(
      `query($id: ID!) { consultation(id: $id) { id question } }`,
      { id: wide.data?.consultation?.id },
      {
        ...lawyer,
        roles: ['loan_officer'],
        branchId: 'BR-001',
      },
    );
    expect(lawyerSees.data?.consultation.question).toBe('Guarantor valid?');

    const cancelled = await cancel({ consultationId: otherId, reason: 'Asked the wrong expert' }, manager2);
    expect(cancelled.data?.consultation).toMatchObject({ status: 'CANCELLED', cancelledBy: manager2.userId });
    expect((await cancel({ consultationId: otherId }, officer2)).data?.userErrors).toEqual([{ field: 'consultationId', code: 'CONSULTATION_NOT_OPEN' }]);
    expect((await g.outboxTypes('ex-2')).slice(-1)).toEqual(['ConsultationCancelled']);
  });

  it('finds overdue consultations (still open after the due time) in SQL as the domain rule does, and shows them on the customer', async () => {
    const lawyerId = experts[lawyer.userId]?.id;
    const late = (await ask({ expertId: lawyerId, customerId: 'ex-1', field: 'LEGAL', question: 'Late one' })).data?.consultation as Consultation;
    const lateAnswered = (await ask({ expertId: lawyerId, customerId: 'ex-1', field: 'LEGAL', question: 'Late but answered' })).data
      ?.consultation as Consultation;
    await reply({ consultationId: lateAnswered.id, answer: 'Done' }, lawyer);
    // both fell due an hour ago
    await svc.db
      .updateTable('consultation')
      .set({ due_at: new Date(Date.now() - 3_600_000) })
      .where('id', 'in', [late.id, lateAnswered.id])
      .execute();
    const LIST = `query($filter: ConsultationFilter) { consultations(filter: $filter, first: 100) { totalCount edges { node { id status overdue dueAt } } } }`;
    type List = {
      consultations: { totalCount: number; edges: { node: { id: string; status: 'OPEN' | 'ANSWERED' | 'CANCELLED'; overdue: boolean; dueAt: string } }[] };
    };
    const overdue = await svc.graphql<List>(LIST, { filter: { overdue: true } }, officer);
    expect(overdue.data?.consultations.edges.map((e) => e.node.id)).toEqual([late.id]);
    expect(overdue.data?.consultations.totalCount).toBe(1);
    // the SQL filter and the domain rule agree on every consultation
    const all = await svc.graphql<List>(LIST, {}, staff.admin);
    const notOverdue = await svc.graphql<List>(LIST, { filter: { overdue: false } }, staff.admin);
    const now = new Date();
    const byRule = (all.data?.consultations.edges ?? []).filter((e) => isConsultationOverdue({ status: e.node.status, dueAt: new Date(e.node.dueAt) }, now));
    expect(byRule.map((e) => e.node.id)).toEqual([late.id]);
    expect(byRule.every((e) => e.node.overdue)).toBe(true);
    expect(notOverdue.data?.consultations.totalCount).toBe((all.data?.consultations.totalCount ?? 0) - 1);
    // the lawyer's own queue: what they were asked, whatever the branch
    const queue = await svc.graphql<List>(LIST, { filter: { expertUserId: lawyer.userId, status: ['OPEN'] } }, lawyer);
    expect(queue.data?.consultations.edges.map((e) => e.node.id)).toContain(late.id);

    // on the customer: newest first, filtered, counted; one statement per field whatever the number of customers
    const CUSTOMER = `query($reps: [_Any!]!, $overdue: Boolean) { _entities(representations: $reps) { ... on Customer { id
      consultations(first: 2, overdue: $overdue) { totalCount edges { node { id question status overdue } } pageInfo { hasNextPage endCursor } }
      answered: consultations(status: [ANSWERED]) { totalCount }
    } } }`;
    type Entities = {
      _entities: {
        id: string;
        consultations: { totalCount: number; edges: { node: { id: string; overdue: boolean; question: string | null } }[]; pageInfo: { hasNextPage: boolean } };
        answered: { totalCount: number };
      }[];
    };
    const reps = [
      { __typename: 'Customer', id: 'ex-1' },
      { __typename: 'Customer', id: 'ex-2' },
    ];
    const seen = await svc.graphql<Entities>(CUSTOMER, { reps }, staff.admin);
    expect(seen.errors).toBeUndefined();
    const ex1 = seen.data?._entities[0];
    const ex1Rows = await svc.db.selectFrom('consultation').select(['id', 'status']).where('customer_id', '=', 'ex-1').orderBy('id', 'desc').execute();
    expect(ex1?.consultations.totalCount).toBe(ex1Rows.length);
    expect(ex1?.consultations.edges.map((e) => e.node.id)).toEqual(ex1Rows.slice(0, 2).map((r) => r.id));
    expect(ex1?.consultations.pageInfo.hasNextPage).toBe(true);
    expect(ex1?.answered.totalCount).toBe(ex1Rows.filter((r) => r.status === 'ANSWERED').length);
    const onlyOverdue = await svc.graphql<Entities>(CUSTOMER, { reps, overdue: true }, staff.admin);
    expect(onlyOverdue.data?._entities.map((c) => c.consultations.edges.map((e) => e.node.id))).toEqual([[late.id], []]);
    const one = await svc.graphql<Entities>(CUSTOMER, { reps: reps.slice(0, 1), overdue: true }, staff.admin);
    expect(onlyOverdue.extensions?.sqlStatements).toEqual(one.extensions?.sqlStatements);
    // a BR-001 officer sees ex-1's consultations, and of ex-2's only none (not theirs, not their branch)
    const officerView = await svc.graphql<Entities>(CUSTOMER, { reps }, officer);
    expect(officerView.data?._entities[1]?.consultations.totalCount).toBe(0);
    expect(officerView.data?._entities[0]?.consultations.totalCount).toBe(ex1Rows.length);
    // analysts see consultations without the question
    const analystView = await svc.graphql<Entities>(CUSTOMER, { reps }, staff.analyst);
    expect(analystView.data?._entities[0]?.consultations.edges.every((e) => e.node.question === null)).toBe(true);
  });

  it('reads consultations incrementally with changedSince: an answered one comes again', async () => {
    const FEED = `query($since: String!) { consultations(filter: { customerId: "ex-1" }, changedSince: $since, first: 500) { edges { node { id status } } pageInfo { endCursor } } }`;
    type Feed = { consultations: { edges: { node: { id: string; status: string } }[]; pageInfo: { endCursor: string } } };
    const pull = async (since: string) => {
      const r = await svc.graphql<Feed>(FEED, { since }, staff.analyst);
      expect(r.errors).toBeUndefined();
      return r.data?.consultations;
    };
    // the feed's horizon is server-wide: on a shared PostgreSQL another session's open transaction can hold rows back a moment
    const rows = await svc.db.selectFrom('consultation').select('id').where('customer_id', '=', 'ex-1').execute();
    const first = await eventually(async () => {
      const page = await pull('*');
      return page?.edges.length === rows.length ? page : undefined;
    }, 30_000);
    const open = first.edges.find((e) => e.node.status === 'OPEN')?.node.id;
    await reply({ consultationId: open, answer: 'Late, sorry' }, lawyer);
    const next = await eventually(async () => {
      const page = await pull(first.pageInfo.endCursor);
      return page?.edges.length ? page : undefined;
    }, 30_000);
    expect(next.edges.map((e) => e.node)).toEqual([{ id: open, status: 'ANSWERED' }]);
  });
});
