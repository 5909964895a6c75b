/**
 * Errors of the infrastructure rather than of the event or request: the database or broker went
 * away, restarted, or refused a transaction that will succeed when retried. These are retried
 * without limit (with capped backoff) and never count toward an event's poison budget; a client
 * sees them as a retryable SERVICE_UNAVAILABLE.
 */
const TRANSIENT_SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the database system is starting up / shutting down
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
]);

const TRANSIENT_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection error and is not queryable/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /connect ECONNREFUSED/i,
];

/** KafkaJS errors of a broker that is down or moving (the broker's own word when it gives one). */
const TRANSIENT_KAFKA = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
]);

function isTransientOne(error: object): boolean {
  const { code, name, message, retriable } = error as { code?: unknown; name?: unknown; message?: unknown; retriable?: unknown };
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_ERRNOS.has(code)) return true;
    // Class 08: connection exception (08000, 08003, 08006, 08001, 08004, ...).
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof name === 'string' && name.startsWith('KafkaJS') && (TRANSIENT_KAFKA.has(name) || retriable === true)) return true;
  return typeof message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(message));
}

/** True when the error (or what it wraps: cause, originalError, AggregateError) is transient. */
export function isTransientError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  if (isTransientOne(error)) return true;
  const { cause, originalError, errors } = error as { cause?: unknown; originalError?: unknown; errors?: unknown };
  if (isTransientError(cause, depth + 1) || isTransientError(originalError, depth + 1)) return true;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => isTransientError(e, depth + 1));
}

/** The `id` of a raw event when its JSON has a string one (for dead-letter rows of invalid events). */
export function eventIdOf(raw: string): string | undefined {
  try {
    const json: unknown = JSON.parse(raw);
    const id = json && typeof json === 'object' ? (json as { id?: unknown }).id : undefined;
    return typeof id === 'string' && id.length > 0 ? id.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/** Also the `type` when readable, for the dead-letter row. */
export function eventTypeOf(raw: string): string | undefined {
  try {
    const json: unknown = JSON.parse(raw);
    const type = json && typeof json === 'object' ? (json as { type?: unknown }).type : undefined;
    return typeof type === 'string' && type.length > 0 ? type.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/** Capped exponential backoff: initial, 2×, 4×, … never above max. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30), maxMs);
}
