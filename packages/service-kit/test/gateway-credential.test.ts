import { describe, expect, it } from 'vitest';
import { isGatewayCredential, signGatewayCredential } from '../src/auth.ts';

const secret = 'a-gateway-secret-of-at-least-32-characters';
const other = 'another-gateway-secret-of-32-characters!!';

describe('the gateway credential', () => {
  it('is verified once and then trusted until its expiry, only under the secret that verified it', async () => {
    const credential = await signGatewayCredential(secret);
    expect(await isGatewayCredential(credential, secret)).toBe(true);
    // Now cached under `secret`: still refused under another secret.
    expect(await isGatewayCredential(credential, other)).toBe(false);
    expect(await isGatewayCredential(credential, secret)).toBe(true);
    // A tampered credential is never taken from the cache.
    const [header, payload, signature] = credential.split('.');
    expect(await isGatewayCredential(`${header}.${payload}.${[...(signature ?? '')].reverse().join('')}`, secret)).toBe(false);
    expect(await isGatewayCredential(await signGatewayCredential(other), secret)).toBe(false);
  });
});
