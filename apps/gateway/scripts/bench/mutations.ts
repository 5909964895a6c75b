/**
 * A mutation at three depths (`pnpm bench`): registerCustomer through the gateway, the same
 * mutation straight to the customers subgraph, and the same SQL by a bare `pg` client in
 * transactions of the same shape. The bare side replays the statements of one registration,
 * recorded from the customers service itself (run in this process for the purpose): every
 * statement of its transaction, in order, with its parameters, each UUID replaced by a fresh
 * one per replay (the customer, its audit record, its events), so each replay inserts a new
 * customer exactly as the service does.
 */
import { randomUUID } from 'node:crypto';
import { InProcessTransport } from '@crm/events';
import { type AuthSettings, GATEWAY_CREDENTIAL_HEADER, signGatewayCredential, signToken, startService } from '@crm/service-kit';
import pg from 'pg';
import { customersService } from '../../src/services.ts';

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterCustomerInput!) {
    registerCustomer(input: $input) { customer { id } userErrors { field code } }
  }
`;

let serial = 0;
/** A new individual each time (names and branch vary; no idempotency key). */
export const registration = () => {
  const n = ++serial;
  return {
    input: {
      kind: 'INDIVIDUAL',
      status: 'ACTIVE',
      branchId: `BR-${n % 40}`,
      relationshipManagerId: `rm-${n % 200}`,
      individual: { firstName: `Bench${n}`, lastName: 'Registrant' },
    },
  };
};

export interface RecordedStatement {
  text: string;
  values: unknown[];
}

/**
 * The statements of one registration's transaction (begin to commit), as the customers service
 * sends them: the service started in this process on `databaseUrl`, `pg`'s Client.query watched
 * while one registration goes through it. Starting the service registers its state projection in
 * this process (every later outbox write of a customers event here would read a customer's
 * state): `pnpm bench` runs this in a process of its own (record-registration-process.ts).
 */
export async function recordRegistration(databaseUrl: string, auth: AuthSettings): Promise<RecordedStatement[]> {
  const service = await startService(customersService, {
    database: { kind: 'postgres', url: databaseUrl, poolSize: 2 },
    transport: new InProcessTransport(),
    port: 0,
    auth,
    logLevel: 'silent',
    scheduleJobs: false,
    relayIntervalMs: 60_000,
  });
  const seen: { client: object; text: string; values: unknown[] }[] = [];
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function (this: object, ...args: unknown[]) {
    const [first, second] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
    const values = Array.isArray(second) ? second : ((first as { values?: unknown[] } | null)?.values ?? []);
    seen.push({ client: this, text, values: [...values] });
    return original.apply(this, args);
  };
  try {
    const token = await signToken({ userId: 'bench-registrar', roles: ['administrator'] }, auth, '1h');
    const res = await fetch(service.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        [GATEWAY_CREDENTIAL_HEADER]: await signGatewayCredential(auth.gatewaySecret),
      },
      body: JSON.stringify({ query: REGISTER, variables: registration() }),
    });
    const body = (await res.json()) as { data?: { registerCustomer?: { customer?: { id: string } } } };
    if (!body.data?.registerCustomer?.customer?.id) throw new Error(`registration not recorded: ${JSON.stringify(body)}`);
  } finally {
    prototype.query = original;
    await service.stop();
  }
  const insert = seen.find((s) => /insert into "customer"/i.test(s.text));
  if (!insert) throw new Error('no customer insert seen');
  const own = seen.filter((s) => s.client === insert.client);
  const begin = own.findLastIndex((s, i) => i <= own.indexOf(insert) && /^\s*(begin|start transaction)/i.test(s.text));
  const commit = own.findIndex((s, i) => i > own.indexOf(insert) && /^\s*commit/i.test(s.text));
  if (begin < 0 || commit < 0) throw new Error('the registration transaction was not seen whole');
  return own.slice(begin, commit + 1).map(({ text, values }) => ({ text, values }));
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The recorded statements with every UUID replaced by a fresh one (the same one wherever it recurs). */
function fresh(statements: readonly RecordedStatement[]): RecordedStatement[] {
  const ids = new Map<string, string>();
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v.replace(UUID, (id) => {
        const key = id.toLowerCase();
        let next = ids.get(key);
        if (!next) {
          next = randomUUID();
          ids.set(key, next);
        }
        return next;
      });
    if (Array.isArray(v)) return v.map(swap);
    return v;
  };
  return statements.map((s) => ({ text: s.text, values: s.values.map(swap) }));
}

/** One registration by the bare client: the recorded transaction replayed on one connection. */
export async function replayRegistration(pool: pg.Pool, statements: readonly RecordedStatement[]): Promise<void> {
  const client = await pool.connect();
  try {
    for (const s of fresh(statements)) await client.query(s.text, s.values);
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * `clients` concurrent writers doing `op` one after the other for `seconds`: operations completed
 * per second. A failed operation is counted apart (and the run refused when more than 1% fail).
 */
export async function writers(clients: number, seconds: number, op: () => Promise<void>): Promise<number> {
  let done = 0;
  let failed = 0;
  let firstError: unknown;
  const end = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        try {
          await op();
          done++;
        } catch (error) {
          failed++;
          firstError ??= error;
        }
      }
    }),
  );
  if (failed > (done + failed) / 100) throw new Error(`${failed} of ${done + failed} operations failed, e.g. ${String(firstError)}`);
  return done / ((performance.now() - started) / 1000);
}

/** A registration sent to a GraphQL endpoint (the gateway, or the subgraph with the gateway's credential). */
export function registerThrough(url: string, headers: () => Promise<Record<string, string>>): () => Promise<void> {
  return async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await headers()) },
      body: JSON.stringify({ query: REGISTER, variables: registration() }),
    });
    const body = (await res.json()) as { data?: { registerCustomer?: { customer?: { id: string } | null } }; errors?: unknown };
    if (!body.data?.registerCustomer?.customer?.id) throw new Error(`${url}: registration failed: ${JSON.stringify(body)}`);
  };
}
