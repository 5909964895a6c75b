/** Distributed mode: the gateway alone, in front of subgraphs running as their own processes. */
import { authFromEnv, createLogger, loadConfigOrExit, parseConfig, startTelemetry, stopOnSignals } from '@crm/service-kit';
import { devIdentity, gatewayEnvSchema } from './config.ts';
import { startGateway } from './gateway.ts';
import { SUBGRAPHS } from './subgraphs.ts';

const env = loadConfigOrExit(() => parseConfig(gatewayEnvSchema));
const logger = createLogger('gateway', env.LOG_LEVEL);
const telemetry = startTelemetry({ serviceName: 'gateway' });
const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, String(env[s.urlSetting as keyof typeof env])]));
const gateway = await startGateway({
  subgraphUrls,
  port: env.PORT,
  host: env.HOST,
  auth: authFromEnv(env),
  metricsToken: env.METRICS_TOKEN,
  devIdentity: env.AUTH_REQUIRED ? null : devIdentity(env),
  sandbox: env.NODE_ENV !== 'production',
  production: env.NODE_ENV === 'production',
  limits: {
    maxDepth: env.MAX_QUERY_DEPTH,
    maxAliases: env.MAX_QUERY_ALIASES,
    maxCost: env.MAX_QUERY_COST,
    ratePerMinute: env.RATE_LIMIT_PER_MINUTE,
    subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
    subgraphTimeoutsMs: env.SUBGRAPH_TIMEOUTS,
  },
  logger,
});
logger.info({ url: gateway.graphqlUrl, subgraphUrls }, 'gateway started');

stopOnSignals(logger, async () => {
  await gateway.stop();
  await telemetry.shutdown();
});
