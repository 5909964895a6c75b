/**
 * Embedded mode (`pnpm start`): the gateway and the four services in this one process, on ONE
 * PGlite database under .data/pglite with a schema per service (as distributed mode shares a
 * PostgreSQL database: see service-kit/src/pglite.ts), events through the in-process transport.
 * No environment needed; the same settings as distributed mode apply when given.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InProcessTransport, KafkaTransport } from '@crm/events';
import { authFromEnv, createLogger, loadConfigOrExit, parseConfig, serviceEnvSchema, startTelemetry, stopOnSignals } from '@crm/service-kit';
import { devIdentity, gatewayEnvSchema } from './config.ts';
import { startStack } from './stack.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadConfigOrExit(() => ({
  gateway: parseConfig(gatewayEnvSchema),
  service: parseConfig(serviceEnvSchema, { DATA_DIR: `${repoRoot}.data`, ...process.env }),
}));
const logger = createLogger('embedded', env.gateway.LOG_LEVEL);
// Tracing first, so the stack's spans have a provider (one for the whole process; see telemetry.ts).
const telemetry = startTelemetry({ serviceName: 'lender-crm' });

if (!env.service.DATABASE_URL && existsSync(`${env.service.DATA_DIR}/customers/PG_VERSION`) && !existsSync(`${env.service.DATA_DIR}/pglite`)) {
  logger.warn(
    { data: env.service.DATA_DIR },
    'the per-service data directories of earlier versions are not used any more: starting on a new one (.data/pglite)',
  );
}

const bus = new InProcessTransport();
const brokers = env.service.KAFKA_BROKERS;
const stack = await startStack({
  database: (service) =>
    env.service.DATABASE_URL
      ? { kind: 'postgres', url: env.service.DATABASE_URL, schema: service }
      : { kind: 'pglite', dataDir: `${env.service.DATA_DIR}/pglite`, schema: service },
  transport: (service) => (brokers?.length ? new KafkaTransport({ brokers, clientId: `crm-${service}`, logger }) : bus),
  auth: authFromEnv(env.gateway),
  metricsToken: env.gateway.METRICS_TOKEN,
  devIdentity: env.gateway.AUTH_REQUIRED ? null : devIdentity(env.gateway),
  gatewayPort: env.gateway.PORT,
  host: env.gateway.HOST,
  sandbox: env.gateway.NODE_ENV !== 'production',
  logLevel: env.gateway.LOG_LEVEL,
  namespace: env.service.EVENTS_NAMESPACE,
  relayIntervalMs: env.service.RELAY_INTERVAL_MS,
});

logger.info({ data: brokers?.length ? 'kafka' : env.service.DATA_DIR }, 'embedded mode ready');
process.stdout.write(`\nLender CRM is up: ${stack.gatewayUrl}  (open it in a browser for the API explorer)\n\n`);

stopOnSignals(logger, async () => {
  await stack.stop();
  await telemetry.shutdown();
});
