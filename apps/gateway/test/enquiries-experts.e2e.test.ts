import type { Identity } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

/**
 * The service centre and expert help (issue 15) end to end through the gateway: a customer
 * registered in customers; an enquiry answered from a searched knowledge-base article; another
 * handed over as a lead to the relationship manager; the lead converted when the officer applies
 * for a loan through credit (LoanApplied reaches engagement as an event); a consultation asked of
 * an expert and answered, visible on the customer.
 */
type Errors = { field: string | null; code: string }[];

const BRANCH = 'BR-EQE';
const agent: Identity = { userId: 'agent-eqe', roles: ['service_agent'], branchId: BRANCH };
const officer: Identity = { userId: 'officer-eqe', roles: ['loan_officer'], branchId: BRANCH };
const manager: Identity = { userId: 'manager-eqe', roles: ['branch_manager'], branchId: BRANCH };
const lawyer: Identity = { userId: 'lawyer-eqe', roles: ['risk_officer'] };

describe(`service centre and expert help end to end through the gateway on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const mutate = async <T>(field: string, inputType: string, input: Record<string, unknown>, selection: string, as: Identity) => {
    const res = await stack.query<Record<string, T & { userErrors: Errors }>>(
      `mutation($input: ${inputType}!) { ${field}(input: $input) { ${selection} userErrors { field code } } }`,
      { input },
      as,
    );
    expect(res.errors, `${field}: ${JSON.stringify(res.errors)}`).toBeUndefined();
    return res.data?.[field] as T & { userErrors: Errors };
  };

  it('answers an enquiry from a searched article, converts a handed-over lead when the officer applies, and shows an answered consultation on the customer', async () => {
    const registered = await mutate<{ customer: { id: string } | null }>(
      'registerCustomer',
      'RegisterCustomerInput',
      {
        kind: 'INDIVIDUAL',
        branchId: BRANCH,
        relationshipManagerId: officer.userId,
        individual: { firstName: 'Mariama', lastName: 'Enquiry', birthDate: '1985-06-01' },
      },
      'customer { id }',
      staff.admin,
    );
    const customerId = registered.customer?.id ?? '';
    expect(customerId).not.toBe('');

    // the knowledge base
    const article = await mutate<{ article: { id: string } }>(
      'createKnowledgeArticle',
      'CreateKnowledgeArticleInput',
      {
        question: 'Can I repay my loan early?',
        answer: 'Yes: pay the outstanding principal at any branch or by mobile money; there is no early-repayment fee.',
        tags: ['repayment'],
      },
      'article { id }',
      agent,
    );
    await mutate(
      'createKnowledgeArticle',
      'CreateKnowledgeArticleInput',
      { question: 'Where are your branches?', answer: 'Dakar and Thiès.' },
      'article { id }',
      agent,
    );

    // engagement knows the customer once CustomerRegistered reached it
    const enquiry = await eventually(async () => {
      const r = await mutate<{ enquiry: { id: string; status: string } | null }>(
        'receiveEnquiry',
        'ReceiveEnquiryInput',
        { customerId, channel: 'PHONE', question: 'Could I repay early without a fee?', idempotencyKey: `eqe-1-${customerId}` },
        'enquiry { id status }',
        agent,
      );
      return r.enquiry ?? undefined;
    }, 45_000);
    expect(enquiry.status).toBe('OPEN');

    const found = await stack.query<{ knowledgeArticles: { edges: { node: { id: string; question: string; relevance: string } }[] } }>(
      `query { knowledgeArticles(filter: { search: "repay early" }) { edges { node { id question relevance } } } }`,
      {},
      agent,
    );
    expect(found.data?.knowledgeArticles.edges.map((e) => e.node.id)).toEqual([article.article.id]);
    const answered = await mutate<{ enquiry: { status: string; article: { question: string }; customer: { id: string; displayName: string } } }>(
      'answerEnquiry',
      'AnswerEnquiryInput',
      { enquiryId: enquiry.id, articleId: found.data?.knowledgeArticles.edges[0]?.node.id },
      'enquiry { status article { question } customer { id displayName } }',
      agent,
    );
    expect(answered).toEqual({
      enquiry: { status: 'ANSWERED', article: { question: 'Can I repay my loan early?' }, customer: { id: customerId, displayName: 'Mariama Enquiry' } },
      userErrors: [],
    });

    // a need for a loan: handed over to the relationship manager
    const second = await mutate<{ enquiry: { id: string } }>(
      'receiveEnquiry',
      'ReceiveEnquiryInput',
      { customerId, channel: 'BRANCH', question: 'I need a loan to buy a freezer for my shop' },
      'enquiry { id }',
      agent,
    );
    const handed = await mutate<{ lead: { id: string; kind: string; ownerId: string; status: string } }>(
      'handOverEnquiry',
      'HandOverEnquiryInput',
      { enquiryId: second.enquiry.id, kind: 'NEW_LOAN', note: 'About 400 000 XOF' },
      'lead { id kind ownerId status }',
      agent,
    );
    expect(handed).toMatchObject({ lead: { kind: 'NEW_LOAN', ownerId: officer.userId, status: 'OPEN' }, userErrors: [] });
    const contacted = await mutate<{ lead: { status: string } }>(
      'changeLeadStatus',
      'ChangeLeadStatusInput',
      { leadId: handed.lead.id, status: 'CONTACTED', outcome: 'Visit booked' },
      'lead { status }',
      officer,
    );
    expect(contacted.lead.status).toBe('CONTACTED');

    // the officer applies through credit: the lead converts with the application
    const product = await mutate(
      'createLoanProduct',
      'CreateLoanProductInput',
      {
        code: 'EQE-MICRO',
        name: 'Micro monthly',
        type: 'MICRO_BUSINESS',
        currency: 'XOF',
        minPrincipal: '50000',
        maxPrincipal: '5000000',
        minRate: '0.10',
        maxRate: '0.30',
        minTerm: 3,
        maxTerm: 24,
        frequency: 'MONTHLY',
        amortisation: 'EQUAL_INSTALMENT',
        penaltyRate: '0.365',
        graceDays: 0,
        overpaymentPolicy: 'REFUSE',
      },
      'product { id }',
      staff.admin,
    );
    expect(product.userErrors).toEqual([]);
    const loanId = await eventually(async () => {
      const r = await mutate<{ loan: { id: string } | null }>(
        'applyForLoan',
        'ApplyForLoanInput',
        {
          customerId,
          productCode: 'EQE-MICRO',
          principal: '400000',
          annualRate: '0.24',
          termCount: 6,
          purpose: 'Freezer',
          idempotencyKey: `eqe-${customerId}`,
        },
        'loan { id }',
        officer,
      );
      return r.loan?.id;
    }, 45_000);
    const LEADS = `query($filter: LeadFilter) { leads(filter: $filter) { totalCount edges { node { id status applicationId enquiry { id } customer { id displayName } } } } }`;
    type Leads = {
      leads: { totalCount: number; edges: { node: { id: string; status: string; applicationId: string | null; customer: { displayName: string } } }[] };
    };
    const converted = await eventually(async () => {
      const r = await stack.query<Leads>(LEADS, { filter: { customerId } }, officer);
      const lead = r.data?.leads.edges[0]?.node;
      return lead?.status === 'CONVERTED' ? lead : undefined;
    }, 45_000);
    expect(converted).toMatchObject({ id: handed.lead.id, applicationId: loanId, customer: { displayName: 'Mariama Enquiry' } });
    const today = new Date().toISOString().slice(0, 10);
    const kpi = await stack.query<{ engagementKpi: { value: string; numerator: string; denominator: string }[] }>(
      `query($d: Date!) { engagementKpi(metric: LEAD_CONVERSION_RATE, from: $d, to: $d) { value numerator denominator } }`,
      { d: today },
      manager,
    );
    expect(kpi.data?.engagementKpi).toEqual([{ value: '1', numerator: '1', denominator: '1' }]);

    // expert help: an institution-wide legal expert, asked about the customer and the loan
    const expert = await mutate<{ expert: { id: string } }>(
      'registerExpert',
      'RegisterExpertInput',
      { userId: lawyer.userId, name: 'Maître Sarr', fields: ['LEGAL', 'COLLATERAL_VALUATION'] },
      'expert { id }',
      staff.admin,
    );
    const DIRECTORY = `query { experts(filter: { field: LEGAL }) { edges { node { id name branchId } } } }`;
    const directory = await stack.query<{ experts: { edges: { node: { id: string; name: string; branchId: string | null } }[] } }>(DIRECTORY, {}, officer);
    expect(directory.data?.experts.edges.map((e) => e.node)).toEqual([{ id: expert.expert.id, name: 'Maître Sarr', branchId: null }]);
    const asked = await mutate<{ consultation: { id: string; status: string; dueAt: string; requestedAt: string } }>(
      'requestConsultation',
      'RequestConsultationInput',
      { expertId: expert.expert.id, customerId, loanId, field: 'LEGAL', question: 'May the freezer itself be pledged?' },
      'consultation { id status dueAt requestedAt }',
      officer,
    );
    expect(asked.consultation.status).toBe('OPEN');
    // LEGAL: 72 hours by default
    expect(new Date(asked.consultation.dueAt).getTime() - new Date(asked.consultation.requestedAt).getTime()).toBe(72 * 3_600_000);
    const notTheExpert = await mutate(
      'answerConsultation',
      'AnswerConsultationInput',
      { consultationId: asked.consultation.id, answer: 'Yes' },
      'consultation { id }',
      officer,
    );
    expect(notTheExpert.userErrors).toEqual([{ field: 'consultationId', code: 'NOT_THE_EXPERT' }]);
    const queue = await stack.query<{ consultations: { edges: { node: { id: string } }[] } }>(
      `query($me: ID) { consultations(filter: { expertUserId: $me, status: [OPEN] }) { edges { node { id } } } }`,
      { me: lawyer.userId },
      lawyer,
    );
    expect(queue.data?.consultations.edges.map((e) => e.node.id)).toEqual([asked.consultation.id]);
    const reply = await mutate<{ consultation: { status: string } }>(
      'answerConsultation',
      'AnswerConsultationInput',
      { consultationId: asked.consultation.id, answer: 'Yes, as equipment with an invoice; register the pledge.' },
      'consultation { status }',
      lawyer,
    );
    expect(reply).toEqual({ consultation: { status: 'ANSWERED' }, userErrors: [] });

    // visible on the customer, beside the other services' fields
    const VIEW = `query($id: ID!) { customer(id: $id) {
      id displayName
      loans { id status }
      consultations(first: 5) { totalCount edges { node { status field loanId answer overdue expert { name } requesterId } } }
      overdue: consultations(overdue: true) { totalCount }
    } }`;
    const view = await stack.query<{
      customer: {
        displayName: string;
        loans: { id: string; status: string }[];
        consultations: { totalCount: number; edges: { node: Record<string, unknown> }[] };
        overdue: { totalCount: number };
      };
    }>(VIEW, { id: customerId }, officer);
    expect(view.errors).toBeUndefined();
    expect(view.data?.customer).toMatchObject({
      displayName: 'Mariama Enquiry',
      loans: [{ id: loanId, status: 'APPLIED' }],
      consultations: {
        totalCount: 1,
        edges: [
          {
            node: {
              status: 'ANSWERED',
              field: 'LEGAL',
              loanId,
              answer: 'Yes, as equipment with an invoice; register the pledge.',
              overdue: false,
              expert: { name: 'Maître Sarr' },
              requesterId: officer.userId,
            },
          },
        ],
      },
      overdue: { totalCount: 0 },
    });
  }, 240_000);
});
