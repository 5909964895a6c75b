import { randomBytes } from 'node:crypto';
import { InProcessTransport, KafkaTransport, type Producer } from '@crm/events';
import { createLogger, type DatabaseTarget, type Identity } from '@crm/service-kit';
import { fromTestTemplate, postGraphQL, staff, TEST_AUTH, TEST_METRICS_TOKEN, testDatabaseTarget } from '@crm/service-kit/testing';
import { creditService, customersService, engagementService, loyaltyService } from '../src/services.ts';
import { type Stack, type StackOptions, startStack } from '../src/stack.ts';

/**
 * The whole product for an end-to-end test. Embedded by default (PGlite, in-process events);
 * on real PostgreSQL when TEST_DATABASE_URL / DATABASE_URL is set and on a real Kafka broker
 * when KAFKA_BROKERS is set, each run isolated by its own schemas and topic namespace.
 */
export const TEST_MODE = `${process.env.TEST_DATABASE_URL || process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'} + ${process.env.KAFKA_BROKERS ? 'Kafka' : 'in-process events'}`;

/**
 * The default caller of the journey tests: an officer who also holds the risk role, so the flows
 * run across the branches the fixtures use. Branch scope itself is tested role by role in each
 * service and in security.e2e.test.ts.
 */
export const journeyStaff: Identity = { ...staff.officer, roles: ['loan_officer', 'risk_officer'] };

/**
 * The databases of a test stack, as embedded mode lays them out: on PGlite one in-memory instance
 * with a schema per service, started from the run's migrated template (migrations run once per
 * test run, not per suite); on PostgreSQL a fresh schema per service.
 */
export async function testStackDatabases(run: string): Promise<(service: Producer) => DatabaseTarget> {
  const spec = [customersService, creditService, engagementService, loyaltyService].map((d) => ({
    schema: d.name,
    migrations: d.migrations,
    eventOperations: true,
  }));
  const targets = new Map<Producer, DatabaseTarget>();
  for (const d of [customersService, creditService, engagementService, loyaltyService]) {
    targets.set(d.name, await fromTestTemplate(testDatabaseTarget(`${d.name}_${run}`, { instance: `stack-${run}`, schema: d.name }), spec));
  }
  return (service) => {
    const target = targets.get(service);
    if (!target) throw new Error(`No database for ${service}`);
    return target;
  };
}

export async function startTestStack(overrides: Partial<Pick<StackOptions, 'auth' | 'limits' | 'production'>> = {}): Promise<
  Stack & {
    query: <T>(q: string, v?: Record<string, unknown>, as?: Identity | null) => ReturnType<typeof postGraphQL<T>>;
    /** The run's topic namespace, the Kafka brokers (when set) and the in-process bus (otherwise), for tests that read the topics. */
    events: { namespace: string; brokers: string[] | undefined; bus: InProcessTransport };
  }
> {
  const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  const run = randomBytes(3).toString('hex');
  const bus = new InProcessTransport();
  const logLevel = process.env.TEST_LOG_LEVEL ?? 'silent';
  const stack = await startStack({
    database: await testStackDatabases(run),
    transport: (service) =>
      brokers?.length ? new KafkaTransport({ brokers, clientId: `crm-${service}-${run}`, logger: createLogger(service, logLevel) }) : bus,
    auth: TEST_AUTH,
    metricsToken: TEST_METRICS_TOKEN,
    devIdentity: null,
    gatewayPort: 0,
    sandbox: false,
    logLevel,
    namespace: `e2e-${run}`,
    relayIntervalMs: 50,
    ...overrides,
  });
  return { ...stack, query: (q, v, as = journeyStaff) => postGraphQL(stack.gatewayUrl, q, v, as), events: { namespace: `e2e-${run}`, brokers, bus } };
}

type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/**
 * Moves the product to a business date through credit's API (issue 10): setBusinessDate as an
 * administrator (outside production). Credit announces it with BusinessDateChanged; the other
 * services' jobs may run up to it once they have it (see `runOnBusinessDate`). The clock is left alone.
 */
export async function setBusinessDate(stack: TestStack, date: string): Promise<void> {
  const res = await stack.query<{ setBusinessDate: { businessDate: { date: string } | null; userErrors: unknown[] } }>(
    `mutation($date: Date!) { setBusinessDate(input: { date: $date }) { businessDate { date } userErrors { field code } } }`,
    { date },
    staff.admin,
  );
  if (res.data?.setBusinessDate.businessDate?.date !== date) throw new Error(`setBusinessDate ${date}: ${JSON.stringify(res)}`);
}

/**
 * Runs a job mutation for a business date set with `setBusinessDate`: retried while it answers
 * DATE_IN_FUTURE (the service has not yet received the date: the event is on its way through the
 * outbox and the broker), up to `timeoutMs`; any other answer is returned as it is.
 */
export async function runOnBusinessDate<T>(run: () => Promise<T>, codes: (result: T) => readonly string[], timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await run();
    if (!codes(result).includes('DATE_IN_FUTURE')) return result;
    if (Date.now() > deadline) throw new Error(`still DATE_IN_FUTURE after ${timeoutMs} ms: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
