/**
 * The gateway's client for one subgraph against a real HTTP server that answers, hangs, or fails:
 * a hung subgraph costs one deadline, then the circuit opens and calls fail at once with a named
 * error per requested path; after the reset time one trial call closes it again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@crm/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_UNAVAILABLE, subgraphFetcher } from '../src/subgraph-client.ts';

let mode: 'answer' | 'hang' | 'fail' | 'close-once' = 'answer';
let requests = 0;
let server: Server;
let url = '';

const ENTITIES = JSON.stringify({
  query:
    'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { loanConnection(first: 5) { edges { node { id } } } riskWarningConnection(first: 5) { edges { node { id } } } } } }',
  variables: {
    representations: [
      { __typename: 'Customer', id: 'c1' },
      { __typename: 'Customer', id: 'c2' },
    ],
  },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    requests++;
    if (mode === 'hang') return; // never answers
    if (mode === 'close-once') {
      // A connection closed without an answer (a pooled one the server was closing), then answers again.
      mode = 'answer';
      req.socket.destroy();
      return;
    }
    if (mode === 'fail') {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"message":"down"}]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"_entities":[]}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the subgraph client', () => {
  it('answers through a keep-alive pool, cuts a hung call at its deadline, then fails fast while the circuit is open', async () => {
    const client = subgraphFetcher('credit', {
      timeoutMs: 300,
      volumeThreshold: 2,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 1_000,
      logger: createLogger('test', 'silent'),
    });
    try {
      mode = 'answer';
      const ok = await client(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ENTITIES });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ data: { _entities: [] } });

      mode = 'hang';
      const started = Date.now();
      const hung = await client(url, { method: 'POST', body: ENTITIES });
      expect(Date.now() - started).toBeLessThan(2_000);
      const body = (await hung.json()) as { data: null; errors: { path: unknown[]; message: string; extensions: Record<string, unknown> }[] };
      expect(body.data).toBeNull();
      expect(body.errors.map((e) => e.path)).toEqual([
        ['_entities', 0, 'loanConnection'],
        ['_entities', 0, 'riskWarningConnection'],
        ['_entities', 1, 'loanConnection'],
        ['_entities', 1, 'riskWarningConnection'],
      ]);
      expect(body.errors[0]?.extensions).toEqual({ code: SUBGRAPH_UNAVAILABLE, serviceName: 'credit', retryable: true });
      expect(body.errors[0]?.message).toContain('no answer within 300 ms');

      await client(url, { method: 'POST', body: ENTITIES });
      expect(client.breaker.opened).toBe(true);
      const fastStart = Date.now();
      const fast = (await (await client(url, { method: 'POST', body: ENTITIES })).json()) as { errors: { message: string }[] };
      expect(Date.now() - fastStart).toBeLessThan(100);
      expect(fast.errors[0]?.message).toContain('circuit open');

      mode = 'answer';
      await new Promise((r) => setTimeout(r, 1_100));
      const trial = await client(url, { method: 'POST', body: ENTITIES });
      expect(trial.status).toBe(200);
      expect(client.breaker.closed).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('sends a query once more when its connection closed before an answer; never a mutation', async () => {
    const client = subgraphFetcher('credit', { timeoutMs: 1_000, volumeThreshold: 2, resetTimeoutMs: 60_000, logger: createLogger('test', 'silent') });
    try {
      mode = 'close-once';
      requests = 0;
      const retried = await client(url, { method: 'POST', body: ENTITIES });
      expect(retried.status).toBe(200);
      expect(requests).toBe(2);

      mode = 'close-once';
      requests = 0;
      const mutation = JSON.stringify({
        query: 'mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) { userErrors { code } } }',
        variables: {},
      });
      const once = (await (await client(url, { method: 'POST', body: mutation })).json()) as { errors: { message: string; path?: unknown[] }[] };
      expect(requests).toBe(1);
      expect(once.errors[0]?.path).toEqual(['recordRepayment']);
      expect(once.errors[0]?.message).toContain('unreachable');
    } finally {
      mode = 'answer';
      await client.close();
    }
  });

  it('passes a server error through to the gateway and counts it against the circuit', async () => {
    const client = subgraphFetcher('loyalty', { timeoutMs: 1_000, volumeThreshold: 2, resetTimeoutMs: 60_000, logger: createLogger('test', 'silent') });
    try {
      mode = 'fail';
      const first = await client(url, { method: 'POST', body: ENTITIES });
      expect(first.status).toBe(503);
      await client(url, { method: 'POST', body: ENTITIES });
      expect(client.breaker.opened).toBe(true);
    } finally {
      mode = 'answer';
      await client.close();
    }
  });
});
