import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type AuthSettings, GATEWAY_CREDENTIAL_HEADER, type Identity, isGatewayCredential, TokenRejected, verifyToken } from './auth.ts';
import { unauthenticated } from './errors.ts';

export const CORRELATION_HEADER = 'x-correlation-id';

/** What every resolver receives, before a service adds its own database and loaders. */
export interface RequestContext {
  /** The caller, from the JWT the gateway verified and forwarded (verified again here). */
  identity: Identity | null;
  correlationId: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an `Authorization: Bearer <token>` header; UNAUTHENTICATED when absent or malformed. */
export function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw unauthenticated();
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * Reads the caller and the correlation id from a request forwarded by the gateway. A subgraph
 * serves only the gateway: its credential is required, and so is the caller's token, verified
 * again with the same rules as at the gateway.
 */
export async function requestContextFromHeaders(headers: IncomingHttpHeaders, auth: AuthSettings): Promise<RequestContext> {
  const correlationId = header(headers, CORRELATION_HEADER) ?? randomUUID();
  const credential = header(headers, GATEWAY_CREDENTIAL_HEADER);
  if (!credential || !(await isGatewayCredential(credential, auth.gatewaySecret))) throw unauthenticated('This service only answers the gateway');
  const token = bearerToken(header(headers, 'authorization'));
  try {
    return { identity: await verifyToken(token, auth), correlationId };
  } catch (error) {
    throw unauthenticated(error instanceof TokenRejected ? error.message : 'Invalid or expired token');
  }
}

/** The caller, or UNAUTHENTICATED. */
export function requireIdentity(ctx: RequestContext): Identity {
  if (!ctx.identity) throw unauthenticated();
  return ctx.identity;
}
