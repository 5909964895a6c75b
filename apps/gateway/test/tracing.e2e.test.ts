/**
 * One trace end to end: a registration through the gateway yields one trace holding the gateway
 * request, the subgraph call, the customers subgraph's request, the command and its SQL, the
 * outbox write, the relay's publish and the handling of CustomerRegistered by loyalty and
 * engagement (continued from the event's `traceparent`), over the in-process transport or Kafka.
 */
import { currentTraceIds, type Logger, startTelemetry, type Telemetry } from '@crm/service-kit';
import { eventually } from '@crm/service-kit/testing';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_MODE } from './harness.ts';

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`;
const REGISTERED = 'crm.customers.CustomerRegistered.v1';

describe(`one trace from the gateway to the last consumer on ${TEST_MODE}`, () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let stack: Awaited<ReturnType<typeof startTestStack>>;

  beforeAll(async () => {
    // One provider for the whole process (the stack runs in it), before anything starts.
    telemetry = startTelemetry({ serviceName: 'tracing-test', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    stack = await startTestStack();
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await telemetry?.shutdown();
  });

  const spans = () => exporter.getFinishedSpans();
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const idOf = (span: ReadableSpan) => span.spanContext().spanId;
  const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

  it('a registration is one trace: gateway, subgraph, command, SQL, outbox, publish, loyalty and engagement handlers', async () => {
    const reg = await stack.query<{ registerCustomer: { customer: { id: string } | null } }>(REGISTER, {
      input: {
        kind: 'INDIVIDUAL',
        branchId: 'BR-KMS',
        relationshipManagerId: 'officer-kms',
        individual: { firstName: 'Kofi', lastName: 'Mensah', birthDate: '1979-03-02' },
      },
    });
    expect(reg.data?.registerCustomer.customer?.id).toBeTruthy();

    const gateway = await eventually(async () =>
      spans().find((s) => s.name === 'graphql mutation.registerCustomer' && s.attributes['crm.service'] === 'gateway'),
    );
    const traceId = traceOf(gateway);
    const inTrace = () => spans().filter((s) => traceOf(s) === traceId);
    const handled = (service: string) => inTrace().find((s) => s.name === `${REGISTERED} process` && s.attributes['crm.service'] === service);
    // The consumers' spans end after the request's: wait for both.
    await eventually(async () => (handled('loyalty') && handled('engagement') ? true : undefined), 60_000);

    const all = inTrace();
    if (process.env.TRACE_DUMP) for (const s of all) console.log(idOf(s), parentOf(s), s.name, s.attributes['crm.service'] ?? '');
    const one = (name: string, where: (s: ReadableSpan) => boolean = () => true) => {
      const found = all.filter((s) => s.name === name && where(s));
      expect(found, name).toHaveLength(1);
      return found[0] as ReadableSpan;
    };
    expect(parentOf(gateway)).toBeUndefined();
    const byId = new Map(all.map((s) => [idOf(s), s]));
    const ancestors = (span: ReadableSpan): string[] => {
      const parent = parentOf(span);
      const next = parent ? byId.get(parent) : undefined;
      return parent ? [parent, ...(next ? ancestors(next) : [])] : [];
    };
    // Apollo's gateway adds its own spans (gateway.plan, gateway.execute, gateway.fetch) between.
    const call = one('subgraph customers');
    expect(ancestors(call)).toContain(idOf(gateway));
    expect(byId.get(parentOf(call) ?? '')?.name).toBe('gateway.fetch');
    const subgraph = one('graphql mutation.registerCustomer', (s) => s.attributes['crm.service'] === 'customers');
    expect(parentOf(subgraph)).toBe(idOf(call));
    const command = one('command registerCustomer');
    expect(parentOf(command)).toBe(idOf(subgraph));
    const sql = all.filter((s) => parentOf(s) === idOf(command) && s.name.startsWith('db '));
    expect(sql.map((s) => s.name)).toContain('db INSERT');
    const outbox = one('outbox write', (s) => parentOf(s) === idOf(command));
    expect(outbox.attributes['crm.event.types']).toContain(REGISTERED);
    const publishes = all.filter((s) => s.name.endsWith(' publish') && parentOf(s) === idOf(outbox) && s.attributes['crm.event.type'] === REGISTERED);
    expect(publishes).toHaveLength(1);
    const publish = publishes[0] as ReadableSpan;
    for (const service of ['loyalty', 'engagement']) {
      const handling = handled(service) as ReadableSpan;
      expect(parentOf(handling), service).toBe(idOf(publish));
      // The handler's own SQL (inbox insert, its writes) is in the trace too.
      expect(
        all.some((s) => parentOf(s) === idOf(handling) && s.name.startsWith('db ')),
        service,
      ).toBe(true);
    }
  }, 120_000);

  it('log lines carry the trace and span ids next to the correlation id', async () => {
    const lines: Record<string, unknown>[] = [];
    const { createLogger, inSpan, withCorrelationId } = await import('@crm/service-kit');
    const logger: Logger = createLogger('trace-log', 'info', { write: (line: string) => lines.push(JSON.parse(line)) });
    await withCorrelationId('corr-1', () =>
      inSpan('logged', {}, async () => {
        logger.info('inside');
        expect(lines[0]).toMatchObject({ correlationId: 'corr-1', ...currentTraceIds() });
      }),
    );
    expect(lines[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[0]?.span_id).toMatch(/^[0-9a-f]{16}$/);
  });
});
