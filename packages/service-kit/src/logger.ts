import { currentCorrelationId, currentTraceIds, maskErrorDetail, maskPersonalData } from '@crm/events';
import { type DestinationStream, type Logger, pino, stdSerializers } from 'pino';

export { currentCorrelationId, withCorrelationId } from '@crm/events';
export type { Logger } from 'pino';

/** Errors as pino writes them, with the offending value in a database error's detail masked. */
function errorSerializer(error: unknown) {
  const serialized = stdSerializers.err(error as Error) as ReturnType<typeof stdSerializers.err> & { detail?: unknown };
  if (typeof serialized?.detail === 'string') serialized.detail = maskErrorDetail(serialized.detail);
  return serialized;
}

/**
 * Structured JSON logging; the correlation id of the current request or event, and the trace
 * and span ids of the current span (`trace_id`, `span_id`), are added to each line, and personal data (the fields of MASKED_FIELDS, at any depth) is masked before it is written.
 */
export function createLogger(name: string, level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: errorSerializer, error: errorSerializer },
      formatters: { level: (label) => ({ level: label }), log: (object) => maskPersonalData(object) },
      // The correlation id and, inside a span, the trace and span ids (see telemetry.ts).
      mixin: () => {
        const id = currentCorrelationId();
        return { ...(id ? { correlationId: id } : {}), ...currentTraceIds() };
      },
    },
    destination,
  );
}
