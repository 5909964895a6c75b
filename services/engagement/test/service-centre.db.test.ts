import type { Identity } from '@crm/service-kit';
import { eventually, staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * The service centre (issue 15): the knowledge base and its search, enquiries answered from it or
 * handed over as leads, leads converted by credit's events (once), complaints opened from leads,
 * branch scope, the feeds and the LEAD_CONVERSION_RATE KPI.
 */
type Errors = { field: string | null; code: string }[];
type GqlError = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };

const agent: Identity = { userId: 'agent-8', roles: ['service_agent'], branchId: 'BR-001' };
const officer = staff.officer; // loan officer of BR-001, relationship manager of sc8-1
const officer2: Identity = { userId: 'officer-8b', roles: ['loan_officer'], branchId: 'BR-002' };
const manager: Identity = { userId: 'bm-8', roles: ['branch_manager'], branchId: 'BR-001' };
const risk: Identity = { userId: 'risk-8', roles: ['risk_officer'] };

const ARTICLE = 'id question answer product tags status relevance createdBy updatedBy retiredAt';
const ENQUIRY = 'id customer { id } prospectName prospectPhone branchId channel question status receivedBy article { id } answer answeredBy lead { id kind }';
const LEAD =
  'id enquiry { id } customer { id } kind ownerId branchId status note outcome applicationId restructuringId complaint { id status channel assigneeId } closedAt';

describe('service centre: knowledge base, enquiries and leads', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_service_centre' });
    g = given(svc);
    await g.customer('sc8-1', { branchId: 'BR-001', relationshipManagerId: officer.userId, displayName: 'Awa Ndiaye' });
    await g.customer('sc8-2', { branchId: 'BR-002', relationshipManagerId: 'rm-8b', displayName: 'Moussa Diop' });
    await g.customer('sc8-3', { branchId: 'BR-001', relationshipManagerId: null, displayName: 'Fatou Sall' });
    // customers of one test each: their leads are converted by the applications delivered there
    await g.customer('sc8-4', { branchId: 'BR-001', relationshipManagerId: officer.userId, displayName: 'Khady Sow' });
    await g.customer('sc8-5', { branchId: 'BR-001', relationshipManagerId: officer.userId, displayName: 'Omar Ba' });
    await g.customer('sc8-6', { branchId: 'BR-001', relationshipManagerId: officer.userId, displayName: 'Binta Cissé' });
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
  type Article = { id: string; question: string; tags: string[]; status: string; relevance: string | null };
  const createArticle = (input: Record<string, unknown>, as: Identity = agent) =>
    mutate<{ article: Article | null }>('createKnowledgeArticle', 'CreateKnowledgeArticleInput', input, `article { ${ARTICLE} }`, as);
  const search = async (filter: Record<string, unknown>, first = 20, after?: string) => {
    const res = await svc.graphql<{
      knowledgeArticles: { totalCount: number; edges: { cursor: string; node: Article }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(
      `query($filter: KnowledgeArticleFilter, $first: Int, $after: String) { knowledgeArticles(filter: $filter, first: $first, after: $after) {
        totalCount edges { cursor node { ${ARTICLE} } } pageInfo { hasNextPage endCursor } } }`,
      { filter, first, after },
      officer,
    );
    return { data: res.data?.knowledgeArticles, errors: res.errors as GqlError[] | undefined };
  };
  type Enquiry = { id: string; status: string; question: string | null; prospectName: string | null; lead: { id: string; kind: string } | null };
  const receive = (input: Record<string, unknown>, as: Identity = agent) =>
    mutate<{ enquiry: Enquiry | null }>('receiveEnquiry', 'ReceiveEnquiryInput', input, `enquiry { ${ENQUIRY} }`, as);
  const answer = (input: Record<string, unknown>, as: Identity = agent) =>
    mutate<{ enquiry: (Enquiry & { article: { id: string } | null }) | null }>('answerEnquiry', 'AnswerEnquiryInput', input, `enquiry { ${ENQUIRY} }`, as);
  type Lead = {
    id: string;
    kind: string;
    ownerId: string | null;
    status: string;
    outcome: string | null;
    applicationId: string | null;
    restructuringId: string | null;
    complaint: { id: string; status: string; channel: string; assigneeId: string | null } | null;
    closedAt: string | null;
  };
  const handOver = (input: Record<string, unknown>, as: Identity = agent) =>
    mutate<{ enquiry: Enquiry | null; lead: Lead | null }>('handOverEnquiry', 'HandOverEnquiryInput', input, `enquiry { ${ENQUIRY} } lead { ${LEAD} }`, as);
  const changeLead = (input: Record<string, unknown>, as: Identity = officer) =>
    mutate<{ lead: Lead | null }>('changeLeadStatus', 'ChangeLeadStatusInput', input, `lead { ${LEAD} }`, as);
  const leadOf = async (id: string, as: Identity = officer) => {
    const res = await svc.graphql<{ lead: Lead | null }>(`query($id: ID!) { lead(id: $id) { ${LEAD} } }`, { id }, as);
    return { data: res.data?.lead, errors: res.errors as GqlError[] | undefined };
  };
  /** A customer's enquiry handed over as a lead of that kind (by the service agent). */
  const leadFor = async (customerId: string, kind: string, as: Identity = agent) => {
    const e = await receive({ customerId, channel: 'PHONE', question: `About a ${kind.toLowerCase()}` }, as);
    const h = await handOver({ enquiryId: e.data?.enquiry?.id, kind }, as);
    expect(h.data?.userErrors).toEqual([]);
    return h.data?.lead as Lead;
  };
  const loanApplied = (customerId: string, loanId: string, time?: Date) =>
    g.deliver(
      'LoanApplied',
      customerId,
      { loanId, customerId, productCode: 'MICRO', principal: '500000', currency: 'XOF', termCount: 6, officerId: officer.userId, purpose: 'stock' },
      time ? { time } : {},
    );
  const leadEvents = async (customerId: string) =>
    (await svc.db.selectFrom('event_outbox').select(['type', 'event']).where('key', '=', customerId).orderBy('seq').execute())
      .filter((r) => r.type.includes('LeadStatusChanged'))
      .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data as { leadId: string; status: string; applicationId: string | null });

  it('keeps a knowledge base: audited create, update and retire; refuses blank text; only service agents and branch managers write', async () => {
    const created = await createArticle({
      question: '  How do I repay my loan early? ',
      answer: 'Pay the balance at a branch.',
      product: 'MICRO',
      tags: ['Repayment', 'repayment', 'Fees'],
    });
    expect(created.data?.userErrors).toEqual([]);
    const article = created.data?.article as Article;
    expect(article).toMatchObject({ question: 'How do I repay my loan early?', tags: ['repayment', 'fees'], status: 'ACTIVE', relevance: null });
    const blank = await createArticle({ question: ' ', answer: 'x' });
    expect(blank.data?.userErrors).toEqual([{ field: 'question', code: 'TOO_SMALL' }]);
    for (const as of [officer, staff.analyst]) {
      const refused = await createArticle({ question: 'q?', answer: 'a' }, as);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const UPDATE = `article { ${ARTICLE} }`;
    const updated = await mutate<{ article: Article }>(
      'updateKnowledgeArticle',
      'UpdateKnowledgeArticleInput',
      { articleId: article.id, answer: 'Pay the balance by mobile money.' },
      UPDATE,
      manager,
    );
    expect(updated.data).toMatchObject({ article: { id: article.id, updatedBy: manager.userId }, userErrors: [] });
    const nothing = await mutate('updateKnowledgeArticle', 'UpdateKnowledgeArticleInput', { articleId: article.id }, UPDATE, manager);
    expect(nothing.data?.userErrors).toEqual([{ field: null, code: 'REQUIRED' }]);
    const unknown = await mutate('retireKnowledgeArticle', 'RetireKnowledgeArticleInput', { articleId: 'nope' }, UPDATE, manager);
    expect(unknown.data?.userErrors).toEqual([{ field: 'articleId', code: 'ARTICLE_NOT_FOUND' }]);
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'changes'])
      .where('entity_id', '=', article.id)
      .orderBy('occurred_at')
      .execute();
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([
      ['createKnowledgeArticle', 'SUCCEEDED'],
      ['updateKnowledgeArticle', 'SUCCEEDED'],
      ['updateKnowledgeArticle', 'REJECTED'],
    ]);
    expect(JSON.stringify(audit[1]?.changes)).toContain('mobile money');
  });

  it('searches the knowledge base in SQL: any word as a prefix, ranked (question first), keyset pages, filters; retired articles leave the search', async () => {
    const ids: Record<string, string> = {};
    for (const [key, input] of Object.entries({
      both: { question: 'Early repayment penalty', answer: 'There is no penalty to repay early.', tags: ['repayment'] },
      question: { question: 'Can I repay by mobile money?', answer: 'Yes, with the reference on your card.', tags: ['mobile'] },
      answer: { question: 'What fees do you charge?', answer: 'A processing fee; no fee to repay.', product: 'AGRI' },
      none: { question: 'Where are your branches?', answer: 'Dakar and Thiès.', tags: ['branches'] },
      retired: { question: 'Repayment holidays in 2020', answer: 'Covid relief, no longer offered.' },
    })) {
      const r = await createArticle(input);
      ids[key] = r.data?.article?.id ?? '';
    }
    await mutate('retireKnowledgeArticle', 'RetireKnowledgeArticleInput', { articleId: ids.retired }, 'article { id }', agent);
    const found = await search({ search: 'repay EARLY!' });
    expect(found.errors).toBeUndefined();
    const order = found.data?.edges.map((e) => e.node.id) ?? [];
    // "repay" is a prefix of repayment and repay; the question weighs most: both words in the question and answer first,
    // then the one asked in the question, then the one with the word in its answer only; the retired one is left out
    expect(order.filter((id) => Object.values(ids).includes(id))).toEqual([ids.both, ids.question, ids.answer]);
    expect(order).not.toContain(ids.retired);
    const relevances = found.data?.edges.map((e) => Number(e.node.relevance)) ?? [];
    expect(relevances).toEqual([...relevances].sort((a, b) => b - a));
    expect(found.data?.totalCount).toBe(order.length);
    // page by page, the same order
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await search({ search: 'repay early' }, 1, after);
      paged.push(...(page.data?.edges.map((e) => e.node.id) ?? []));
      if (!page.data?.pageInfo.hasNextPage) break;
      after = page.data.pageInfo.endCursor ?? undefined;
    }
    expect(paged).toEqual(order);
    expect((await search({ search: 'repay', tag: 'MOBILE' })).data?.edges.map((e) => e.node.id)).toEqual([ids.question]);
    expect((await search({ product: 'agri' })).data?.edges.map((e) => e.node.id)).toEqual([ids.answer]);
    expect((await search({ search: 'holidays', includeRetired: true })).data?.edges.map((e) => e.node.id)).toEqual([ids.retired]);
    expect((await search({ search: 'holidays' })).data?.edges).toEqual([]);
    const noWords = await search({ search: '?! -' });
    expect(noWords.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
    // an update changes what the search finds
    await mutate('updateKnowledgeArticle', 'UpdateKnowledgeArticleInput', { articleId: ids.none, tags: ['agencies', 'opening'] }, 'article { id }', agent);
    expect((await search({ search: 'agenc' })).data?.edges.map((e) => e.node.id)).toEqual([ids.none]);
    const retiredUpdate = await mutate(
      'updateKnowledgeArticle',
      'UpdateKnowledgeArticleInput',
      { articleId: ids.retired, answer: 'x' },
      'article { id }',
      agent,
    );
    expect(retiredUpdate.data?.userErrors).toEqual([{ field: 'articleId', code: 'ARTICLE_RETIRED' }]);
  });

  it('receives enquiries of customers and prospects, refuses bad ones writing nothing, and answers them from an active article once', async () => {
    const before = await svc.db.selectFrom('enquiry').select('id').execute();
    expect((await receive({ channel: 'PHONE', question: 'Hello?' })).data?.userErrors).toEqual([{ field: 'customerId', code: 'INCOMPLETE' }]);
    expect((await receive({ customerId: 'sc8-1', prospectName: 'Ali', channel: 'PHONE', question: 'Hello?' })).data?.userErrors).toEqual([
      { field: 'prospectName', code: 'INCOMPLETE' },
    ]);
    expect((await receive({ customerId: 'nobody', channel: 'PHONE', question: 'Hello?' })).data?.userErrors).toEqual([
      { field: 'customerId', code: 'CUSTOMER_NOT_FOUND' },
    ]);
    expect((await receive({ prospectName: 'Ali', prospectPhone: 'call me', channel: 'PHONE', question: 'Hello?' })).data?.userErrors).toEqual([
      { field: 'prospectPhone', code: 'INVALID_FORMAT' },
    ]);
    expect((await receive({ customerId: 'sc8-1', channel: 'PHONE', question: 'Hello?', receivedAt: '2099-01-01T00:00:00Z' })).data?.userErrors).toEqual([
      { field: 'receivedAt', code: 'DATE_IN_FUTURE' },
    ]);
    // a BR-001 agent may not record a BR-002 customer's enquiry, nor a prospect's for BR-002
    expect((await receive({ customerId: 'sc8-2', channel: 'PHONE', question: 'Hello?' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await receive({ prospectName: 'Ali', branchId: 'BR-002', channel: 'PHONE', question: 'Hello?' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await svc.db.selectFrom('enquiry').select('id').execute()).toEqual(before);

    const e = await receive({ customerId: 'sc8-1', channel: 'MESSAGING', question: 'Can I repay early without a penalty?', idempotencyKey: 'enq-8-1' });
    expect(e.data).toMatchObject({ enquiry: { status: 'OPEN', branchId: 'BR-001', customer: { id: 'sc8-1' }, receivedBy: agent.userId }, userErrors: [] });
    const again = await receive({ customerId: 'sc8-1', channel: 'MESSAGING', question: 'Can I repay early without a penalty?', idempotencyKey: 'enq-8-1' });
    expect(again.data?.enquiry?.id).toBe(e.data?.enquiry?.id);
    // two identical requests sent together record one enquiry
    const together = await Promise.all(
      [1, 2].map(() => receive({ customerId: 'sc8-1', channel: 'SMS', question: 'Sent twice', idempotencyKey: 'enq-8-twice' })),
    );
    expect(new Set(together.map((t) => t.data?.enquiry?.id)).size).toBe(1);
    expect(await svc.db.selectFrom('enquiry').select('id').where('idempotency_key', '=', 'enq-8-twice').execute()).toHaveLength(1);
    const prospect = await receive({
      prospectName: 'Ibrahima Fall',
      prospectPhone: '+221 77 123 45 67',
      channel: 'BRANCH',
      question: 'Do you lend to farmers?',
    });
    expect(prospect.data?.enquiry).toMatchObject({ customer: null, prospectName: 'Ibrahima Fall', branchId: 'BR-001', status: 'OPEN' });
    expect(await g.outboxTypes(prospect.data?.enquiry?.id ?? '')).toEqual(['EnquiryReceived']);

    const article = (await search({ search: 'penalty' })).data?.edges[0]?.node.id;
    const retired = (await search({ search: 'holidays', includeRetired: true })).data?.edges[0]?.node.id;
    const enquiryId = e.data?.enquiry?.id;
    expect((await answer({ enquiryId })).data?.userErrors).toEqual([{ field: 'articleId', code: 'INCOMPLETE' }]);
    expect((await answer({ enquiryId, articleId: retired })).data?.userErrors).toEqual([{ field: 'articleId', code: 'ARTICLE_RETIRED' }]);
    const answered = await answer({ enquiryId, articleId: article, answer: 'No penalty: see the article.' });
    expect(answered.data).toMatchObject({ enquiry: { status: 'ANSWERED', article: { id: article }, answeredBy: agent.userId }, userErrors: [] });
    expect((await answer({ enquiryId, answer: 'again' })).data?.userErrors).toEqual([{ field: 'enquiryId', code: 'ENQUIRY_CLOSED' }]);
    expect(await g.outboxTypes('sc8-1')).toEqual(expect.arrayContaining(['EnquiryReceived', 'EnquiryAnswered']));

    // analysts see enquiries without the free text and the prospect's identity
    const ENQUIRIES = `query { enquiries(filter: { branchId: "BR-001" }, first: 50) { totalCount edges { node { id question prospectName prospectPhone status } } } }`;
    const asAnalyst = await svc.graphql<{ enquiries: { totalCount: number; edges: { node: { question: string | null; prospectName: string | null } }[] } }>(
      ENQUIRIES,
      {},
      staff.analyst,
    );
    expect(asAnalyst.data?.enquiries.edges.every((edge) => edge.node.question === null && edge.node.prospectName === null)).toBe(true);
    expect((asAnalyst.errors ?? []).every((err) => err.extensions?.code === 'FORBIDDEN')).toBe(true);
    expect(asAnalyst.data?.enquiries.totalCount).toBeGreaterThanOrEqual(2);
  });

  it('hands an enquiry over as a lead owned by the relationship manager; a prospect needs an owner; once only', async () => {
    const e = await receive({ customerId: 'sc8-1', channel: 'PHONE', question: 'I would like a loan for my shop' });
    const h = await handOver({ enquiryId: e.data?.enquiry?.id, kind: 'NEW_LOAN', note: 'Wants 500k for stock' });
    expect(h.data?.userErrors).toEqual([]);
    expect(h.data?.lead).toMatchObject({ kind: 'NEW_LOAN', ownerId: officer.userId, branchId: 'BR-001', status: 'OPEN', note: 'Wants 500k for stock' });
    expect(h.data?.enquiry).toMatchObject({ status: 'HANDED_OVER', lead: { id: h.data?.lead?.id, kind: 'NEW_LOAN' } });
    expect((await handOver({ enquiryId: e.data?.enquiry?.id, kind: 'TOP_UP' })).data?.userErrors).toEqual([{ field: 'enquiryId', code: 'ENQUIRY_CLOSED' }]);
    expect((await handOver({ enquiryId: 'nope', kind: 'TOP_UP' })).data?.userErrors).toEqual([{ field: 'enquiryId', code: 'ENQUIRY_NOT_FOUND' }]);
    // no relationship manager: the owner must be named
    const orphan = await receive({ customerId: 'sc8-3', channel: 'PHONE', question: 'Top-up?' });
    expect((await handOver({ enquiryId: orphan.data?.enquiry?.id, kind: 'TOP_UP' })).data?.userErrors).toEqual([{ field: 'ownerId', code: 'REQUIRED' }]);
    const prospect = await receive({ prospectName: 'Seynabou Ba', channel: 'BRANCH', question: 'A loan for my farm?' });
    expect((await handOver({ enquiryId: prospect.data?.enquiry?.id, kind: 'NEW_LOAN' })).data?.userErrors).toEqual([{ field: 'ownerId', code: 'REQUIRED' }]);
    const owned = await handOver({ enquiryId: prospect.data?.enquiry?.id, kind: 'NEW_LOAN', ownerId: officer2.userId });
    expect(owned.data?.lead).toMatchObject({ customer: null, ownerId: officer2.userId, branchId: 'BR-001' });
    expect(await g.outboxTypes(owned.data?.lead?.id ?? '')).toEqual(['LeadCreated']);
    // the owner of a prospect's lead sees it from another branch; the enquiry comes with it
    const seen = await leadOf(owned.data?.lead?.id ?? '', officer2);
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.id).toBe(owned.data?.lead?.id);
  });

  it("converts the customer's loan leads when credit records an application after them, once, whatever is redelivered", async () => {
    const loan = await leadFor('sc8-4', 'NEW_LOAN');
    const topUp = await leadFor('sc8-4', 'TOP_UP');
    const complaint = await leadFor('sc8-4', 'COMPLAINT');
    const restructuring = await leadFor('sc8-4', 'RESTRUCTURING');
    const lost = await leadFor('sc8-4', 'NEW_LOAN');
    expect((await changeLead({ leadId: lost.id, status: 'LOST' })).data?.userErrors).toEqual([{ field: 'outcome', code: 'REQUIRED' }]);
    expect((await changeLead({ leadId: lost.id, status: 'LOST', outcome: 'Went to another lender' })).data?.lead).toMatchObject({
      status: 'LOST',
      outcome: 'Went to another lender',
    });
    const contacted = await changeLead({ leadId: topUp.id, status: 'CONTACTED', outcome: 'Visit on Monday' });
    expect(contacted.data?.lead).toMatchObject({ status: 'CONTACTED' });
    expect((await changeLead({ leadId: topUp.id, status: 'CONVERTED' })).data?.userErrors).toEqual([{ field: 'status', code: 'INVALID_LEAD_TRANSITION' }]);
    // another customer's lead, and an application recorded before a lead, convert nothing
    const other = await leadFor('sc8-2', 'NEW_LOAN', { ...agent, branchId: 'BR-002' });
    const early = await loanApplied('sc8-4', 'loan-8-early', new Date(Date.now() - 3_600_000));
    const eventsBefore = (await leadEvents('sc8-4')).length;
    expect((await leadOf(loan.id)).data?.status).toBe('OPEN');
    expect(await leadEvents('sc8-4')).toHaveLength(eventsBefore);
    expect(early.event.id).toBeTruthy();

    const applied = await loanApplied('sc8-4', 'loan-8-1');
    await applied.redeliver();
    await loanApplied('sc8-4', 'loan-8-2');
    expect((await leadOf(loan.id)).data).toMatchObject({ status: 'CONVERTED', applicationId: 'loan-8-1' });
    expect((await leadOf(topUp.id)).data).toMatchObject({ status: 'CONVERTED', applicationId: 'loan-8-1', outcome: 'Visit on Monday' });
    expect((await leadOf(complaint.id)).data).toMatchObject({ status: 'OPEN', applicationId: null });
    expect((await leadOf(restructuring.id)).data).toMatchObject({ status: 'OPEN' });
    expect((await leadOf(lost.id)).data).toMatchObject({ status: 'LOST', applicationId: null });
    expect((await leadOf(other.id, risk)).data).toMatchObject({ status: 'OPEN' });
    const converted = (await leadEvents('sc8-4')).slice(eventsBefore);
    expect(converted.map((d) => [d.leadId, d.status, d.applicationId]).sort()).toEqual(
      [
        [loan.id, 'CONVERTED', 'loan-8-1'],
        [topUp.id, 'CONVERTED', 'loan-8-1'],
      ].sort(),
    );
    // a restructuring request converts the RESTRUCTURING lead
    await g.deliver('RestructuringRequested', 'sc8-4', {
      restructuringId: 'rs-8-1',
      loanId: 'loan-8-0',
      customerId: 'sc8-4',
      kind: 'TERM_EXTENSION',
      instalments: 3,
      newRate: null,
      effectiveOn: '2026-12-01',
      requestedBy: officer.userId,
    });
    expect((await leadOf(restructuring.id)).data).toMatchObject({ status: 'CONVERTED', restructuringId: 'rs-8-1', applicationId: null });
    // a converted lead changes no more
    expect((await changeLead({ leadId: loan.id, status: 'LOST', outcome: 'x' })).data?.userErrors).toEqual([
      { field: 'status', code: 'INVALID_LEAD_TRANSITION' },
    ]);
  });

  it("moves the leads still being worked to the customer's new relationship manager (LeadReassigned), once", async () => {
    const open = await leadFor('sc8-6', 'NEW_LOAN');
    const contacted = await leadFor('sc8-6', 'RESTRUCTURING');
    await changeLead({ leadId: contacted.id, status: 'CONTACTED' });
    const lost = await leadFor('sc8-6', 'TOP_UP');
    await changeLead({ leadId: lost.id, status: 'LOST', outcome: 'Not now' });
    const e = await receive({ customerId: 'sc8-6', channel: 'PHONE', question: 'For the credit committee' });
    const elsewhere = (await handOver({ enquiryId: e.data?.enquiry?.id, kind: 'OTHER', ownerId: 'specialist-8' })).data?.lead as Lead;
    const assigned = await g.deliver('RelationshipManagerAssigned', 'sc8-6', {
      customerId: 'sc8-6',
      relationshipManagerId: 'officer-8c',
      previousRelationshipManagerId: officer.userId,
      branchId: 'BR-001',
      assignedAt: new Date().toISOString(),
    });
    await assigned.redeliver();
    const owners = async () =>
      Object.fromEntries(
        (await svc.db.selectFrom('lead').select(['id', 'owner_id']).where('customer_id', '=', 'sc8-6').execute()).map((l) => [l.id, l.owner_id]),
      );
    expect(await owners()).toEqual({ [open.id]: 'officer-8c', [contacted.id]: 'officer-8c', [lost.id]: officer.userId, [elsewhere.id]: 'specialist-8' });
    const types = await g.outboxTypes('sc8-6');
    expect(types.filter((t) => t === 'LeadReassigned')).toHaveLength(2);
  });

  it('opens a complaint from a COMPLAINT lead through the complaint rules, converting the lead in the same transaction', async () => {
    const e = await receive({ customerId: 'sc8-1', channel: 'SOCIAL', question: 'The collector shouted at me in the market' });
    const lead = (await handOver({ enquiryId: e.data?.enquiry?.id, kind: 'COMPLAINT' })).data?.lead as Lead;
    const OPEN = `lead { ${LEAD} }`;
    const loanLead = await leadFor('sc8-1', 'NEW_LOAN');
    const wrongKind = await mutate('openLeadComplaint', 'OpenLeadComplaintInput', { leadId: loanLead.id, category: 'OTHER', severity: 'LOW' }, OPEN, officer);
    expect(wrongKind.data?.userErrors).toEqual([{ field: 'leadId', code: 'NOT_A_COMPLAINT_LEAD' }]);
    const complaintsBefore = await svc.db.selectFrom('complaint').select('id').where('customer_id', '=', 'sc8-1').execute();
    const opened = await mutate<{ lead: Lead }>(
      'openLeadComplaint',
      'OpenLeadComplaintInput',
      { leadId: lead.id, category: 'COLLECTION_CONDUCT', severity: 'HIGH' },
      OPEN,
      officer,
    );
    expect(opened.data?.userErrors).toEqual([]);
    expect(opened.data?.lead).toMatchObject({
      status: 'CONVERTED',
      complaint: { status: 'RECEIVED', channel: 'SOCIAL', assigneeId: officer.userId },
    });
    const row = await svc.db
      .selectFrom('complaint')
      .selectAll()
      .where('id', '=', opened.data?.lead.complaint?.id ?? '')
      .executeTakeFirstOrThrow();
    // HIGH: acknowledge within 4 hours, as any complaint received now
    expect(row).toMatchObject({ description: 'The collector shouted at me in the market', severity: 'HIGH', kind: 'COMPLAINT' });
    expect(row.acknowledge_due_at.getTime() - row.received_at.getTime()).toBe(4 * 3_600_000);
    expect((await g.outboxTypes('sc8-1')).slice(-2)).toEqual(['ComplaintReceived', 'LeadStatusChanged']);
    const twice = await mutate('openLeadComplaint', 'OpenLeadComplaintInput', { leadId: lead.id, category: 'OTHER', severity: 'LOW' }, OPEN, officer);
    expect(twice.data?.userErrors).toEqual([{ field: 'leadId', code: 'INVALID_LEAD_TRANSITION' }]);
    expect(await svc.db.selectFrom('complaint').select('id').where('customer_id', '=', 'sc8-1').execute()).toHaveLength(complaintsBefore.length + 1);
  });

  it('keeps enquiries and leads within the branch scope', async () => {
    const lead = await leadFor('sc8-1', 'TOP_UP');
    const forbidden = await leadOf(lead.id, officer2);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refused = await changeLead({ leadId: lead.id, status: 'CONTACTED' }, officer2);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await leadOf(lead.id)).data?.status).toBe('OPEN');
    const LEADS = `query($filter: LeadFilter) { leads(filter: $filter, first: 200) { totalCount edges { node { id customer { id } branchId ownerId } } } }`;
    type Leads = {
      leads: { totalCount: number; edges: { node: { id: string; customer: { id: string } | null; branchId: string; ownerId: string | null } }[] };
    };
    const mine = await svc.graphql<Leads>(LEADS, {}, officer2);
    // officer2 (BR-002) sees BR-002's leads and the prospect lead they own in BR-001, nothing else of BR-001
    expect(mine.data?.leads.edges.every((e) => e.node.branchId === 'BR-002' || e.node.ownerId === officer2.userId)).toBe(true);
    expect(mine.data?.leads.edges.some((e) => e.node.branchId === 'BR-001' && e.node.ownerId === officer2.userId)).toBe(true);
    expect(mine.data?.leads.totalCount).toBe(mine.data?.leads.edges.length);
    const all = await svc.graphql<Leads>(LEADS, { filter: { customerId: 'sc8-1', kind: ['TOP_UP'], status: ['OPEN'] } }, risk);
    expect(all.data?.leads.edges.map((e) => e.node.id)).toEqual([lead.id]);
    const ENQUIRY_Q = `query($id: ID!) { enquiry(id: $id) { id } }`;
    const theirs = await svc.graphql<{ enquiries: { edges: { node: { id: string } }[] } }>(
      `query { enquiries(filter: { customerId: "sc8-2" }) { edges { node { id } } } }`,
      {},
      risk,
    );
    const foreignEnquiry = theirs.data?.enquiries.edges[0]?.node.id ?? '';
    expect(foreignEnquiry).not.toBe('');
    expect((await svc.graphql(ENQUIRY_Q, { id: foreignEnquiry }, agent)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const answeredForeign = await answer({ enquiryId: foreignEnquiry, answer: 'x' });
    expect(answeredForeign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('reads leads and enquiries incrementally with changedSince: a converted lead comes again', async () => {
    const FEED = `query($since: String!) { leads(filter: { customerId: "sc8-5" }, changedSince: $since, first: 500) { totalCount edges { node { id status } } pageInfo { endCursor } } }`;
    type Feed = { leads: { totalCount: number; edges: { node: { id: string; status: string } }[]; pageInfo: { endCursor: string } } };
    /** The feed's horizon is server-wide: on a shared PostgreSQL another session's open transaction can hold a new row back a moment. */
    const pullUntilSome = (since: string) =>
      eventually(async () => {
        const r = await svc.graphql<Feed>(FEED, { since }, risk);
        expect(r.errors).toBeUndefined();
        return r.data?.leads.edges.length ? r.data.leads : undefined;
      }, 30_000);
    const fresh = await leadFor('sc8-5', 'NEW_LOAN');
    const first = await pullUntilSome('*');
    expect(first).toMatchObject({ totalCount: 1, edges: [{ node: { id: fresh.id, status: 'OPEN' } }] });
    const cursor = first.pageInfo.endCursor;
    const empty = await svc.graphql<Feed>(FEED, { since: cursor }, risk);
    expect(empty.data?.leads.edges).toEqual([]);
    expect(empty.data?.leads.pageInfo.endCursor).toBe(cursor);
    await loanApplied('sc8-5', 'loan-8-feed');
    const next = await pullUntilSome(cursor);
    expect(next.edges.map((e) => e.node)).toEqual([{ id: fresh.id, status: 'CONVERTED' }]);
    const bad = await svc.graphql(`query { enquiries(changedSince: "*", after: "x") { edges { cursor } } }`, {}, risk);
    expect((bad.errors as GqlError[] | undefined)?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const articles = await svc.graphql<{ knowledgeArticles: { edges: unknown[] } }>(
      `query { knowledgeArticles(filter: { includeRetired: true }, changedSince: "*", first: 100) { edges { cursor node { id } } } }`,
      {},
      risk,
    );
    expect(articles.data?.knowledgeArticles.edges.length).toBeGreaterThanOrEqual(6);
  });
});

describe('LEAD_CONVERSION_RATE on a known set of leads', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(engagementService, { label: 'engagement_lead_kpi' });
    const g = given(svc);
    await g.customer('lk-a', { branchId: 'BR-LA', relationshipManagerId: 'o1' });
    await g.customer('lk-b', { branchId: 'BR-LB', relationshipManagerId: 'o2' });
    // [id, customer, branch, owner, kind, status, created]
    const leads: [string, string, string, string, 'NEW_LOAN' | 'TOP_UP' | 'COMPLAINT', 'OPEN' | 'CONVERTED' | 'LOST', string][] = [
      ['L1', 'lk-a', 'BR-LA', 'o1', 'NEW_LOAN', 'CONVERTED', '2026-01-05T10:00:00Z'],
      ['L2', 'lk-a', 'BR-LA', 'o1', 'TOP_UP', 'OPEN', '2026-01-20T10:00:00Z'],
      ['L3', 'lk-b', 'BR-LB', 'o2', 'NEW_LOAN', 'CONVERTED', '2026-02-03T10:00:00Z'],
      ['L4', 'lk-b', 'BR-LB', 'o2', 'NEW_LOAN', 'LOST', '2026-02-10T10:00:00Z'],
      ['L5', 'lk-a', 'BR-LA', 'o1', 'COMPLAINT', 'CONVERTED', '2026-01-07T10:00:00Z'], // not a loan lead
      ['L6', 'lk-a', 'BR-LA', 'o1', 'NEW_LOAN', 'CONVERTED', '2026-03-01T00:00:00Z'], // after the period
      ['L7', 'lk-b', 'BR-LB', 'o2', 'TOP_UP', 'CONVERTED', '2026-02-28T23:59:59Z'],
    ];
    for (const [id, customer, branch, owner, kind, status, created] of leads) {
      const at = new Date(created);
      await svc.db
        .insertInto('enquiry')
        .values({
          id: `E-${id}`,
          customer_id: customer,
          prospect_name: null,
          prospect_phone: null,
          branch_id: branch,
          channel: 'PHONE',
          question: 'q',
          status: 'HANDED_OVER',
          received_by: 'agent',
          received_at: at,
          article_id: null,
          answer: null,
          answered_by: null,
          answered_at: null,
          idempotency_key: null,
          updated_at: at,
        })
        .execute();
      await svc.db
        .insertInto('lead')
        .values({
          id,
          enquiry_id: `E-${id}`,
          customer_id: customer,
          branch_id: branch,
          kind,
          owner_id: owner,
          status,
          note: null,
          outcome: null,
          application_id: status === 'CONVERTED' ? `loan-${id}` : null,
          restructuring_id: null,
          complaint_id: null,
          created_by: 'agent',
          created_at: at,
          contacted_at: null,
          closed_at: status === 'OPEN' ? null : at,
          updated_at: at,
        })
        .execute();
    }
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const kpi = async (groupBy: string[], as: Identity = staff.analyst) => {
    const res = await svc.graphql<{ engagementKpi: { group: { value: string | null }[]; value: string | null; numerator: string; denominator: string }[] }>(
      `query($groupBy: [KpiDimension!]) { engagementKpi(metric: LEAD_CONVERSION_RATE, groupBy: $groupBy, from: "2026-01-01", to: "2026-02-28") {
        group { dimension value } value numerator denominator } }`,
      { groupBy },
      as,
    );
    expect(res.errors).toBeUndefined();
    return res.data?.engagementKpi.map((r) => [...r.group.map((x) => x.value), r.value, r.numerator, r.denominator]);
  };

  it('counts the loan leads created in the period and those converted, by branch, officer and month, within the caller’s scope', async () => {
    // L1, L2, L3, L4, L7: converted L1, L3, L7
    expect(await kpi([])).toEqual([['0.6', '3', '5']]);
    expect(await kpi(['BRANCH'])).toEqual([
      ['BR-LA', '0.5', '1', '2'],
      ['BR-LB', '0.6667', '2', '3'],
    ]);
    expect(await kpi(['OFFICER', 'MONTH'])).toEqual([
      ['o1', '2026-01', '0.5', '1', '2'],
      ['o2', '2026-02', '0.6667', '2', '3'],
    ]);
    expect(await kpi([], { userId: 'bm-la', roles: ['branch_manager'], branchId: 'BR-LA' })).toEqual([['0.5', '1', '2']]);
    const refused = await svc.graphql(
      `query { engagementKpi(metric: LEAD_CONVERSION_RATE, from: "2026-01-01", to: "2026-02-28") { value } }`,
      {},
      staff.officer,
    );
    expect((refused.errors as GqlError[] | undefined)?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
