import { currentCorrelationId } from '@crm/events';
import { type Logger, pino } from 'pino';

export { currentCorrelationId, withCorrelationId } from '@crm/events';
export type { Logger } from 'pino';

/** Structured JSON logging; the correlation id of the current request or event is added to each line. */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const id = currentCorrelationId();
      return id ? { correlationId: id } : {};
    },
  });
}
