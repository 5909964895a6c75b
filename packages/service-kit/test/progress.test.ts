import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgress, progressLine } from '../src/progress.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (text: string) => writes.push(text) } };
}

describe('terminal progress (demo loader, benchmarks)', () => {
  it('says count / total, share, rate and time left', () => {
    expect(formatProgress('loading', 1200, 5000, 4000)).toBe('loading: 1,200 / 5,000 (24%), 300/s, 13 s left');
    expect(formatProgress('loading', 5000, 5000, 200_000)).toBe('loading: 5,000 / 5,000 (100%), 25/s, done in 3 min 20 s');
    expect(formatDuration(3_900)).toBe('1 h 05 min');
  });

  it('off a terminal, writes a line per tenth of the work, never one per item', () => {
    const { writes, stream } = fakeStream(false);
    let t = 0;
    const line = progressLine('rows', { total: 1000, stream, now: () => t });
    for (let i = 0; i < 1000; i++) {
      t += 1;
      line.tick();
    }
    line.done();
    expect(writes).toHaveLength(10); // 10%..90%, then the final line
    expect(writes.at(-1)).toBe('rows: 1,000 / 1,000 (100%), 1000/s, done in 1 s\n');
  });

  it('on a terminal, rewrites one line in place, at most every everyMs', () => {
    const { writes, stream } = fakeStream(true);
    let t = 0;
    const line = progressLine('rows', { total: 100, stream, now: () => t, everyMs: 50 });
    for (let i = 0; i < 100; i++) {
      t += 10;
      line.tick();
    }
    line.done();
    expect(writes.length).toBeLessThanOrEqual(22);
    expect(writes.every((w) => w.startsWith('\r'))).toBe(true);
    expect(writes.at(-1)).toContain('100 / 100 (100%)');
  });
});
