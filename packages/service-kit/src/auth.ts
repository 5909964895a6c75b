import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';

export const ROLES = ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'analyst', 'administrator', 'auditor', 'service'] as const;
export type Role = (typeof ROLES)[number];

const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export interface Identity {
  /** Staff member (or internal service) id: the JWT subject. */
  userId: string;
  roles: Role[];
  branchId?: string;
}

/**
 * How tokens are checked, the same at the gateway and in every subgraph. Development and tests
 * sign HS256 with a shared secret; a bank's identity provider (Keycloak, Entra ID, Okta) signs
 * RS256/ES256 and publishes its keys at a JWKS URL. Either is accepted when configured.
 */
export interface AuthSettings {
  /** HS256 key (at least 32 characters). */
  jwtSecret: string;
  /** The identity provider's JWKS endpoint; keys are cached and refetched on an unknown `kid`. */
  jwksUrl?: string | undefined;
  /** Required `iss` and `aud` claims. */
  issuer: string;
  audience: string;
  /** Claim holding the roles (a dotted path, e.g. `realm_access.roles` for Keycloak). */
  rolesClaim: string;
  /** Claim holding the branch code. */
  branchClaim: string;
  /** Key of the credential the gateway adds to every subgraph call; subgraphs refuse calls without it. */
  gatewaySecret: string;
  /** Accepted clock difference, in seconds. */
  clockToleranceSeconds: number;
}

export const TOKEN_ISSUER = 'lender-crm';
export const TOKEN_AUDIENCE = 'lender-crm-api';
const GATEWAY_ISSUER = 'lender-crm-gateway';
const GATEWAY_AUDIENCE = 'lender-crm-subgraphs';
/** Header of the gateway's credential on subgraph calls. */
export const GATEWAY_CREDENTIAL_HEADER = 'x-gateway-credential';

/** Settings with the conventional claims, for a shared secret (development, tests). */
export function authSettings(jwtSecret: string, over: Partial<AuthSettings> = {}): AuthSettings {
  return {
    jwtSecret,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    rolesClaim: 'roles',
    branchClaim: 'branch',
    gatewaySecret: jwtSecret,
    clockToleranceSeconds: 30,
    ...over,
  };
}

/** Why a token was refused; the gateway and subgraphs answer 401 with this message. */
export class TokenRejected extends Error {
  override name = 'TokenRejected';
}

const key = (secret: string) => new TextEncoder().encode(secret);
const jwksCache = new Map<string, JWTVerifyGetKey>();

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The caller described by verified claims: unknown role strings are ignored, and at least one known role is required. */
export function identityFromClaims(payload: JWTPayload, settings: Pick<AuthSettings, 'rolesClaim' | 'branchClaim'>): Identity {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 200) throw new TokenRejected('Token has no subject');
  const raw = claimAt(payload, settings.rolesClaim);
  const roles = Array.isArray(raw) ? [...new Set(raw.filter(isRole))] : [];
  if (roles.length === 0) throw new TokenRejected('Token carries no known role');
  const branch = claimAt(payload, settings.branchClaim);
  if (branch !== undefined && (typeof branch !== 'string' || branch.length === 0 || branch.length > 64))
    throw new TokenRejected('Token has a malformed branch');
  return { userId: payload.sub, roles, ...(typeof branch === 'string' ? { branchId: branch } : {}) };
}

/**
 * Verifies a caller's token: signature (HS256 with the shared secret, or RS256/ES256 from the
 * JWKS), issuer, audience and expiry required, a short clock skew; then the identity claims.
 */
export async function verifyToken(token: string, settings: AuthSettings): Promise<Identity> {
  // A token verified once is trusted until its expiry (capped at a minute, so a key rotated out
  // of the JWKS stops being honoured soon): the gateway and every subgraph verify each request.
  let cache = verifiedTokens.get(settings);
  if (!cache) {
    cache = new Map();
    verifiedTokens.set(settings, cache);
  }
  const now = Date.now();
  const hit = cache.get(token);
  if (hit && hit.until > now) return hit.identity;
  const { identity, exp } = await verifyUncached(token, settings);
  if (cache.size >= VERIFIED_TOKEN_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(token, { identity, until: Math.min(exp * 1000, now + 60_000) });
  return identity;
}

const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
const verifiedTokens = new WeakMap<AuthSettings, Map<string, { identity: Identity; until: number }>>();

async function verifyUncached(token: string, settings: AuthSettings): Promise<{ identity: Identity; exp: number }> {
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: settings.clockToleranceSeconds,
  };
  let payload: JWTPayload;
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown };
    if (header.alg === 'HS256') {
      ({ payload } = await jwtVerify(token, key(settings.jwtSecret), { ...options, algorithms: ['HS256'] }));
    } else {
      if (!settings.jwksUrl) throw new TokenRejected('Only HS256 tokens are accepted here');
      let keys = jwksCache.get(settings.jwksUrl);
      if (!keys) {
        keys = createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000, timeoutDuration: 5_000 });
        jwksCache.set(settings.jwksUrl, keys);
      }
      ({ payload } = await jwtVerify(token, keys, { ...options, algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'] }));
    }
  } catch (error) {
    if (error instanceof TokenRejected) throw error;
    throw new TokenRejected('Invalid or expired token');
  }
  return { identity: identityFromClaims(payload, settings), exp: payload.exp ?? 0 };
}

/** Issues a token for an identity (development logins, tests, the development identity at the gateway). */
export async function signToken(
  identity: Identity,
  settings: Pick<AuthSettings, 'jwtSecret' | 'issuer' | 'audience'> | string,
  expiresIn = '1h',
): Promise<string> {
  const s = typeof settings === 'string' ? authSettings(settings) : settings;
  return new SignJWT({ roles: identity.roles, ...(identity.branchId ? { branch: identity.branchId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(identity.userId)
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(s.jwtSecret));
}

/** The gateway's own credential for subgraph calls (short-lived; the gateway reuses it for a minute). */
export function signGatewayCredential(gatewaySecret: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('gateway')
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(GATEWAY_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key(gatewaySecret));
}

/**
 * True when the credential was issued by the gateway (same secret, not expired). The gateway sends
 * the same credential for a minute, so each subgraph verifies it once and then trusts it until its
 * expiry (a map look-up instead of an HMAC per request).
 */
export async function isGatewayCredential(credential: string, gatewaySecret: string): Promise<boolean> {
  let verified = verifiedCredentials.get(gatewaySecret);
  if (!verified) {
    verified = new Map();
    verifiedCredentials.set(gatewaySecret, verified);
  }
  const now = Date.now();
  const until = verified.get(credential);
  if (until !== undefined && until > now) return true;
  try {
    const { payload } = await jwtVerify(credential, key(gatewaySecret), {
      issuer: GATEWAY_ISSUER,
      audience: GATEWAY_AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: 30,
    });
    if (verified.size >= VERIFIED_CREDENTIAL_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
    verified.set(credential, Math.min((payload.exp ?? 0) * 1000, now + 5 * 60_000));
    return true;
  } catch {
    return false;
  }
}

const VERIFIED_CREDENTIAL_CACHE_SIZE = 100;
const verifiedCredentials = new Map<string, Map<string, number>>();

/** A credential cached until shortly before it expires. */
export function gatewayCredentials(gatewaySecret: string): () => Promise<string> {
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    if (!current || Date.now() >= current.renewAt) current = { token: signGatewayCredential(gatewaySecret), renewAt: Date.now() + 60_000 };
    return current.token;
  };
}
