import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import {
  createConsumer,
  type DefinedStateProjection,
  type EventConsumer,
  type EventHandlers,
  groupIdOf,
  InProcessTransport,
  KafkaTransport,
  outboxChannel,
  type Producer,
  type Relay,
  type RetentionSettings,
  registerStateProjection,
  STATE_TOPIC_CONFIGS,
  startConsumerLagSampler,
  startRelay,
  stateTopicsOf,
  type Transport,
  topicOf,
  topicsOfHandlers,
} from '@crm/events';
import { type DocumentNode, parse } from 'graphql';
import type { Kysely, Migration } from 'kysely';
import { applyAccessRules } from './access.ts';
import { RequestAudit } from './audit.ts';
import { type AuthSettings, authSettings } from './auth.ts';
import { loadConfigOrExit, parseConfig, type ServiceEnv, serviceEnvSchema } from './config.ts';
import type { RequestContext } from './context.ts';
import { checkDatabase, type Database, type DatabaseTarget, migrate, openDatabase } from './db.ts';
import { EVENT_RETENTION_JOB, eventRetentionFromEnv, eventRetentionJob, migrateEventOperations } from './event-operations.ts';
import { type JobDefinition, type JobRunner, startJobs } from './jobs.ts';
import { createLogger, type Logger } from './logger.ts';
import { startSubgraphServer } from './server.ts';
import { startTelemetry } from './telemetry.ts';

/** What a domain service is made of. The four services each export one of these from src/service.ts. */
export interface ServiceDefinition<DB, C extends RequestContext> {
  name: Producer;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<C>;
  migrations: Record<string, Migration>;
  /** Handlers of other services' events, by event name. */
  handlers: EventHandlers<DB>;
  /** Scheduled runs; each also callable by name through `RunningService.jobs.run`. */
  jobs: readonly JobDefinition<DB>[];
  /** Adds the service's own pieces (database, loaders) to the request context. */
  context: (base: RequestContext, deps: ServiceDeps<DB>) => C;
  /** The state records of the aggregates this service owns, written with every event that changes one. */
  state?: DefinedStateProjection;
}

export interface ServiceDeps<DB> {
  service: Producer;
  db: Kysely<DB>;
  logger: Logger;
  /** Runs a job of this service now (for administrators' mutations such as runEndOfDay). */
  jobs: JobRunner;
}

/** The part of every service's request context that is the same in all four. */
export interface ServiceContext<DB> extends RequestContext {
  db: Kysely<DB>;
  logger: Logger;
  /** The clock, passed to domain rules (tests may fix it). */
  now: () => Date;
  jobs: JobRunner;
  /**
   * The service's business date, the latest date its jobs may run for besides today: set by the
   * services that keep the replica of credit's (`findReplicatedBusinessDate`, business-date.ts).
   */
  businessDate?: () => Promise<string | null>;
  /** This request's audit trail: commands write into it, the access layer writes refusals. */
  audit: RequestAudit;
}

export function serviceContext<DB>(base: RequestContext, { service, db, logger, jobs }: ServiceDeps<DB>): ServiceContext<DB> {
  const audit = new RequestAudit(db, { service, identity: base.identity, correlationId: base.correlationId });
  return { ...base, db, logger, jobs, audit, now: () => new Date() };
}

/** Stops cleanly on SIGINT / SIGTERM. */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

export interface ServiceRuntimeOptions {
  database: DatabaseTarget;
  transport: Transport;
  port: number;
  host?: string;
  auth: AuthSettings;
  /** Bearer token of /metrics; unset: no metrics page. */
  metricsToken?: string | undefined;
  logger?: Logger;
  logLevel?: string;
  namespace?: string;
  relayIntervalMs?: number;
  /** Schedule the service's jobs (default true; tests run them by hand). */
  scheduleJobs?: boolean;
  /** Bound of each /readyz probe (default 2 s). */
  readinessTimeoutMs?: number;
  /** Retention of the event tables (purged by the shared `event-retention` job); defaults 7 / 30 / 30 days. */
  eventRetention?: RetentionSettings;
  /** Kafka brokers for the consumer lag gauge (distributed mode); unset: no consumer lag sampling. */
  kafkaBrokers?: string[] | undefined;
  /** Reports each request's SQL statement count in the response's extensions (tests). */
  reportStatements?: boolean;
}

export interface RunningService<DB> {
  name: Producer;
  url: string;
  db: Kysely<DB>;
  relay: Relay;
  consumer: EventConsumer;
  jobs: JobRunner;
  stop(): Promise<void>;
}

/**
 * Boots one service: database and migrations, event consumer, outbox relay, subgraph server.
 * Embedded and distributed mode both come through here; only the options differ.
 */
export async function startService<DB, C extends RequestContext>(
  definition: ServiceDefinition<DB, C>,
  options: ServiceRuntimeOptions,
): Promise<RunningService<DB>> {
  const logger = options.logger ?? createLogger(definition.name, options.logLevel);
  let database: Database<DB> | undefined;
  let relayDatabase: Database<DB> | undefined;
  try {
    database = await openDatabase<DB>(options.database, logger);
    await migrate(database, definition.migrations, logger);
    await migrateEventOperations(database, logger);
    const { db } = database;
    // The producer topic, and the compacted state topics of the aggregates this service owns.
    await options.transport.ensureTopics([
      topicOf(definition.name, options.namespace),
      ...stateTopicsOf(definition.name, options.namespace).map((topic) => ({ topic, configs: STATE_TOPIC_CONFIGS })),
    ]);
    if (definition.state) registerStateProjection(definition.state);
    const consumer = createConsumer<DB>({
      service: definition.name,
      db,
      transport: options.transport,
      handlers: definition.handlers,
      logger,
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
    await consumer.start();
    // The relay works on a connection of its own (not the requests' pool) and wakes on each commit
    // of outbox rows (the outbox trigger's notification), polling only as a safety net.
    relayDatabase = options.database.kind === 'postgres' ? await openDatabase<DB>({ ...options.database, poolSize: 1 }, logger) : database;
    const listenOn = database.listen;
    const channel = outboxChannel(options.database.schema);
    const relay = startRelay({
      service: definition.name,
      db: relayDatabase.db,
      engine: options.database.kind,
      transport: options.transport,
      logger,
      ...(listenOn ? { listen: (wake: () => void) => listenOn(channel, wake) } : {}),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.relayIntervalMs ? { intervalMs: options.relayIntervalMs } : {}),
    });
    // The resolver map is typed with the service's own context; Apollo's signature erases it.
    const resolvers = definition.resolvers as GraphQLResolverMap<unknown>;
    const lagSampler = options.kafkaBrokers?.length
      ? startConsumerLagSampler({
          service: definition.name,
          brokers: options.kafkaBrokers,
          groupId: groupIdOf(definition.name, options.namespace),
          topics: topicsOfHandlers(definition.handlers, options.namespace),
          logger,
        })
      : undefined;
    const jobs = startJobs({
      service: definition.name,
      // The shared retention job, unless the service defines its own under that name.
      jobs: definition.jobs.some((j) => j.name === EVENT_RETENTION_JOB) ? definition.jobs : [...definition.jobs, eventRetentionJob<DB>(options.eventRetention)],
      db,
      engine: options.database.kind,
      logger,
      schedule: options.scheduleJobs ?? true,
    });
    const schema = applyAccessRules(buildSubgraphSchema({ typeDefs: definition.typeDefs, resolvers }));
    const server = await startSubgraphServer<C>({
      name: definition.name,
      schema,
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      auth: options.auth,
      metricsToken: options.metricsToken,
      logger,
      ...(options.reportStatements ? { reportStatements: true } : {}),
      context: (base) => definition.context(base, { service: definition.name, db, logger, jobs }),
      // Each check bounded in time and reported by name on /readyz.
      isReady: {
        timeoutMs: options.readinessTimeoutMs ?? 2_000,
        checks: {
          database: () => checkDatabase(db, options.readinessTimeoutMs ?? 2_000),
          transport: () => options.transport.health?.() ?? { ok: options.transport.isReady() },
          consumer: () => consumer.health(),
          relay: () => relay.health(),
        },
      },
      // Only what cannot heal by itself fails liveness (a kafkajs consumer that will not restart).
      isLive: () => {
        const state = consumer.health();
        return state.fatal ? state : { ok: true };
      },
    });
    const opened = database;
    const relayOpened = relayDatabase;
    return {
      name: definition.name,
      url: `${server.url}/graphql`,
      db,
      relay,
      consumer,
      jobs,
      async stop() {
        await server.stop();
        await jobs.stop();
        await lagSampler?.stop();
        await consumer.stop();
        await relay.stop();
        if (relayOpened !== opened) await relayOpened.close();
        await opened.close();
      },
    };
  } catch (error) {
    if (relayDatabase !== database) await relayDatabase?.close().catch(() => undefined);
    await database?.close().catch(() => undefined);
    throw error;
  }
}

/** Where a service keeps its data: DATABASE_URL when set, else PGlite under DATA_DIR/<service>. */
export function databaseTargetFromEnv(service: Producer, env: Pick<ServiceEnv, 'DATABASE_URL' | 'DATA_DIR'>): DatabaseTarget {
  return env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'pglite', dataDir: `${env.DATA_DIR}/${service}` };
}

/** Kafka when KAFKA_BROKERS is set, else the in-process transport. */
export function transportFromEnv(clientId: string, env: Pick<ServiceEnv, 'KAFKA_BROKERS'>, logger: Logger): Transport {
  return env.KAFKA_BROKERS?.length ? new KafkaTransport({ brokers: env.KAFKA_BROKERS, clientId, logger }) : new InProcessTransport();
}

/**
 * Runs one service as its own process (distributed mode): configuration from the environment,
 * a clean stop on SIGINT/SIGTERM.
 */
export async function runStandalone<DB, C extends RequestContext>(definition: ServiceDefinition<DB, C>, defaultPort: number): Promise<void> {
  const env = loadConfigOrExit(() => parseConfig(serviceEnvSchema, { PORT: String(defaultPort), ...process.env }));
  const logger = createLogger(definition.name, env.LOG_LEVEL);
  const telemetry = startTelemetry({ serviceName: definition.name });
  const transport = transportFromEnv(`crm-${definition.name}`, env, logger);
  await transport.connect();
  const service = await startService(definition, {
    database: databaseTargetFromEnv(definition.name, env),
    transport,
    port: env.PORT,
    host: env.HOST,
    auth: authFromEnv(env),
    metricsToken: env.METRICS_TOKEN,
    logger,
    namespace: env.EVENTS_NAMESPACE,
    relayIntervalMs: env.RELAY_INTERVAL_MS,
    eventRetention: loadConfigOrExit(() => eventRetentionFromEnv(process.env)),
    kafkaBrokers: env.KAFKA_BROKERS,
  });
  logger.info({ url: service.url, database: env.DATABASE_URL ? 'postgres' : 'pglite', transport: transport.kind }, 'service started');
  stopOnSignals(logger, async () => {
    await service.stop();
    await transport.close();
    await telemetry.shutdown();
  });
}

/** Token rules from the settings shared by the gateway and the services. */
export function authFromEnv(
  env: Pick<ServiceEnv, 'JWT_SECRET' | 'JWT_JWKS_URL' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_ROLES_CLAIM' | 'JWT_BRANCH_CLAIM' | 'GATEWAY_SECRET'>,
): AuthSettings {
  return authSettings(env.JWT_SECRET, {
    jwksUrl: env.JWT_JWKS_URL,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    rolesClaim: env.JWT_ROLES_CLAIM,
    branchClaim: env.JWT_BRANCH_CLAIM,
    gatewaySecret: env.GATEWAY_SECRET ?? env.JWT_SECRET,
  });
}

/** Reads a subgraph's SDL file (Federation 2). */
export function loadTypeDefs(file: URL): DocumentNode {
  return parse(subgraphSdl(file));
}

/**
 * The access directives and the AuditRecord and JobRun types every subgraph declares, kept once
 * in packages/service-kit/sdl/access.graphql and appended to each service's schema.graphql.
 */
export const SHARED_SDL_FILE = new URL('../sdl/access.graphql', import.meta.url);

/**
 * A subgraph's SDL as the runtime, the composition and graphql-codegen see it: its file, the
 * files of the `schema/` folder beside it (one per area, `extend type Query`/`Mutation`), in name
 * order, plus the shared block.
 */
export function subgraphSdl(file: URL): string {
  return [file, ...schemaPartFiles(file), SHARED_SDL_FILE].map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** The `*.graphql` files of the `schema/` folder beside a subgraph's schema.graphql, sorted by name. */
export function schemaPartFiles(file: URL): URL[] {
  const folder = new URL('./schema/', file);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => new URL(name, folder));
}
