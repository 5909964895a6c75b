/**
 * Bad and repeated events produced straight to the customers topic with a Kafka producer (as a
 * misbehaving producer or an operator's replay would): a message that is not JSON, an invalid
 * CustomerRegistered, an unknown version, the same event three more times and the same
 * registration under two new event ids. Every consumer dead-letters the bad ones (with their real
 * ids), keeps consuming, and applies each registration exactly once (business keys).
 */
import { randomUUID } from 'node:crypto';
import { KafkaTransport, topicOf } from '@crm/events';
import { createLogger } from '@crm/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitRegistrations, deadLetters, exactlyOnce, registerCustomer, report, runLoad, type Stack, startStack, until } from './harness.ts';
import { brokersOf } from './infra.ts';

const consumers = ['credit', 'engagement', 'loyalty'] as const;

describe('poison, unknown-version and duplicate events on the topic', () => {
  let stack: Stack;
  let producer: KafkaTransport;

  beforeAll(async () => {
    stack = await startStack();
    producer = new KafkaTransport({ brokers: [brokersOf(stack.infra)], clientId: 'faults-producer', logger: createLogger('faults', 'error') });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.close();
    await stack?.close();
  });

  it('dead-letters the bad events with their ids and applies every registration once', async () => {
    const outcome = await runLoad(20, 4, (i) => registerCustomer(stack, 'BR-FE', i));
    const ids = outcome.ok;
    expect(ids).toHaveLength(20);
    await awaitRegistrations(stack, ids, 60_000, 0);

    const original = async (customerId: string) => {
      const { rows } = await stack
        .db('customers')
        .query<{ event: Record<string, unknown> & { id: string; type: string; data: Record<string, unknown> } }>(
          `select event from event_outbox where key = $1 and type like '%CustomerRegistered%'`,
          [customerId],
        );
      const event = rows[0]?.event;
      if (!event) throw new Error(`no CustomerRegistered of ${customerId} in the outbox`);
      return event;
    };
    const [c0, c1, c2, c3] = ids as [string, string, string, string];
    const first = await original(c0);
    const invalid = await original(c2);
    const unknown = await original(c3);
    const invalidId = randomUUID();
    const unknownId = randomUUID();
    const sameFactIds = [randomUUID(), randomUUID()];
    const message = (key: string, event: object) => ({ key, value: JSON.stringify(event), headers: { 'ce-type': String((event as { type: string }).type) } });
    const topic = topicOf('customers', stack.namespace);
    await producer.publish(topic, [
      { key: c1, value: '{"specversion": "1.0", not json' },
      message(c2, { ...invalid, id: invalidId, data: { ...invalid.data, customerId: undefined, displayName: '' } }),
      message(c3, { ...unknown, id: unknownId, type: String(unknown.type).replace(/\.v1$/, '.v9') }),
      message(c0, first),
      message(c0, first),
      message(c0, first),
      ...sameFactIds.map((id) => message(c0, { ...first, id })),
    ]);
    const producedAt = Date.now();

    // A registration after the bad events: consumption goes on.
    const marker = await registerCustomer(stack, 'BR-FE', 99);
    expect(marker.id).toBeTruthy();
    const all = [...ids, marker.id as string];

    const expectedDead = ['unparseable', invalidId, unknownId].sort();
    const dead = await until(async () => {
      const rows = await Promise.all(consumers.map((s) => deadLetters(stack, s)));
      const handled = await Promise.all(
        consumers.map((s) => stack.count(s, 'select count(*) as n from event_inbox where event_id = any($1)', [[first.id, ...sameFactIds]])),
      );
      return rows.every((r) => r.length >= 3) && handled.every((n) => n === 3) ? rows : undefined;
    }, 60_000);
    const { effects, appliedAt } = await awaitRegistrations(stack, all, 60_000, 3_000);
    const deadNow = await Promise.all(consumers.map((s) => deadLetters(stack, s)));
    report('bad events', {
      deadLetters: Object.fromEntries(consumers.map((s, i) => [s, deadNow[i]?.map((r) => `${r.event_id}: ${r.error.slice(0, 60)}`)])),
      effects,
      handledInMs: Math.max(appliedAt, Date.now() - 3_000) - producedAt,
    });
    expect(dead).toHaveLength(3);
    for (const rows of deadNow) expect(rows.map((r) => r.event_id).sort()).toEqual(expectedDead);
    expect(effects).toEqual(exactlyOnce(21));
    // the same fact under new ids reached every consumer (inbox) and created nothing
    for (const s of consumers) {
      expect(await stack.count(s, 'select count(*) as n from event_inbox where event_id = any($1)', [sameFactIds])).toBe(2);
    }
  });
});
