import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger('test', 'info', stream) };
}

describe('logs', () => {
  it('never carry personal data in clear, at any depth, nor in a change list', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        customer: { id: 'c1', displayName: 'Aminata Diallo', individual: { birthDate: '1987-04-12', nationalId: 'SN-1987-55501' } },
        changes: [{ field: 'phone', oldValue: '+221770000001', newValue: '+221770000002' }],
      },
      'profile changed',
    );
    const text = JSON.stringify(lines);
    for (const secret of ['Aminata', '1987-04-12', 'SN-1987-55501', '+221770000001', '+221770000002']) expect(text).not.toContain(secret);
    expect(text).toContain('"id":"c1"');
    expect(lines[0]?.msg).toBe('profile changed');
  });

  it('keep errors readable while masking the value a database error names', () => {
    const { lines, logger } = capture();
    const err = Object.assign(new Error('duplicate key value violates unique constraint'), { detail: 'Key (national_id)=(SN-1987-55501) already exists.' });
    logger.error({ err }, 'insert failed');
    const logged = lines[0]?.err as { message: string; detail: string; stack: string };
    expect(logged.message).toBe('duplicate key value violates unique constraint');
    expect(logged.stack).toContain('Error');
    expect(logged.detail).toContain('Key (national_id)=(');
    expect(logged.detail).not.toContain('SN-1987-55501');
  });
});
