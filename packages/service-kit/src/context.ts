import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type Identity, verifyToken } from './auth.ts';
import { unauthenticated } from './errors.ts';

export const CORRELATION_HEADER = 'x-correlation-id';

/** What every resolver receives, before a service adds its own database and loaders. */
export interface RequestContext {
  /** The caller, from the JWT the gateway verified and forwarded; null when no token came. */
  identity: Identity | null;
  correlationId: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the caller and the correlation id from a request forwarded by the gateway. */
export async function requestContextFromHeaders(headers: IncomingHttpHeaders, jwtSecret: string): Promise<RequestContext> {
  const correlationId = header(headers, CORRELATION_HEADER) ?? randomUUID();
  const authorization = header(headers, 'authorization');
  if (!authorization) return { identity: null, correlationId };
  const match = /^Bearer\s+(.+)$/i.exec(authorization);
  if (!match?.[1]) throw unauthenticated('Authorization header must be "Bearer <token>"');
  try {
    return { identity: await verifyToken(match[1], jwtSecret), correlationId };
  } catch {
    throw unauthenticated('Invalid or expired token');
  }
}

/** The caller, or UNAUTHENTICATED. */
export function requireIdentity(ctx: RequestContext): Identity {
  if (!ctx.identity) throw unauthenticated();
  return ctx.identity;
}
