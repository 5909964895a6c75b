import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export const ROLES = ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'analyst', 'administrator', 'service'] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  /** Staff member (or internal service) id: the JWT subject. */
  userId: string;
  roles: Role[];
  branchId?: string;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  roles: z.array(z.enum(ROLES)).default([]),
  branch: z.string().optional(),
});

const ISSUER = 'lender-crm';
const key = (secret: string) => new TextEncoder().encode(secret);

/** Verifies an HS256 JWT and returns the caller's identity; throws on any defect. */
export async function verifyToken(token: string, secret: string): Promise<Identity> {
  const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, algorithms: ['HS256'] });
  const claims = claimsSchema.parse(payload);
  return { userId: claims.sub, roles: claims.roles, ...(claims.branch ? { branchId: claims.branch } : {}) };
}

/** Issues a token for an identity (development logins, tests, the gateway's forwarding). */
export async function signToken(identity: Identity, secret: string, expiresIn = '1h'): Promise<string> {
  return new SignJWT({ roles: identity.roles, ...(identity.branchId ? { branch: identity.branchId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(identity.userId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(secret));
}
