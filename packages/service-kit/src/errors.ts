import { isTransientError } from '@crm/events';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { z } from 'zod';
import type { Identity, Role } from './auth.ts';
import type { Logger } from './logger.ts';

/** A domain rule failure, returned in a mutation payload. */
export interface UserError {
  /** Path of the offending input field, e.g. `birthDate` or `address.city`. */
  field: string | null;
  message: string;
  /** Stable machine-readable code, e.g. `REQUIRED`, `INVALID_DATE`, `NOT_FOUND`. */
  code: string;
}

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  /** A dependency (the database) is unavailable for a moment: retry later; `extensions.retryable` is true. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;

/** The error a client gets while the database restarts or is unreachable. */
export const serviceUnavailable = (message = 'Service temporarily unavailable: its database cannot be reached. Retry shortly.') =>
  new GraphQLError(message, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryable: true, http: { status: 503 } } });

export const unauthenticated = (message = 'Authentication required') =>
  new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });

export const forbidden = (message = 'Not allowed') => new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } } });

export const badUserInput = (message: string, field?: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });

/** Throws FORBIDDEN unless the caller holds one of the roles (administrators pass everywhere). */
export function requireRole(identity: Identity, ...roles: Role[]): void {
  if (identity.roles.includes('administrator')) return;
  if (!roles.some((r) => identity.roles.includes(r))) {
    throw forbidden(`Requires one of the roles: ${roles.join(', ')}`);
  }
}

const zodCodes: Record<string, string> = {
  invalid_type: 'INVALID_TYPE',
  too_small: 'TOO_SMALL',
  too_big: 'TOO_BIG',
  invalid_format: 'INVALID_FORMAT',
  invalid_value: 'INVALID_VALUE',
  custom: 'INVALID',
};

/** Maps a zod validation failure to user errors, one per offending field. */
export function userErrorsFromZod(error: z.ZodError): UserError[] {
  return error.issues.map((issue) => {
    const custom = issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : undefined;
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return {
      field: issue.path.length ? issue.path.join('.') : null,
      message: issue.message,
      code: custom ?? (missing ? 'REQUIRED' : (zodCodes[issue.code] ?? 'INVALID')),
    };
  });
}

/**
 * Masks unexpected errors: known GraphQL error codes pass through, anything else is logged
 * and returned as INTERNAL_SERVER_ERROR without internals. Transient infrastructure errors (the
 * database restarting, unreachable, a serialization failure or deadlock) become
 * SERVICE_UNAVAILABLE with `extensions.retryable: true`: the client should retry, nothing is broken.
 */
export function createErrorFormatter(logger: Logger) {
  const known = new Set<string>([
    ...Object.values(ErrorCode),
    'GRAPHQL_VALIDATION_FAILED',
    'GRAPHQL_PARSE_FAILED',
    'BAD_REQUEST',
    'PERSISTED_QUERY_NOT_FOUND',
    'OPERATION_RESOLUTION_FAILURE',
    // The gateway's refusals of costly or abusive requests (apps/gateway/src/limits.ts).
    'RATE_LIMITED',
    'QUERY_TOO_COSTLY',
    'QUERY_TOO_DEEP',
    'TOO_MANY_ALIASES',
    'QUERY_TOO_LARGE',
    'TOO_MANY_DIRECTIVES',
  ]);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (code === ErrorCode.SERVICE_UNAVAILABLE) return { ...formatted, extensions: { code, retryable: true } };
    if (typeof code === 'string' && known.has(code) && code !== ErrorCode.INTERNAL) return formatted;
    if (isTransientError(error)) {
      logger.warn({ err: error }, 'request failed: database unavailable (answered SERVICE_UNAVAILABLE, retryable)');
      return { message: serviceUnavailable().message, path: formatted.path, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryable: true } };
    }
    logger.error({ err: error }, 'unexpected error while resolving');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL } };
  };
}
