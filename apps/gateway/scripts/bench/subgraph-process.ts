/**
 * One subgraph as its own process for `pnpm bench` (as distributed mode runs it: PostgreSQL,
 * events in process since KAFKA_BROKERS is unset), with each response's SQL statement count in
 * `extensions.sqlStatements` (the bench counts statements per subgraph per federated query).
 *
 *   sh ../../scripts/run-ts.sh scripts/bench/subgraph-process.ts <service>
 *   env: DATABASE_URL, PORT, JWT_SECRET, GATEWAY_SECRET
 */
import { InProcessTransport, type Producer } from '@crm/events';
import { authFromEnv, createLogger, loadConfigOrExit, parseConfig, serviceEnvSchema, startService, stopOnSignals } from '@crm/service-kit';
import { creditService, customersService, engagementService, loyaltyService } from '../../src/services.ts';

const definitions = { customers: customersService, credit: creditService, engagement: engagementService, loyalty: loyaltyService };
const name = process.argv[2] as Producer;
const definition = definitions[name];
if (!definition) throw new Error(`unknown service ${name}`);
const env = loadConfigOrExit(() => parseConfig(serviceEnvSchema));
if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required');
const logger = createLogger(name, env.LOG_LEVEL);
// biome-ignore lint/suspicious/noExplicitAny: one of four definitions, each with its own database type.
const service = await startService(definition as any, {
  database: { kind: 'postgres', url: env.DATABASE_URL },
  transport: new InProcessTransport(),
  port: env.PORT,
  host: env.HOST,
  auth: authFromEnv(env),
  logger,
  scheduleJobs: false,
  reportStatements: true,
});
logger.info({ url: service.url }, 'bench subgraph started');
stopOnSignals(logger, () => service.stop());
