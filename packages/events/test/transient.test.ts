import { describe, expect, it } from 'vitest';
import { eventIdOf, isTransientError } from '../src/index.ts';

const pgError = (code: string, message = 'db error') => Object.assign(new Error(message), { code });

describe('transient infrastructure errors', () => {
  it('recognises connection faults, 08xxx, 57P0x, serialization failures and deadlocks', () => {
    for (const error of [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      pgError('08006'),
      pgError('08001'),
      pgError('40001', 'could not serialize access'),
      pgError('40P01', 'deadlock detected'),
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      pgError('ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([pgError('ECONNREFUSED')], ''),
      Object.assign(new Error('wrapped'), { cause: pgError('57P01') }),
      Object.assign(new Error('graphql'), { originalError: pgError('08003') }),
    ]) {
      expect(isTransientError(error), String((error as Error).message)).toBe(true);
    }
  });

  it('does not treat rule failures, constraint violations or bad SQL as transient', () => {
    for (const error of [new Error('downstream rule keeps failing'), pgError('23505'), pgError('42P01'), pgError('22P02'), null, 'x']) {
      expect(isTransientError(error)).toBe(false);
    }
  });

  it('reads the id of an event whose JSON has one', () => {
    expect(eventIdOf('{"id":"019a-1","type":"x"}')).toBe('019a-1');
    expect(eventIdOf('{"specversion":"1.0"}')).toBeUndefined();
    expect(eventIdOf('not json')).toBeUndefined();
    expect(eventIdOf('{"id":42}')).toBeUndefined();
  });
});
