/**
 * Loads demo data through the public GraphQL API of a running gateway (`pnpm start` first):
 * customers of both kinds in three branches, then a first contact with some of them once the
 * welcome tasks and loyalty accounts have arrived through the events.
 *   GATEWAY_URL (default http://127.0.0.1:4000/graphql), JWT_SECRET when the gateway requires tokens.
 */
import { progressLine, signToken } from '@crm/service-kit';

const url = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql';
const secret = process.env.JWT_SECRET;
const token = secret ? await signToken({ userId: 'demo-loader', roles: ['administrator'], branchId: 'BR-DKR' }, secret) : null;

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const people: [string, string, string, string, string][] = [
  ['Aminata', 'Diallo', 'FEMALE', '1986-03-14', 'Tailor'],
  ['Moussa', 'Traoré', 'MALE', '1979-11-02', 'Market trader'],
  ['Fatou', 'Sow', 'FEMALE', '1992-07-21', 'Hairdresser'],
  ['Ibrahima', 'Ndiaye', 'MALE', '1968-01-30', 'Farmer'],
  ['Awa', 'Ba', 'FEMALE', '1995-05-09', 'Food vendor'],
  ['Cheikh', 'Fall', 'MALE', '1983-12-17', 'Mechanic'],
  ['Mariama', 'Kane', 'FEMALE', '1974-08-25', 'Shopkeeper'],
  ['Ousmane', 'Diop', 'MALE', '1990-02-11', 'Taxi driver'],
];
const enterprises: [string, string, string, 'MICRO' | 'SMALL' | 'MEDIUM', string][] = [
  ['Kora Textiles SARL', 'SN-DKR-2015-B-1021', 'Textiles', 'SMALL', '185000000.00'],
  ['Teranga Agro GIE', 'SN-THS-2019-C-0442', 'Agriculture', 'MICRO', '24500000.00'],
  ['Baobab Logistics SA', 'SN-DKR-2011-B-0077', 'Transport', 'MEDIUM', '940000000.00'],
];
const branches = ['BR-DKR', 'BR-THS', 'BR-STL'];
const officers = ['officer-amadou', 'officer-khady', 'officer-pape'];

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id displayName } userErrors { field code message } } }`;
type Registered = {
  registerCustomer: { customer: { id: string; displayName: string } | null; userErrors: { field: string; code: string; message: string }[] };
};

const ids: string[] = [];
const registering = progressLine('registering customers', { total: people.length + enterprises.length });
for (const [i, [firstName, lastName, gender, birthDate, occupation]] of people.entries()) {
  const r = await gql<Registered>(REGISTER, {
    input: {
      kind: 'INDIVIDUAL',
      status: i % 3 === 0 ? 'PROSPECT' : 'ACTIVE',
      branchId: branches[i % 3],
      relationshipManagerId: officers[i % 3],
      individual: { firstName, lastName, gender, birthDate, occupation, nationalId: `SN${String(1_000_000_000 + i * 7919)}` },
      contact: { phone: `+221 77 000 00 ${String(10 + i)}`, preferredChannel: 'PHONE', preferredLanguage: 'fr', address: { region: 'Dakar', city: 'Dakar' } },
      idempotencyKey: `demo-person-${i}`,
    },
  });
  if (r.registerCustomer.customer) ids.push(r.registerCustomer.customer.id);
  else console.error(r.registerCustomer.userErrors);
  registering.tick();
}
for (const [i, [legalName, registrationNumber, industry, size, annualRevenue]] of enterprises.entries()) {
  const r = await gql<Registered>(REGISTER, {
    input: {
      kind: 'ENTERPRISE',
      status: 'ACTIVE',
      branchId: branches[i % 3],
      relationshipManagerId: officers[i % 3],
      enterprise: { legalName, registrationNumber, industry, size, annualRevenue },
      idempotencyKey: `demo-enterprise-${i}`,
    },
  });
  if (r.registerCustomer.customer) ids.push(r.registerCustomer.customer.id);
  registering.tick();
}
registering.done();
console.log(`registered ${ids.length} customers`);

// Events are asynchronous: wait until engagement knows the customers, then log first contacts.
const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { code } } }`;
let logged = 0;
for (const id of ids.slice(0, 6)) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const r = await gql<{ logInteraction: { interaction: { id: string } | null; userErrors: { code: string }[] } }>(LOG, {
      input: {
        customerId: id,
        channel: 'PHONE',
        direction: 'OUTBOUND',
        purpose: 'WELCOME',
        summary: 'Welcome call: explained the repayment calendar and channels',
        idempotencyKey: `demo-welcome-${id}`,
      },
    });
    if (r.logInteraction.interaction) {
      logged++;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
console.log(`logged ${logged} welcome calls`);

// Consent: most customers accept marketing contact at the branch; every fourth declines.
const CONSENT = `mutation($input: SetCustomerConsentInput!) { setCustomerConsent(input: $input) { userErrors { code } } }`;
const consenting = progressLine('recording consents', { total: ids.length });
for (const [i, id] of ids.entries()) {
  await gql(CONSENT, { input: { customerId: id, purpose: 'MARKETING_CONTACT', granted: i % 4 !== 3, channel: 'BRANCH' } });
  consenting.tick();
}
consenting.done();

// Credit: a monthly micro-business product and a first loan for six customers, disbursed today.
const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { userErrors { field code } } }`;
await gql(PRODUCT, {
  input: {
    code: 'DEMO-MICRO-12',
    name: 'Micro-business, monthly, 12 months',
    type: 'MICRO_BUSINESS',
    currency: 'XOF',
    minPrincipal: '50000',
    maxPrincipal: '5000000',
    minRate: '0.12',
    maxRate: '0.30',
    minTerm: 3,
    maxTerm: 24,
    frequency: 'MONTHLY',
    amortisation: 'EQUAL_INSTALMENT',
    penaltyRate: '0.365',
    graceDays: 3,
    overpaymentPolicy: 'REDUCE_LAST_INSTALMENTS',
  },
});
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id status } userErrors { field code } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { userErrors { code } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { userErrors { code } } }`;
const today = new Date().toISOString().slice(0, 10);
let disbursed = 0;
for (const [i, id] of ids.slice(0, 6).entries()) {
  let loan: { id: string; status: string } | null = null;
  // Credit learns of the customer from CustomerRegistered: retry until its replica is there.
  for (let attempt = 0; attempt < 50 && !loan; attempt++) {
    const r = await gql<{ applyForLoan: { loan: { id: string; status: string } | null } }>(APPLY, {
      input: {
        customerId: id,
        productCode: 'DEMO-MICRO-12',
        principal: String(250000 * (i + 1)),
        annualRate: '0.24',
        termCount: 12,
        purpose: 'Working capital',
        idempotencyKey: `demo-loan-${id}`,
      },
    });
    loan = r.applyForLoan.loan;
    if (!loan) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!loan) continue;
  if (loan.status === 'APPLIED') await gql(APPROVE, { input: { loanId: loan.id } });
  if (loan.status !== 'ACTIVE') await gql(DISBURSE, { input: { loanId: loan.id, disbursedOn: today } });
  disbursed++;
}
console.log(`disbursed ${disbursed} loans`);

// Let the events settle, then grade everyone for today.
await new Promise((resolve) => setTimeout(resolve, 2000));
await gql(`mutation($asOf: Date!) { runGradeEvaluation(input: { asOf: $asOf }) { userErrors { code } } }`, { asOf: today });
console.log(`graded for ${today}; try:
  { customers(first: 5) { totalCount edges { node { displayName grade valueScore { total } loanConnection(first: 5) { totalCount edges { node { principal { amount currency } } } } tasks(first: 5) { edges { node { type } } } loyalty { pointsBalance tier } } } } }`);
