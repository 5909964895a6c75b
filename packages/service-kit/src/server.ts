import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { contextOfTraceparent, type HealthState, SpanKind, tracer } from '@crm/events';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import express, { type Express, type RequestHandler } from 'express';
import { GraphQLError, type GraphQLSchema, Kind } from 'graphql';
import helmet from 'helmet';
import type { RequestAudit } from './audit.ts';
import type { AuthSettings } from './auth.ts';
import { type RequestContext, requestContextFromHeaders } from './context.ts';
import { createErrorFormatter } from './errors.ts';
import { type Logger, withCorrelationId } from './logger.ts';
import { graphqlDuration, graphqlOperations, readinessCheck, registry } from './metrics.ts';
import { currentStatementTally, type StatementTally, withStatementTally } from './statements.ts';

export interface HttpServerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Security headers on every response (helmet); the landing page's scripts need a looser policy. */
export function securityHeaders(options: { allowLandingPage?: boolean } = {}): RequestHandler {
  return helmet({
    contentSecurityPolicy: options.allowLandingPage ? false : { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginEmbedderPolicy: false,
  });
}

/** One readiness probe: a boolean or a state with its reason; a throw or a timeout counts as down. */
export type HealthCheck = () => boolean | HealthState | Promise<boolean | HealthState>;

/** Named probes run in parallel on every /readyz, each bounded by `timeoutMs` (default 2 s). */
export interface Readiness {
  checks: Record<string, HealthCheck>;
  timeoutMs?: number;
  /** Checks reported in the body that do not make the process unready (a degraded dependency). */
  optional?: readonly string[];
  /** The `service` label of crm_readiness_check_up, set at each probe (default: no gauge). */
  service?: string;
}

export interface CheckReport {
  status: 'up' | 'down';
  detail?: string;
  ms: number;
}

export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'not ready';
  checks: Record<string, CheckReport>;
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckReport> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      Promise.resolve().then(check),
      new Promise<HealthState>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `timed out after ${timeoutMs} ms` }), timeoutMs);
      }),
    ]);
    const state = typeof result === 'boolean' ? { ok: result } : result;
    return { status: state.ok ? 'up' : 'down', ...(state.detail ? { detail: state.detail } : {}), ms: Date.now() - started };
  } catch (error) {
    return { status: 'down', detail: error instanceof Error ? error.message : String(error), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every probe (in parallel, each bounded in time) and says whether all are up. */
export async function checkReadiness(readiness: Readiness): Promise<ReadinessReport> {
  const timeoutMs = readiness.timeoutMs ?? 2_000;
  const entries = await Promise.all(Object.entries(readiness.checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const));
  const checks = Object.fromEntries(entries);
  const optional = new Set(readiness.optional ?? []);
  const required = entries.filter(([name]) => !optional.has(name));
  if (!required.every(([, r]) => r.status === 'up')) return { status: 'not ready', checks };
  return { status: entries.every(([, r]) => r.status === 'up') ? 'ready' : 'degraded', checks };
}

/**
 * Adds /livez (the process can serve; fails only on a fault it cannot recover from by itself, so
 * an orchestrator restarts it), /healthz (the same, kept for existing probes), /readyz (every
 * dependency answers: 200 or 503 with each check's state in the body, in bounded time) and
 * /metrics (Prometheus). Metrics are for the operator: `Authorization: Bearer <METRICS_TOKEN>`,
 * and no token configured means no metrics page.
 */
export function addOperationalRoutes(
  app: Express,
  isReady: (() => Promise<boolean>) | Readiness,
  metricsToken?: string,
  isLive: () => HealthState = () => ({ ok: true }),
): void {
  const readiness: Readiness = typeof isReady === 'function' ? { checks: { dependencies: isReady } } : isReady;
  const live: RequestHandler = (_req, res) => {
    const state = isLive();
    res.status(state.ok ? 200 : 503).json({ status: state.ok ? 'ok' : 'failed', ...(state.detail ? { detail: state.detail } : {}) });
  };
  app.get('/livez', live);
  app.get('/healthz', live);
  app.get('/readyz', async (_req, res) => {
    const report = await checkReadiness(readiness);
    if (readiness.service)
      for (const [check, r] of Object.entries(report.checks)) readinessCheck.set({ service: readiness.service, check }, r.status === 'up' ? 1 : 0);
    res
      .status(report.status === 'not ready' ? 503 : 200)
      .set('cache-control', 'no-store')
      .json(report);
  });
  app.get('/metrics', async (req, res) => {
    if (!metricsToken) {
      res.status(404).json({ error: 'metrics are disabled: set METRICS_TOKEN' });
      return;
    }
    const given = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
    if (!given || !safeEqual(given, metricsToken)) {
      res.status(401).json({ error: 'metrics need the operator token' });
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Opens the SERVER span of each request (`graphql <service>`, renamed after its operation by
 * metricsPlugin), continuing the caller's trace when the request carries a `traceparent` (the
 * gateway's subgraph calls do; a client of the gateway may); ended when the response is sent.
 */
export function traceRequests(service: string): RequestHandler {
  return (req, res, next) => {
    const parent = contextOfTraceparent(req.header('traceparent'), req.header('tracestate'));
    const span = tracer().startSpan(
      `graphql ${service}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.originalUrl.split('?')[0] ?? '', 'crm.service': service } },
      parent,
    );
    res.once('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    res.once('close', () => span.end());
    context.with(trace.setSpan(parent, span), next);
  };
}

/**
 * Records each operation's duration and outcome. The label is the operation type and its first
 * root field (`query.customer`), bounded by the schema, never the client's operation name.
 */
export function metricsPlugin<C extends BaseContext>(service: string): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const end = graphqlDuration.startTimer({ service });
      return {
        async willSendResponse({ operation: op, errors }) {
          const first = op?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
          const operation = op ? `${op.operation}.${first?.kind === Kind.FIELD ? first.name.value : 'fragment'}` : 'invalid';
          end({ operation });
          graphqlOperations.inc({ service, operation, outcome: errors?.length ? 'error' : 'ok' });
          const span = trace.getActiveSpan();
          span?.updateName(`graphql ${operation}`);
          span?.setAttribute('graphql.operation.type', op?.operation ?? 'invalid');
          if (op?.name) span?.setAttribute('graphql.operation.name', op.name.value);
          if (errors?.length) span?.setAttribute('crm.graphql.errors', errors.length);
        },
      };
    },
  };
}

export async function listen(app: Express, port: number, host = '127.0.0.1'): Promise<HttpServerHandle> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  // Idle keep-alive connections are kept longer than callers keep theirs (the gateway's pool: 30 s;
  // load balancers: 60 s), so a caller never sends a request on a connection this server is
  // closing at that moment (Node's default, 5 s, loses requests that way under load: "other side
  // closed"). Headers must come within a little more than that.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SubgraphServerOptions<C extends RequestContext> {
  name: string;
  schema: GraphQLSchema;
  port: number;
  host?: string;
  auth: AuthSettings;
  metricsToken?: string | undefined;
  logger: Logger;
  /** Adds the service's own pieces (database, loaders) to the request context. */
  context: (base: RequestContext) => C | Promise<C>;
  /** A boolean probe, or named checks reported one by one on /readyz. */
  isReady: (() => Promise<boolean>) | Readiness;
  /** Liveness: false only when the process cannot recover by itself (default: always live). */
  isLive?: () => HealthState;
  /** Adds `extensions.sqlStatements` ({ statements, audit }) to each response (tests only). */
  reportStatements?: boolean;
}

/**
 * Writes the audit of sensitive reads gathered while the request ran; then, when asked (tests),
 * reports the request's SQL statements in `extensions.sqlStatements` (audit writes apart).
 */
function auditReadsPlugin<C extends BaseContext>(logger: Logger, reportStatements = false): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const audit = (contextValue as { audit?: RequestAudit }).audit;
          await audit?.flushReads().catch((err: unknown) => logger.error({ err }, 'audit of reads not written'));
          const tally = reportStatements ? currentStatementTally() : undefined;
          if (tally && response.body.kind === 'single') {
            const sqlStatements: StatementTally = { ...tally };
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlStatements };
          }
        },
      };
    },
  };
}

/** The subgraph HTTP server: POST /graphql plus the operational routes. */
export async function startSubgraphServer<C extends RequestContext>(options: SubgraphServerOptions<C>): Promise<HttpServerHandle> {
  const apollo = new ApolloServer<C>({
    schema: options.schema,
    formatError: createErrorFormatter(options.logger),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      metricsPlugin<C>(options.name),
      auditReadsPlugin<C>(options.logger, options.reportStatements),
    ],
    includeStacktraceInErrorResponses: false,
    introspection: false,
  });
  await apollo.start();
  const app = express();
  app.disable('x-powered-by');
  // No ETag on answers: GraphQL POSTs are never revalidated, and hashing each body costs CPU.
  app.disable('etag');
  app.use(securityHeaders());
  const readiness = typeof options.isReady === 'function' ? { checks: { dependencies: options.isReady } } : options.isReady;
  addOperationalRoutes(app, { service: options.name, ...readiness }, options.metricsToken, options.isLive);
  app.use(
    '/graphql',
    traceRequests(options.name),
    express.json({ limit: '2mb' }),
    (req, _res, next) => {
      const id = req.header('x-correlation-id');
      if (id) withCorrelationId(id, next);
      else next();
    },
    // Counts the request's SQL statements (Kysely's log hook, see statements.ts).
    (_req, _res, next) => withStatementTally({ statements: 0, audit: 0 }, next),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const base = await requestContextFromHeaders(req.headers, options.auth).catch((error: unknown) => {
          if (error instanceof GraphQLError) throw error;
          throw new GraphQLError('Invalid request context');
        });
        return options.context(base);
      },
    }),
  );
  const handle = await listen(app, options.port, options.host);
  options.logger.info({ url: `${handle.url}/graphql` }, 'subgraph listening');
  return {
    ...handle,
    stop: async () => {
      await handle.stop();
      await apollo.stop();
    },
  };
}
