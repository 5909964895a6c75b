import { defineConfig } from 'vitest/config';

/** Test settings shared by every package: real databases are slower than mocks. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
