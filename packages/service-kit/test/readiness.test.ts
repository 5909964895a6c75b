import { EventEmitter } from 'node:events';
import { watchConsumerHealth } from '@crm/events';
import express from 'express';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter } from '../src/errors.ts';
import { createLogger } from '../src/logger.ts';
import { addOperationalRoutes, listen } from '../src/server.ts';

const logger = createLogger('test', 'silent');

async function serve(setup: (app: express.Express) => void) {
  const app = express();
  setup(app);
  return listen(app, 0);
}

describe('liveness and readiness', () => {
  it('answers /livez apart from /readyz, and /readyz reports each check in bounded time', async () => {
    const server = await serve((app) =>
      addOperationalRoutes(app, {
        timeoutMs: 300,
        checks: {
          database: async () => ({ ok: true }),
          transport: () => ({ ok: false, detail: 'consumer crashed: broker down; restarting' }),
          consumer: () => new Promise(() => undefined),
          relay: async () => {
            throw new Error('boom');
          },
        },
      }),
    );
    try {
      const live = await fetch(`${server.url}/livez`);
      expect(live.status).toBe(200);
      const started = Date.now();
      const res = await fetch(`${server.url}/readyz`);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, { status: string; detail?: string }> };
      expect(body.status).toBe('not ready');
      expect(body.checks.database?.status).toBe('up');
      expect(body.checks.transport).toMatchObject({ status: 'down', detail: expect.stringContaining('crashed') });
      expect(body.checks.consumer).toMatchObject({ status: 'down', detail: expect.stringContaining('timed out') });
      expect(body.checks.relay).toMatchObject({ status: 'down', detail: 'boom' });
    } finally {
      await server.stop();
    }
  });

  it('still accepts a plain boolean readiness function (the gateway)', async () => {
    const server = await serve((app) => addOperationalRoutes(app, async () => true));
    try {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('ready');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('follows the kafkajs consumer through crash, disconnect and rejoin', () => {
    const emitter = new EventEmitter();
    const events = {
      CRASH: 'consumer.crash',
      DISCONNECT: 'consumer.disconnect',
      GROUP_JOIN: 'consumer.group_join',
      STOP: 'consumer.stop',
      CONNECT: 'consumer.connect',
    };
    const fake = {
      events,
      on: (name: string, listener: (e: unknown) => void) => {
        emitter.on(name, listener);
        return () => emitter.off(name, listener);
      },
    };
    const watch = watchConsumerHealth(fake as never);
    expect(watch.health().ok).toBe(false);
    emitter.emit(events.GROUP_JOIN, { payload: { groupId: 'g' } });
    expect(watch.health().ok).toBe(true);
    emitter.emit(events.CRASH, { payload: { error: new Error('Connection error: ECONNREFUSED'), groupId: 'g', restart: true } });
    expect(watch.health()).toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') });
    expect(watch.health().fatal).toBeFalsy();
    emitter.emit(events.GROUP_JOIN, { payload: { groupId: 'g' } });
    expect(watch.health().ok).toBe(true);
    emitter.emit(events.DISCONNECT, { payload: {} });
    expect(watch.health().ok).toBe(false);
    emitter.emit(events.CRASH, { payload: { error: new Error('bad'), groupId: 'g', restart: false } });
    expect(watch.health()).toMatchObject({ ok: false, fatal: true });
  });
});

describe('database faults seen by a client', () => {
  it('turns a lost database connection into a retryable SERVICE_UNAVAILABLE error, not a masked internal error', () => {
    const format = createErrorFormatter(logger);
    for (const cause of [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
    ]) {
      const error = new GraphQLError(cause.message, { path: ['customer'], originalError: cause });
      const formatted = format(error.toJSON(), error);
      expect(formatted.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      expect(formatted.message).not.toContain('127.0.0.1');
      expect(formatted.path).toEqual(['customer']);
    }
    const bug = new GraphQLError('x is undefined', { originalError: new TypeError('x is undefined') });
    expect(format(bug.toJSON(), bug).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
