import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../packages/service-kit/vitest.shared.ts';

// The distributed-mode test needs a Kafka broker and PostgreSQL: it runs in the real-infrastructure pass.
// stream-rebuild.kafka.test.ts runs in both (on the in-process transport when there is no broker).
const realInfrastructure = Boolean(process.env.KAFKA_BROKERS && (process.env.DATABASE_URL || process.env.TEST_DATABASE_URL));

export default mergeConfig(shared, defineConfig({ test: { exclude: realInfrastructure ? [] : ['test/distributed.kafka.test.ts'] } }));
