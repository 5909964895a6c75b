import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, serviceEnvSchema } from '../src/config.ts';

describe('configuration', () => {
  it('has working embedded defaults', () => {
    const env = parseConfig(serviceEnvSchema, {});
    expect(env).toMatchObject({ NODE_ENV: 'development', LOG_LEVEL: 'info', DATA_DIR: '.data', RELAY_INTERVAL_MS: 5_000 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.KAFKA_BROKERS).toBeUndefined();
  });

  it('reports every bad setting together, by name', () => {
    try {
      parseConfig(serviceEnvSchema, { PORT: 'eighty', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'localhost', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const setting of ['PORT', 'DATABASE_URL', 'KAFKA_BROKERS', 'LOG_LEVEL']) expect(problems).toContain(`${setting}:`);
    }
  });

  it('refuses the development JWT secret in production', () => {
    expect(() => parseConfig(serviceEnvSchema, { NODE_ENV: 'production' })).toThrow(/JWT_SECRET: must be set to a private value in production/);
  });

  it('parses a broker list', () => {
    expect(parseConfig(serviceEnvSchema, { KAFKA_BROKERS: 'a:9092, b:9093' }).KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
  });
});
