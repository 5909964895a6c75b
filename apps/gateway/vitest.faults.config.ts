import { defineConfig } from 'vitest/config';

/**
 * The fault suite (`pnpm test:faults`): real PostgreSQL and a real Kafka broker, both private to
 * the suite (faults/global-setup.ts), the services and the gateway as processes. Files run one
 * after another: each starts its own stack and injects faults into the shared infrastructure.
 */
export default defineConfig({
  test: {
    include: ['faults/**/*.fault.test.ts'],
    globalSetup: ['faults/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
    reporters: ['verbose'],
  },
});
