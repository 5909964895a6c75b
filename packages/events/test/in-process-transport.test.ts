import { describe, expect, it } from 'vitest';
import { InProcessTransport, type ReceivedMessage } from '../src/index.ts';

describe('in-process transport', () => {
  it('delivers in publish order to each group once, and publish resolves after handling', async () => {
    const bus = new InProcessTransport();
    const seen: Record<string, string[]> = { a: [], b: [] };
    await bus.subscribe({ groupId: 'a', topics: ['t'], handle: async (m) => void seen.a?.push(m.value) });
    await bus.subscribe({
      groupId: 'b',
      topics: ['t'],
      handle: async (m) => {
        await new Promise((r) => setTimeout(r, 5));
        seen.b?.push(m.value);
      },
    });
    await bus.publish('t', [
      { key: 'k', value: '1' },
      { key: 'k', value: '2' },
    ]);
    await bus.publish('t', [{ key: 'k', value: '3' }]);
    expect(seen).toEqual({ a: ['1', '2', '3'], b: ['1', '2', '3'] });
  });

  it('replays earlier messages to a group that subscribes late', async () => {
    const bus = new InProcessTransport();
    await bus.publish('t', [{ key: 'k', value: 'early' }]);
    const seen: ReceivedMessage[] = [];
    await bus.subscribe({ groupId: 'late', topics: ['t'], handle: async (m) => void seen.push(m) });
    await bus.close();
    expect(seen.map((m) => [m.topic, m.value])).toEqual([['t', 'early']]);
  });

  it('rejects the publish when a handler fails, and keeps delivering afterwards', async () => {
    const bus = new InProcessTransport();
    const seen: string[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async (m) => {
        if (m.value === 'bad') throw new Error('boom');
        seen.push(m.value);
      },
    });
    await expect(bus.publish('t', [{ key: 'k', value: 'bad' }])).rejects.toThrow('boom');
    await bus.publish('t', [{ key: 'k', value: 'good' }]);
    expect(seen).toEqual(['good']);
  });
});
