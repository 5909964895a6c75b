/**
 * Proof that the stream is enough (issue 13, item 7): after a realistic scenario driven through
 * the gateway, a consumer built only from the topics (a fresh consumer group reading every topic
 * from the beginning: no GraphQL, no database) rebuilds the current state of every customer,
 * every loan's outstanding principal and status, every loyalty balance and every complaint's
 * status, and finds them equal to what the GraphQL API returns. It also checks what a consumer
 * relies on: per topic and key, `sequence` runs 1, 2, 3... in read order (no gap, no reorder), and
 * on Kafka the state topics are compacted (describeConfigs).
 *
 * On the real broker when KAFKA_BROKERS is set (a kafkajs consumer); else the same rebuild over
 * the in-process transport the embedded stack runs on (its replay log, read by a fresh group).
 */
import { kafkaTopicConfigs, PRODUCERS, readKafkaTopics, readTopics, stateTopicsOf, type TopicRecord, topicOf } from '@crm/events';
import type { Identity } from '@crm/service-kit';
import { eventually, staff } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

const manager: Identity = { userId: 'bm-sr', roles: ['branch_manager'], branchId: 'BR-SR' };
const WAIT = 90_000;

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const PROFILE = `mutation($input: UpdateCustomerProfileInput!) { updateCustomerProfile(input: $input) { userErrors { field code } } }`;
const CONSENT = `mutation($input: SetCustomerConsentInput!) { setCustomerConsent(input: $input) { userErrors { field code } } }`;
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { userErrors { field code } } }`;
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id } userErrors { field code } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { userErrors { field code } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { status } userErrors { field code } } }`;
const REPAY = `mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) { repayment { id } userErrors { field code } } }`;
const REVERSE = `mutation($input: ReverseRepaymentInput!) { reverseRepayment(input: $input) { userErrors { field code } } }`;
const REWARD = `mutation($input: UpsertRewardInput!) { upsertReward(input: $input) { reward { id } userErrors { field code } } }`;
const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { redemption { id } userErrors { field code } } }`;
const CANCEL = `mutation($input: CancelRedemptionInput!) { cancelRedemption(input: $input) { userErrors { field code } } }`;
const COMPLAIN = `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { complaint { id } userErrors { field code } } }`;
const CHANGE = `mutation($input: ChangeComplaintStatusInput!) { changeComplaintStatus(input: $input) { complaint { status } userErrors { field code } } }`;
const RESOLVE = `mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { complaint { status } userErrors { field code } } }`;
const CUSTOMER = `query($id: ID!) { customer(id: $id) {
  id kind status displayName branchId relationshipManagerId grade
  contact { phone email preferredChannel preferredLanguage }
  consents { purpose granted }
  specialCare { flags }
  loyalty { pointsBalance tier }
} }`;
const LOAN = `query($id: ID!) { loan(id: $id) { id status outstandingPrincipal { amount currency } } }`;
const COMPLAINT = `query($id: ID!) { complaint(id: $id) { id status } }`;

interface CustomerView {
  id: string;
  kind: string;
  status: string;
  displayName: string;
  branchId: string;
  relationshipManagerId: string | null;
  grade: string | null;
  contact: { phone: string | null; email: string | null; preferredChannel: string | null; preferredLanguage: string | null };
  consents: { purpose: string; granted: boolean }[];
  specialCare: { flags: string[] };
  loyalty: { pointsBalance: number; tier: string } | null;
}

interface Rebuilt {
  customers: Map<string, Record<string, unknown> & { contact: { phone: string | null; email: string | null }; marketingContact: unknown }>;
  loans: Map<string, { status: string; outstandingPrincipal: string; currency: string }>;
  accounts: Map<string, { customerId: string; balance: number; tier: string }>;
  complaints: Map<string, { status: string }>;
  /** Keys whose `sequence` did not run 1, 2, 3... in read order. */
  outOfSequence: string[];
}

/** The stream consumer: the last state record per key of every state topic; sequences checked on every topic. */
function rebuild(records: TopicRecord[], namespace: string): Rebuilt {
  const last = new Map<string, Map<string, { data: unknown }>>();
  const seen = new Map<string, number>();
  const outOfSequence: string[] = [];
  for (const r of records) {
    const event = JSON.parse(r.value) as { subject: string; sequence?: string; data: unknown };
    const id = `${r.topic}/${r.key}`;
    const seq = Number(event.sequence);
    if (seq !== (seen.get(id) ?? 0) + 1) outOfSequence.push(`${id}: ${seen.get(id) ?? 0} then ${event.sequence}`);
    seen.set(id, seq);
    const byKey = last.get(r.topic) ?? new Map();
    byKey.set(r.key, event);
    last.set(r.topic, byKey);
  }
  const state = <T>(producer: (typeof PRODUCERS)[number], aggregate: string) =>
    new Map([...(last.get(`${namespace}.crm.${producer}.${aggregate}.state.v1`) ?? new Map()).entries()].map(([k, e]) => [k, e.data as T]));
  return {
    customers: state('customers', 'customer'),
    loans: state('credit', 'loan'),
    accounts: state('loyalty', 'account'),
    complaints: state('engagement', 'complaint'),
    outOfSequence,
  };
}

describe(`the stream alone rebuilds the current state (${TEST_MODE})`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const customerIds: string[] = [];
  const loanIds: string[] = [];
  const complaintIds: string[] = [];
  const ok = (res: { data?: Record<string, { userErrors?: unknown[] } | null> | undefined; errors?: unknown }, field: string) => {
    expect(res.errors, field).toBeUndefined();
    expect(res.data?.[field]?.userErrors, field).toEqual([]);
    return res.data?.[field] as Record<string, unknown>;
  };

  beforeAll(async () => {
    stack = await startTestStack();
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('after registrations, profile changes, loans disbursed, paid and one repayment reversed, points redeemed and a redemption cancelled, a complaint reopened', async () => {
    const today = new Date().toISOString().slice(0, 10);
    // Registrations.
    for (const [firstName, lastName] of [
      ['Awa', 'Ndiaye'],
      ['Kofi', 'Mensah'],
      ['Nana', 'Boateng'],
    ]) {
      const res = await stack.query<{ registerCustomer: { customer: { id: string } | null; userErrors: unknown[] } }>(REGISTER, {
        input: { kind: 'INDIVIDUAL', branchId: 'BR-SR', relationshipManagerId: 'officer-sr', individual: { firstName, lastName, birthDate: '1985-03-14' } },
      });
      customerIds.push((ok(res, 'registerCustomer').customer as { id: string }).id);
    }
    const [awa, kofi, nana] = customerIds as [string, string, string];
    // Profile changes and consents (Kofi grants marketing contact, then withdraws it).
    ok(await stack.query(PROFILE, { input: { customerId: awa, contact: { phone: '+221770000001', email: 'awa@example.org' } } }), 'updateCustomerProfile');
    ok(await stack.query(PROFILE, { input: { customerId: kofi, contact: { phone: '+233200000002' } } }), 'updateCustomerProfile');
    ok(await stack.query(CONSENT, { input: { customerId: awa, purpose: 'MARKETING_CONTACT', granted: true, channel: 'SMS' } }), 'setCustomerConsent');
    ok(await stack.query(CONSENT, { input: { customerId: kofi, purpose: 'MARKETING_CONTACT', granted: true, channel: 'SMS' } }), 'setCustomerConsent');
    ok(await stack.query(CONSENT, { input: { customerId: kofi, purpose: 'MARKETING_CONTACT', granted: false, channel: 'PHONE' } }), 'setCustomerConsent');

    // Loans disbursed, paid, one repayment reversed.
    ok(
      await stack.query(
        PRODUCT,
        {
          input: {
            code: 'SR-MONTHLY',
            name: 'Stream rebuild monthly',
            type: 'MICRO_BUSINESS',
            currency: 'GHS',
            minPrincipal: '500',
            maxPrincipal: '50000',
            minRate: '0.10',
            maxRate: '0.40',
            minTerm: 3,
            maxTerm: 12,
            frequency: 'MONTHLY',
            amortisation: 'EQUAL_PRINCIPAL',
            penaltyRate: '0.20',
            graceDays: 3,
            overpaymentPolicy: 'REFUSE',
          },
        },
        staff.admin,
      ),
      'createLoanProduct',
    );
    for (const customerId of [awa, kofi]) {
      const loanId = await eventually(async () => {
        const res = await stack.query<{ applyForLoan: { loan: { id: string } | null; userErrors: { code: string }[] } }>(APPLY, {
          input: { customerId, productCode: 'SR-MONTHLY', principal: '6000.00', annualRate: '0.30', termCount: 6, purpose: 'Stock' },
        });
        const errors = res.data?.applyForLoan.userErrors ?? [];
        if (errors.some((e) => e.code !== 'CUSTOMER_NOT_FOUND')) throw new Error(JSON.stringify(errors));
        return res.data?.applyForLoan.loan?.id;
      }, WAIT);
      loanIds.push(loanId);
      ok(await stack.query(APPROVE, { input: { loanId } }, manager), 'approveLoan');
      ok(await stack.query(DISBURSE, { input: { loanId, disbursedOn: today } }), 'disburseLoan');
    }
    const [awaLoan, kofiLoan] = loanIds as [string, string];
    const repay = async (loanId: string, amount: string, ref: string) =>
      (
        ok(await stack.query(REPAY, { input: { loanId, amount, paidOn: today, channel: 'MOBILE_MONEY', externalReference: ref } }), 'recordRepayment')
          .repayment as { id: string }
      ).id;
    await repay(awaLoan, '1150.00', 'sr-1');
    const second = await repay(awaLoan, '1125.00', 'sr-2');
    await repay(kofiLoan, '1150.00', 'sr-3');
    ok(await stack.query(REVERSE, { input: { repaymentId: second, reason: 'Mobile money transfer bounced' } }, manager), 'reverseRepayment');

    // Points redeemed, one redemption cancelled (loyalty opens accounts from CustomerRegistered).
    const reward = ok(
      await stack.query(REWARD, { input: { code: 'SR_MUG', name: 'Mug', kind: 'GIFT', pointsCost: 40, stock: 10 } }, staff.admin),
      'upsertReward',
    ).reward as { id: string };
    const redeem = (customerId: string) =>
      eventually(async () => {
        const res = await stack.query<{ redeemReward: { redemption: { id: string } | null; userErrors: unknown[] } }>(REDEEM, {
          input: { customerId, rewardId: reward.id },
        });
        return res.data?.redeemReward.redemption?.id;
      }, WAIT);
    const cancelled = await redeem(awa);
    await redeem(nana);
    ok(await stack.query(CANCEL, { input: { redemptionId: cancelled, reason: 'Customer changed her mind' } }, manager), 'cancelRedemption');

    // A complaint resolved, then reopened.
    const complaint = await eventually(async () => {
      const res = await stack.query<{ receiveComplaint: { complaint: { id: string } | null } }>(COMPLAIN, {
        input: { customerId: nana, kind: 'COMPLAINT', category: 'FEES', severity: 'MEDIUM', channel: 'PHONE', description: 'Charged twice' },
      });
      return res.data?.receiveComplaint.complaint?.id;
    }, WAIT);
    complaintIds.push(complaint);
    ok(await stack.query(CHANGE, { input: { complaintId: complaint, status: 'ACKNOWLEDGED' } }), 'changeComplaintStatus');
    ok(await stack.query(RESOLVE, { input: { complaintId: complaint, resolution: 'Refunded', compensation: '10.00', currency: 'GHS' } }), 'resolveComplaint');
    ok(await stack.query(CHANGE, { input: { complaintId: complaint, status: 'REOPENED' } }), 'changeComplaintStatus');

    // The API's answer and the stream's, until both settle (services react to each other's events).
    const { namespace, brokers, bus } = stack.events;
    const topics = PRODUCERS.flatMap((p) => [topicOf(p, namespace), ...stateTopicsOf(p, namespace)]);
    const read = () => (brokers?.length ? readKafkaTopics(brokers, { topics, idleMs: 3_000 }) : readTopics(bus, { topics, idleMs: 300 }));
    const api = async () => {
      const customers = new Map<string, CustomerView>();
      for (const id of customerIds) {
        const res = await stack.query<{ customer: CustomerView }>(CUSTOMER, { id });
        expect(res.errors).toBeUndefined();
        if (res.data?.customer) customers.set(id, res.data.customer);
      }
      const loans = new Map<string, { status: string; outstandingPrincipal: { amount: string; currency: string } }>();
      for (const id of loanIds) {
        const res = await stack.query<{ loan: { status: string; outstandingPrincipal: { amount: string; currency: string } } }>(LOAN, { id });
        if (res.data?.loan) loans.set(id, res.data.loan);
      }
      const complaints = new Map<string, string>();
      for (const id of complaintIds) complaints.set(id, (await stack.query<{ complaint: { status: string } }>(COMPLAINT, { id })).data?.complaint.status ?? '');
      return { customers, loans, complaints };
    };
    const compare = (stream: Rebuilt, graph: Awaited<ReturnType<typeof api>>) => {
      const fromStream = {
        customers: customerIds.map((id) => {
          const c = stream.customers.get(id) as Record<string, unknown> | undefined;
          const account = [...stream.accounts.values()].find((a) => a.customerId === id);
          const contact = c?.contact as { phone: string | null; email: string | null } | undefined;
          return {
            id,
            kind: c?.kind,
            status: c?.status,
            displayName: c?.displayName,
            branchId: c?.branchId,
            relationshipManagerId: c?.relationshipManagerId,
            grade: c?.grade,
            contact: { phone: contact?.phone, email: contact?.email, preferredChannel: c?.preferredChannel, preferredLanguage: c?.preferredLanguage },
            consents: c?.consents,
            specialCare: { flags: c?.specialCare },
            loyalty: account ? { pointsBalance: account.balance, tier: account.tier } : null,
          };
        }),
        loans: loanIds.map((id) => {
          const l = stream.loans.get(id);
          return { id, status: l?.status, outstandingPrincipal: { amount: l?.outstandingPrincipal, currency: l?.currency } };
        }),
        complaints: complaintIds.map((id) => ({ id, status: stream.complaints.get(id)?.status })),
      };
      const fromApi = {
        customers: customerIds.map((id) => graph.customers.get(id)),
        loans: loanIds.map((id) => ({ id, ...graph.loans.get(id) })),
        complaints: complaintIds.map((id) => ({ id, status: graph.complaints.get(id) })),
      };
      return { fromStream, fromApi };
    };
    let last: ReturnType<typeof compare> | undefined;
    let stream: Rebuilt | undefined;
    await eventually(
      async () => {
        stream = rebuild(await read(), namespace);
        last = compare(stream, await api());
        return JSON.stringify(last.fromStream) === JSON.stringify(last.fromApi) ? true : undefined;
      },
      WAIT,
      500,
    ).catch(() => undefined);
    // The rebuilt picture is the API's, field for field.
    expect(last?.fromStream).toEqual(last?.fromApi);
    const rebuilt = stream as Rebuilt;
    expect(rebuilt.outOfSequence).toEqual([]);

    // What the scenario did is visible in it (the comparison is not between two empty pictures).
    const [awaView, kofiView, nanaView] = customerIds.map((id) => last?.fromApi.customers.find((c) => c?.id === id)) as CustomerView[];
    expect(awaView?.contact.phone).toBe('+221770000001');
    expect(rebuilt.customers.get(awa)?.marketingContact).toEqual({ phone: '+221770000001', email: 'awa@example.org' });
    // Kofi withdrew marketing consent: his state carries no marketing contact details.
    expect(kofiView?.consents.find((c) => c.purpose === 'MARKETING_CONTACT')?.granted).toBe(false);
    expect(rebuilt.customers.get(kofi)?.marketingContact).toBeNull();
    expect(rebuilt.loans.get(awaLoan)).toMatchObject({ status: 'ACTIVE', outstandingPrincipal: '5000.00' });
    expect(rebuilt.loans.get(kofiLoan)).toMatchObject({ status: 'ACTIVE', outstandingPrincipal: '5000.00' });
    // Awa's redemption was cancelled (refunded), Nana's was not.
    expect(awaView?.loyalty?.pointsBalance).toBeGreaterThan(nanaView?.loyalty?.pointsBalance ?? 0);
    expect(rebuilt.complaints.get(complaint)?.status).toBe('REOPENED');

    if (brokers?.length) {
      const configs = await kafkaTopicConfigs(
        brokers,
        PRODUCERS.flatMap((p) => stateTopicsOf(p, namespace)),
      );
      for (const [topic, config] of Object.entries(configs)) expect(config['cleanup.policy'], topic).toBe('compact');
      expect(Object.keys(configs)).toHaveLength(5);
    }
  }, 600_000);
});
