import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Identity, signGatewayCredential, signToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@crm/service-kit';
import { postGraphQL, staff, TEST_AUTH, TEST_JWT_SECRET, TEST_METRICS_TOKEN } from '@crm/service-kit/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../src/gateway.ts';
import { startTestStack, TEST_MODE } from './harness.ts';

/**
 * The trust boundary, through the gateway and around it: who may call, with which token, and
 * what one request may ask. Each refusal is a clear code.
 */
describe(`trust boundary on ${TEST_MODE}`, () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let jwks: Server;
  let jwksUrl: string;
  const rsa = generateKeyPair('RS256', { extractable: true });
  const extraGateways: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    const { publicKey } = await rsa;
    const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    stack = await startTestStack({ auth: { ...TEST_AUTH, jwksUrl }, limits: { maxDepth: 10, maxAliases: 30, maxCost: 50_000 } });
  });
  afterAll(async () => {
    for (const g of extraGateways) await g.stop();
    await stack?.stop();
    await new Promise((r) => jwks?.close(r));
  });

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  const hs256 = (claims: Record<string, unknown>, opts: { exp?: string | null; aud?: string; iss?: string } = {}) => {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('someone')
      .setIssuer(opts.iss ?? TOKEN_ISSUER)
      .setAudience(opts.aud ?? TOKEN_AUDIENCE)
      .setIssuedAt();
    if (opts.exp !== null) jwt = jwt.setExpirationTime(opts.exp ?? '5m');
    return jwt.sign(new TextEncoder().encode(TEST_JWT_SECRET));
  };

  describe('subgraphs answer only the gateway', () => {
    const probes = ['{ _service { sdl } }', `{ _entities(representations: [{ __typename: "Customer", id: "x" }]) { __typename } }`, '{ __typename }'];
    it('refuses calls without the gateway credential, with or without a user token', async () => {
      for (const service of Object.values(stack.services)) {
        for (const query of probes) {
          const bare = await post(service.url, { query });
          expect(bare.status).toBe(401);
          const body = (await bare.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
          expect(body.data ?? null).toBeNull();
          expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
          const withUser = await post(service.url, { query }, { authorization: `Bearer ${await signToken(staff.admin, TEST_AUTH)}` });
          expect(withUser.status).toBe(401);
        }
      }
    });
    it('refuses a forged credential and a gateway call without a user token', async () => {
      const url = stack.services.customers.url;
      const forged = await post(
        url,
        { query: '{ __typename }' },
        { 'x-gateway-credential': await signGatewayCredential('another-secret-another-secret-0123456') },
      );
      expect(forged.status).toBe(401);
      const noUser = await post(url, { query: '{ __typename }' }, { 'x-gateway-credential': await signGatewayCredential(TEST_JWT_SECRET) });
      expect(noUser.status).toBe(401);
    });
  });

  describe('tokens', () => {
    const ask = (token: string) => post(stack.gatewayUrl, { query: '{ customers(first: 1) { edges { cursor } } }' }, { authorization: `Bearer ${token}` });
    it.each([
      ['no roles claim', () => hs256({})],
      ['an empty role list', () => hs256({ roles: [] })],
      ['only unknown roles', () => hs256({ roles: ['superuser', 'ADMIN'] })],
      ['no expiry', () => hs256({ roles: ['administrator'] }, { exp: null })],
      ['another audience', () => hs256({ roles: ['administrator'] }, { aud: 'someone-else' })],
      ['another issuer', () => hs256({ roles: ['administrator'] }, { iss: 'evil' })],
      ['an expired token', () => hs256({ roles: ['administrator'] }, { exp: '-10m' })],
      ['garbage', async () => 'not.a.token'],
    ])('refuses %s with 401', async (_label, make) => {
      const res = await ask(await make());
      expect(res.status).toBe(401);
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    });
    it('accepts a valid token, ignoring unknown roles beside a known one', async () => {
      const res = await ask(await hs256({ roles: ['administrator', 'offline_access'] }));
      expect(res.status).toBe(200);
    });
    it("accepts an identity provider's RS256 token through the JWKS, and refuses one signed by another key", async () => {
      const { privateKey } = await rsa;
      const idp = (key: Parameters<SignJWT['sign']>[0]) =>
        new SignJWT({ roles: ['risk_officer'] })
          .setProtectedHeader({ alg: 'RS256', kid: 'idp-key-1' })
          .setSubject('idp-user')
          .setIssuer(TOKEN_ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key);
      expect((await ask(await idp(privateKey))).status).toBe(200);
      const other = await generateKeyPair('RS256');
      expect((await ask(await idp(other.privateKey))).status).toBe(401);
    });
  });

  describe('one request cannot take the system down', () => {
    const admin = staff.admin;
    const q = (query: string, variables: Record<string, unknown> = {}, as: Identity = admin) => postGraphQL<unknown>(stack.gatewayUrl, query, variables, as);
    const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.code;

    it('refuses a deeply nested query before planning', async () => {
      let inner = 'id';
      for (let i = 0; i < 10; i++) inner = `loanConnection(first: 1) { edges { node { customer { ${inner} } } } }`;
      const res = await q(`query Deep($id: ID!) { customer(id: $id) { ${inner} } }`, { id: 'x' }, staff.analyst);
      expect(codeOf(res)).toBe('QUERY_TOO_DEEP');
    });
    it('refuses too many aliases', async () => {
      const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: customers(first: 1) { edges { cursor } }`).join(' ');
      const res = await q(`{ ${aliases} }`);
      expect(['TOO_MANY_ALIASES', 'QUERY_TOO_LARGE']).toContain(codeOf(res));
    });
    it('refuses a query whose page sizes multiply past the cost limit, and a page above the cap', async () => {
      const costly = await q(`{ customers(first: 500) { edges { node { id interactions(first: 200) { edges { node { id } } } } } } }`);
      expect(codeOf(costly)).toBe('QUERY_TOO_COSTLY');
      const big = await q('query ($n: Int) { customers(first: $n) { edges { cursor } } }', { n: 5000 });
      expect(codeOf(big)).toBe('BAD_USER_INPUT');
    });
    it('refuses batched operations, oversized bodies and numbers JSON cannot carry', async () => {
      const token = `Bearer ${await signToken(admin, TEST_AUTH)}`;
      const batch = await post(stack.gatewayUrl, [{ query: '{ __typename }' }, { query: '{ __typename }' }], { authorization: token });
      expect(batch.status).toBe(400);
      expect(((await batch.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('BATCHING_DISABLED');
      const huge = await post(stack.gatewayUrl, { query: `{ __typename }`, variables: { pad: 'x'.repeat(200_000) } }, { authorization: token });
      expect(huge.status).toBe(413);
      expect(((await huge.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('REQUEST_TOO_LARGE');
      const inf = await post(stack.gatewayUrl, '{"query":"query ($n: Int) { customers(first: $n) { edges { cursor } } }","variables":{"n":1e400}}', {
        authorization: token,
      });
      expect(inf.status).toBe(400);
      expect(((await inf.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    });
    it('suggests no field names', async () => {
      const res = await q('{ custmer(id: "x") { id } }');
      expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(JSON.stringify(res.errors)).not.toMatch(/Did you mean/);
    });
    it('limits each user to a rate, with RATE_LIMITED, and answers a hung subgraph with an error in time', async () => {
      // A second gateway over the same subgraphs, with a low rate and a loyalty subgraph that never answers.
      const hung = createServer(() => undefined);
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
      const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/graphql`;
      const gateway = await startGateway({
        subgraphUrls: { ...Object.fromEntries(Object.values(stack.services).map((s) => [s.name, s.url])), loyalty: hungUrl },
        port: 0,
        auth: TEST_AUTH,
        devIdentity: null,
        sandbox: false,
        production: true,
        limits: { ratePerMinute: 5, subgraphTimeoutMs: 1_000 },
        logger: (await import('@crm/service-kit')).createLogger('gateway', 'silent'),
      });
      extraGateways.push(gateway, { stop: () => new Promise<void>((r) => hung.close(() => r())) });
      const started = Date.now();
      const res = await postGraphQL<{ customers: unknown }>(
        gateway.graphqlUrl,
        '{ customers(first: 1) { edges { node { id loyalty { pointsBalance } } } } }',
        {},
        { userId: 'rate-1', roles: ['administrator'] },
      );
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(res.data?.customers).toBeDefined();
      const intro = await postGraphQL(gateway.graphqlUrl, '{ __schema { queryType { name } } }', {}, { userId: 'rate-1', roles: ['administrator'] });
      expect(codeOf(intro)).toBe('GRAPHQL_VALIDATION_FAILED');
      const codes: unknown[] = [];
      for (let i = 0; i < 6; i++)
        codes.push(codeOf(await postGraphQL(gateway.graphqlUrl, '{ __typename }', {}, { userId: 'rate-1', roles: ['administrator'] })));
      expect(codes).toContain('RATE_LIMITED');
      // Another user is not slowed by the first one.
      expect(codeOf(await postGraphQL(gateway.graphqlUrl, '{ __typename }', {}, { userId: 'rate-2', roles: ['administrator'] }))).toBeUndefined();
    }, 30_000);
  });

  describe('operations', () => {
    it('sends security headers', async () => {
      const res = await post(stack.gatewayUrl, { query: '{ __typename }' }, { authorization: `Bearer ${await signToken(staff.admin, TEST_AUTH)}` });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age/);
      expect(res.headers.get('x-powered-by')).toBeNull();
    });
    it('serves metrics only to the operator, labelled by root field, not by client operation names', async () => {
      const base = stack.gatewayUrl.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      for (let i = 0; i < 20; i++) {
        await post(
          stack.gatewayUrl,
          { query: `query Random${i}x { __typename }`, operationName: `Random${i}x` },
          { authorization: `Bearer ${await signToken(staff.admin, TEST_AUTH)}` },
        );
      }
      const page = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } })).text();
      expect(page).toContain('crm_graphql_operations_total');
      expect(page).not.toContain('Random1x');
      expect(page).toContain('query.__typename');
    });
  });
});
