/**
 * The malformed-input corpus: for every mutation of the composed schema, variants of a plausible
 * input with one leaf made malformed (missing, wrong type, over-long, control characters, out of
 * range, unknown id). Each must be refused with a clear code (a GraphQL validation error or a
 * field error in the payload), never INTERNAL_SERVER_ERROR, and none may write a row (the audit
 * log, which records refusals, aside).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Producer } from '@crm/events';
import type { Identity } from '@crm/service-kit';
import { eventually } from '@crm/service-kit/testing';
import type * as GraphQL from 'graphql';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

// The gateway's own graphql instance (CommonJS); the API schema is read from the committed SDL.
const graphql = createRequire(import.meta.resolve('@apollo/gateway'))('graphql') as typeof GraphQL;
const schema = graphql.buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

/** Every role at once, across branches: refusals below come from the input, not from access rules. */
const caller: Identity = {
  userId: 'corpus-admin',
  roles: ['administrator', 'risk_officer', 'branch_manager', 'loan_officer', 'service_agent'],
  branchId: 'BR-001',
};

/**
 * Values that are legal for some fields (a large capacity, a large collateral) and out of range
 * for others (a ratio column): they must never cause an internal error, but may be accepted.
 */
const LENIENT = { largestInt: 'largest int', largeAmount: 'large amount' } as const;
const isLenient = (kind: string) => (Object.values(LENIENT) as string[]).includes(kind);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Variant {
  mutation: string;
  path: string;
  kind: string;
  input: Json;
}

/** Ids of existing records, by the input field that names them. */
const pool = new Map<string, string>();
const USER_ID_FIELD = /(officer|manager|assignee|user|agent|staff|by)Id$/i;
const ENTITY_OF_ID: Record<string, string> = {
  updateCustomerSegment: 'segmentId',
  deleteCustomerSegment: 'segmentId',
  upsertReward: 'rewardId',
};

const named = (type: GraphQL.GraphQLInputType) => graphql.getNamedType(type) as GraphQL.GraphQLNamedInputType;

function baseScalar(type: GraphQL.GraphQLNamedInputType, field: string, mutation: string): Json {
  if (graphql.isEnumType(type)) return type.getValues()[0]?.value ?? null;
  switch (type.name) {
    case 'ID':
      if (field === 'branchId') return 'BR-001';
      if (field === 'id') return pool.get(ENTITY_OF_ID[mutation] ?? '') ?? 'corpus-unknown-id';
      return pool.get(field) ?? (USER_ID_FIELD.test(field) ? 'corpus-user' : 'corpus-unknown-id');
    case 'String':
      if (field === 'currency') return 'GHS';
      if (field === 'productCode') return 'CORPUS-PRODUCT';
      if (field === 'email') return 'corpus@example.org';
      return `Corpus ${field}`;
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'Decimal':
      return '100';
    case 'Date':
      return '2026-06-01';
    case 'DateTime':
      return '2026-12-15T10:00:00Z';
    default:
      return {};
  }
}

/** A plausible input: every required field, with the values above. */
function baseValue(type: GraphQL.GraphQLInputType, field: string, mutation: string, depth = 0): Json {
  const list = graphql.isListType(graphql.getNullableType(type));
  const t = named(type);
  const one = (): Json => {
    if (!graphql.isInputObjectType(t)) return baseScalar(t, field, mutation);
    const out: Record<string, Json> = {};
    for (const f of Object.values(t.getFields())) {
      if (graphql.isNonNullType(f.type) && f.defaultValue === undefined && depth < 4) out[f.name] = baseValue(f.type, f.name, mutation, depth + 1);
    }
    return out;
  };
  return list ? [one()] : one();
}

/** Malformed values for a leaf of the given type (one per kind of damage). */
function malformed(type: GraphQL.GraphQLNamedInputType, field: string): [string, Json][] {
  const text: [string, Json][] = [
    ['NUL character', 'a\u0000b'],
    ['unpaired surrogate', 'a\ud800b'],
    ['over-long', 'x'.repeat(5000)],
  ];
  if (graphql.isEnumType(type)) return [['unknown enum value', 'NOT_A_VALUE']];
  switch (type.name) {
    case 'ID':
      return USER_ID_FIELD.test(field) || field === 'branchId' ? text : [...text, ['unknown id', 'corpus-unknown-id']];
    case 'String':
      return text;
    case 'Int':
      return [
        ['int beyond 32 bits', 2147483648],
        [LENIENT.largestInt, 2147483647],
        ['smallest int', -2147483648],
        ['wrong type', 'twelve'],
      ];
    case 'Float':
      return [['wrong type', 'twelve']];
    case 'Boolean':
      return [['wrong type', 'yes']];
    case 'Decimal':
      return [
        ['beyond any amount', '9999999999999999.99'],
        [LENIENT.largeAmount, '99999999999.99'],
        ['negative', '-1'],
        ['too many decimals', '1.0000000001'],
        ['not a number', '12abc'],
      ];
    case 'Date':
      return [
        ['year 0', '0000-01-01'],
        ['year 9999', '9999-12-31'],
        ['impossible day', '2024-02-30'],
      ];
    case 'DateTime':
      return [
        ['year 9999', '9999-12-31T00:00:00Z'],
        ['not a date', '1'],
      ];
    default:
      return [['wrong type', 12]];
  }
}

function variantsOf(mutation: GraphQL.GraphQLField<unknown, unknown>): Variant[] {
  const inputArg = mutation.args.find((a) => a.name === 'input');
  if (!inputArg) return [];
  const base = baseValue(inputArg.type, 'input', mutation.name) as Record<string, Json>;
  const out: Variant[] = [];
  const walk = (type: GraphQL.GraphQLInputObjectType, at: string[], depth: number) => {
    for (const f of Object.values(type.getFields())) {
      const path = [...at, f.name];
      const t = named(f.type);
      const isList = graphql.isListType(graphql.getNullableType(f.type));
      const put = (kind: string, value: Json | undefined) => {
        const input = structuredClone(base);
        let target = input as Record<string, Json>;
        for (const key of at) {
          const next = target[key];
          if (Array.isArray(next)) target = next[0] as Record<string, Json>;
          else if (next && typeof next === 'object') target = next as Record<string, Json>;
          else {
            const created = {};
            target[key] = graphql.isListType(graphql.getNullableType((type.getFields()[key] ?? f).type)) ? [created] : created;
            target = created;
          }
        }
        if (value === undefined) delete target[f.name];
        else target[f.name] = isList ? [value] : value;
        out.push({ mutation: mutation.name, path: path.join('.'), kind, input });
      };
      if (graphql.isNonNullType(f.type) && f.defaultValue === undefined) put('missing', undefined);
      if (graphql.isInputObjectType(t)) {
        put('wrong type', 'not an object');
        if (depth < 2) walk(t, path, depth + 1);
        continue;
      }
      for (const [kind, value] of malformed(t, f.name)) put(kind, value);
    }
  };
  const inputType = named(inputArg.type);
  if (graphql.isInputObjectType(inputType)) walk(inputType, [], 0);
  return out;
}

/** The payload's selection: scalars, `{ id }` of records, and the user errors. */
function selectionOf(type: GraphQL.GraphQLOutputType): string {
  const t = graphql.getNamedType(type);
  if (!graphql.isObjectType(t)) return '';
  const parts = ['__typename'];
  for (const f of Object.values(t.getFields())) {
    const ft = graphql.getNamedType(f.type);
    if (f.args.some((a) => graphql.isNonNullType(a.type))) continue;
    if (f.name === 'userErrors') parts.push('userErrors { field code message }');
    else if (graphql.isObjectType(ft) && ft.getFields().id) parts.push(`${f.name} { id }`);
  }
  return `{ ${parts.join(' ')} }`;
}

const mutationType = schema.getMutationType();
if (!mutationType) throw new Error('the composed schema has no mutations');
const mutations = Object.values(mutationType.getFields());
const documentOf = (m: GraphQL.GraphQLField<unknown, unknown>) =>
  `mutation Corpus($input: ${String(m.args[0]?.type)}) { result: ${m.name}(input: $input) ${selectionOf(m.type)} }`;

interface Response {
  data?: { result: { userErrors?: { field: string | null; code: string }[] } & Record<string, unknown> } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

type Outcome = 'refused' | 'internal' | 'accepted';
function outcomeOf(res: Response): Outcome {
  if (res.errors?.length) return res.errors.some((e) => !e.extensions?.code || e.extensions.code === 'INTERNAL_SERVER_ERROR') ? 'internal' : 'refused';
  return res.data?.result?.userErrors?.length ? 'refused' : 'accepted';
}

/** Row counts of every table of every service, the audit log aside. */
async function rowCounts(dbs: Record<string, Kysely<unknown>>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [service, db] of Object.entries(dbs)) {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'
        and table_name not in ('audit_log') and table_name not like 'kysely_%'`.execute(db);
    for (const { table_name } of tables.rows) {
      const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table_name)}`.execute(db);
      counts[`${service}.${table_name}`] = Number(rows[0]?.n ?? 0);
    }
  }
  return counts;
}

describe(`malformed input to every mutation on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let dbs: Record<string, Kysely<unknown>>;
  const run = <T = Response>(document: string, input: Json) => stack.query<T>(document, { input }, caller) as Promise<T>;
  const seed = async (mutation: string, input: Json, poolKey: string, field: string) => {
    const m = mutationType.getFields()[mutation];
    if (!m) throw new Error(`no mutation ${mutation}`);
    const res = await run(documentOf(m), input);
    const record = res.data?.result?.[field] as { id?: string } | null | undefined;
    if (!record?.id) throw new Error(`seeding ${mutation} failed: ${JSON.stringify(res)}`);
    pool.set(poolKey, record.id);
  };

  beforeAll(async () => {
    stack = await startTestStack({ limits: { ratePerMinute: 1_000_000 } });
    dbs = Object.fromEntries(Object.entries(stack.services).map(([name, s]) => [name, (s as unknown as { db: Kysely<unknown> }).db])) as Record<
      Producer,
      Kysely<unknown>
    >;
    await seed(
      'registerCustomer',
      { kind: 'INDIVIDUAL', branchId: 'BR-001', individual: { firstName: 'Awa', lastName: 'Corpus', birthDate: '1980-01-01' } },
      'customerId',
      'customer',
    );
    const customerId = pool.get('customerId') ?? '';
    // Credit, engagement and loyalty know the customer before it is used there.
    await eventually(async () => {
      const r = await stack.query<{ customer: { loyalty: { pointsBalance: number } | null; loanConnection: unknown } | null }>(
        'query($id: ID!) { customer(id: $id) { loyalty { pointsBalance } loanConnection(first: 1) { totalCount } } }',
        { id: customerId },
        caller,
      );
      return r.data?.customer?.loyalty ? true : undefined;
    }, 45_000);
    await seed(
      'createLoanProduct',
      {
        code: 'CORPUS-PRODUCT',
        name: 'Corpus product',
        type: 'MICRO_BUSINESS',
        currency: 'GHS',
        minPrincipal: '50',
        maxPrincipal: '50000',
        minRate: '0.10',
        maxRate: '0.40',
        minTerm: 1,
        maxTerm: 12,
        frequency: 'MONTHLY',
        amortisation: 'EQUAL_PRINCIPAL',
        penaltyRate: '0.20',
        graceDays: 3,
        overpaymentPolicy: 'REFUSE',
      },
      'productId',
      'product',
    );
    await seed(
      'applyForLoan',
      { customerId, productCode: 'CORPUS-PRODUCT', principal: '1000', annualRate: '0.20', termCount: 6, purpose: 'Corpus stock' },
      'loanId',
      'loan',
    );
    await seed(
      'createTask',
      {
        customerId,
        type: baseScalar(named(schema.getType('TaskType') as GraphQL.GraphQLEnumType), 'type', ''),
        title: 'Corpus task',
        dueAt: '2026-12-20T10:00:00Z',
      },
      'taskId',
      'task',
    );
    await seed(
      'receiveComplaint',
      {
        customerId,
        kind: 'COMPLAINT',
        category: baseScalar(schema.getType('ComplaintCategory') as GraphQL.GraphQLEnumType, 'category', ''),
        severity: 'LOW',
        channel: 'PHONE',
        description: 'Corpus complaint',
      },
      'complaintId',
      'complaint',
    );
    await seed(
      'createCareEvent',
      {
        title: 'Corpus event',
        kind: baseScalar(schema.getType('CareEventKind') as GraphQL.GraphQLEnumType, 'kind', ''),
        branchId: 'BR-001',
        startsAt: '2026-12-20T10:00:00Z',
      },
      'eventId',
      'event',
    );
    await seed('createCustomerSegment', { name: 'Corpus segment', rule: { attribute: 'branchId', op: 'eq', value: 'BR-001' } }, 'segmentId', 'segment');
    // Let every event of the seeding be handled before counting rows.
    let previous = '';
    await eventually(async () => {
      const now = JSON.stringify(await rowCounts(dbs));
      const stable = now === previous;
      previous = now;
      if (!stable) await new Promise((r) => setTimeout(r, 1500));
      return stable ? true : undefined;
    }, 60_000);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses every variant with a code, never an internal error, and writes nothing', async () => {
    const before = await rowCounts(dbs);
    const variants = mutations.flatMap(variantsOf);
    expect(variants.length).toBeGreaterThan(1000);
    const covered = new Set(variants.map((v) => v.mutation));
    expect(mutations.filter((m) => !covered.has(m.name)).map((m) => m.name)).toEqual([]);

    const results: (Variant & { outcome: Outcome; codes: string[] })[] = [];
    const runAll = async (queue: Variant[]) => {
      const worker = async () => {
        for (let v = queue.shift(); v; v = queue.shift()) {
          const m = mutationType.getFields()[v.mutation];
          if (!m) continue;
          const res = await run(documentOf(m), v.input);
          const codes = [...(res.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE'), ...(res.data?.result?.userErrors ?? []).map((e) => e.code)];
          results.push({ ...v, outcome: outcomeOf(res), codes });
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    };
    // Malformed everywhere first, then what some fields may accept (those may write).
    await runAll(variants.filter((v) => !isLenient(v.kind)));
    const after = await rowCounts(dbs);
    await runAll(variants.filter((v) => isLenient(v.kind)));

    const describe = (r: (typeof results)[number]) => `${r.mutation} ${r.path}: ${r.kind} -> ${r.codes.join(',') || 'accepted'}`;
    const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
    console.info(
      `malformed-input corpus: ${results.length} variants over ${covered.size} mutations; refused ${count('refused')}, accepted (lenient) ${count('accepted')}, internal ${count('internal')}`,
    );
    const written = Object.keys(after)
      .filter((t) => after[t] !== before[t])
      .map((t) => `${t}: ${before[t]} -> ${after[t]}`);
    expect({
      internal: results.filter((r) => r.outcome === 'internal').map(describe),
      accepted: results.filter((r) => r.outcome === 'accepted' && !isLenient(r.kind)).map(describe),
      written,
    }).toEqual({ internal: [], accepted: [], written: [] });
  }, 600_000);
});
