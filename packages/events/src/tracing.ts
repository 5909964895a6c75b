import { type Attributes, type Context, context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * The spans the platform creates itself, through the OpenTelemetry API only: without a tracer
 * provider (see service-kit's telemetry.ts) every call here is a no-op. Spans are made explicitly
 * at the few places a trace must show (gateway request, subgraph call, command, SQL, outbox
 * write, relay publish, consumer handling) rather than by patching modules, which is unreliable
 * for ES modules run through type stripping or tsx.
 */
export const TRACER_NAME = 'lender-crm';

export const tracer = () => trace.getTracer(TRACER_NAME);

export { SpanKind, SpanStatusCode };

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent (e.g. a context extracted from an event's `traceparent`); default: the active one. */
  parent?: Context;
}

/** Runs `fn` in a new active span; a throw marks the span as failed and is rethrown. */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks a span as failed by `error`. */
export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** W3C trace context of `ctx` (default: the active span), as carried in headers and in an event's envelope. */
export function traceContextOf(ctx: Context = context.active()): { traceparent?: string; tracestate?: string } {
  if (!trace.getSpanContext(ctx)) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return {
    ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
  };
}

/** The context a `traceparent` (header or CloudEvents extension) names; the active context when absent or malformed. */
export function contextOfTraceparent(traceparent: string | undefined, tracestate?: string): Context {
  if (!traceparent) return context.active();
  return propagation.extract(context.active(), { traceparent, ...(tracestate ? { tracestate } : {}) });
}

/** The trace and span ids of the active span, for log lines; empty outside a span. */
export function currentTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !trace.isSpanContextValid(span)) return {};
  return { trace_id: span.traceId, span_id: span.spanId };
}
