import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export { contextOfTraceparent, currentTraceIds, failSpan, inSpan, SpanKind, SpanStatusCode, traceContextOf, tracer } from '@crm/events';

/** The OTLP exporter's class, read from disk only when an endpoint is configured (see startTelemetry). */
const otlpExporter = (): typeof import('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter =>
  (createRequire(import.meta.url)('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter;

/**
 * Tracing, set up in one place and started by each process's main before its server (the
 * gateway, each standalone service, the embedded stack). The spans themselves are made
 * explicitly through the OpenTelemetry API (packages/events/src/tracing.ts) at the places a trace
 * must show: the gateway request and each subgraph call, the subgraph request, each command and
 * SQL statement, the outbox write, the relay's publish and each consumer's handling (continued
 * from the event's `traceparent`), so one trace follows a request to the last consumer.
 *
 * Settings are OpenTelemetry's standard environment variables:
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): spans are exported
 *   with OTLP over HTTP (protobuf) to it; unset, nothing is exported and nothing recorded (trace
 *   ids still reach logs and events, so a trace can be followed in the logs alone; they travel
 *   as not sampled, so set the endpoint on every process or on none).
 * - `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`: default `parentbased_always_on`; e.g.
 *   `parentbased_traceidratio` with `0.1` keeps one trace in ten, and a sampled gateway request
 *   is followed by every span after it (the decision travels in `traceparent`).
 * - `OTEL_SERVICE_NAME`: the resource's service name (default: the process's own name).
 * - `OTEL_SDK_DISABLED=true`: no tracer provider at all (every span call is a no-op).
 */
export interface TelemetryOptions {
  /** The process's name (`gateway`, `customers`..., `lender-crm` for the embedded stack). */
  serviceName: string;
  env?: Record<string, string | undefined>;
  /** More processors (tests: a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** Whether spans are exported over OTLP. */
  exporting: boolean;
  /** Exports what is buffered (before a test reads spans, or a process exits). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let running: Telemetry | undefined;

/** Whether the active span is recorded: undefined outside a span (a child of an unrecorded span is not recorded either). */
export function activeSpanIsRecording(): boolean | undefined {
  return trace.getActiveSpan()?.isRecording();
}

/** Starts tracing for this process; once per process (a second call answers the first one's handle). */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (running) return running;
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED === 'true') {
    running = { exporting: false, flush: async () => {}, shutdown: async () => {} };
    return running;
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  // The exporter reads the endpoint, headers and timeout from the same standard variables.
  // Loaded only then: the OTLP exporter (protobuf and its HTTP client) is a large module tree that a
  // process exporting nothing need not read at start-up (embedded mode's first answer).
  if (endpoint) processors.push(new BatchSpanProcessor(new (otlpExporter())()));
  // The sampler comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (read by the SDK). With
  // nothing to export to, spans are not recorded at all (AlwaysOff): each still gets its ids, so
  // trace ids reach logs and travel on (traceparent, events), but no span is built attribute by
  // attribute for nobody: about a tenth of the gateway's throughput (`pnpm bench`).
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || options.serviceName, 'service.namespace': 'lender-crm' }),
    spanProcessors: processors,
    ...(processors.length ? {} : { sampler: new AlwaysOffSampler() }),
  });
  // Registers the W3C trace-context propagator and the AsyncLocalStorage context manager.
  provider.register();
  const handle: Telemetry = {
    exporting: Boolean(endpoint),
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      if (running === handle) running = undefined;
    },
  };
  running = handle;
  return handle;
}
