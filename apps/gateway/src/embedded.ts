/**
 * Embedded mode (`pnpm start`): the gateway and the four services in this one process, each
 * service on its own PGlite database under .data/<service>, events through the in-process
 * transport. No environment needed; the same settings as distributed mode apply when given.
 */
import { fileURLToPath } from 'node:url';
import { InProcessTransport, KafkaTransport } from '@crm/events';
import { authFromEnv, createLogger, loadConfigOrExit, parseConfig, serviceEnvSchema, stopOnSignals } from '@crm/service-kit';
import { devIdentity, gatewayEnvSchema } from './config.ts';
import { startStack } from './stack.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadConfigOrExit(() => ({
  gateway: parseConfig(gatewayEnvSchema),
  service: parseConfig(serviceEnvSchema, { DATA_DIR: `${repoRoot}.data`, ...process.env }),
}));
const logger = createLogger('embedded', env.gateway.LOG_LEVEL);

const bus = new InProcessTransport();
const brokers = env.service.KAFKA_BROKERS;
const stack = await startStack({
  database: (service) =>
    env.service.DATABASE_URL
      ? { kind: 'postgres', url: env.service.DATABASE_URL, schema: service }
      : { kind: 'pglite', dataDir: `${env.service.DATA_DIR}/${service}` },
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

stopOnSignals(logger, () => stack.stop());
