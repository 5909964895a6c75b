import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import {
  type AuthSettings,
  addOperationalRoutes,
  bearerToken,
  CORRELATION_HEADER,
  createErrorFormatter,
  currentCorrelationId,
  GATEWAY_CREDENTIAL_HEADER,
  gatewayCredentials,
  type HttpServerHandle,
  type Identity,
  type Logger,
  listen,
  metricsPlugin,
  securityHeaders,
  signToken,
  TokenRejected,
  traceRequests,
  unauthenticated,
  verifyToken,
  withCorrelationId,
} from '@crm/service-kit';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { EXPLORER_ASSETS, explorer } from './explorer.ts';
import { armor, costLimitPlugin, DEFAULT_LIMITS, type GatewayLimits, hasNonFiniteNumber, LIMIT_CODES, limitCodeOf } from './limits.ts';
import { SUBGRAPH_UNAVAILABLE, subgraphFetcher } from './subgraph-client.ts';

/**
 * Forwards the caller's token and correlation id. A subgraph answers bad variables with HTTP 400
 * and a GraphQL error body: that error (code BAD_USER_INPUT, the field in the message) is passed
 * to the client as it is, not replaced by a generic "400: Bad Request".
 */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    if (response.status === 400) {
      const body: unknown = await this.parseBody(response).catch(() => undefined);
      const first = isGraphQLErrorBody(body) ? body.errors[0] : undefined;
      if (first) return new GraphQLError(first.message, { extensions: first.extensions ?? {} });
    }
    return super.errorFromResponse(response);
  }
}

type GatewayGraphQLRequest = Parameters<RemoteGraphQLDataSource['process']>[0]['request'];
type SendRequest = (
  this: ForwardingDataSource,
  request: GatewayGraphQLRequest,
  context: GatewayContext,
) => Promise<Record<string, unknown> & { http: Awaited<ReturnType<NonNullable<ForwardingDataSource['fetcher']>>> }>;

/**
 * Apollo's `sendRequest` as it is, less the node-fetch `Request` it builds on every subgraph call
 * only to hand to `parseBody`/`didEncounterError` (neither is overridden here): that object costs a
 * URL parse and a copy of the body per call. The method is private in Apollo's typings, hence
 * the assignment; were it renamed upstream, this would simply go unused.
 */
const sendRequest: SendRequest = async function (this: ForwardingDataSource, request) {
  const { http, ...rest } = request;
  if (!http) throw new Error("Internal error: Only 'http' requests are supported.");
  const response = await this.fetcher(http.url, { method: http.method, headers: Object.fromEntries(http.headers), body: JSON.stringify(rest) });
  if (!response.ok) throw await this.errorFromResponse(response);
  const type = response.headers.get('content-type');
  const body: unknown =
    type?.startsWith('application/json') || type?.startsWith('application/graphql-response+json') ? await response.json() : await response.text();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`Expected JSON response body, but received: ${String(body)}`);
  return { ...(body as Record<string, unknown>), http: response };
};
(ForwardingDataSource.prototype as unknown as { sendRequest: SendRequest }).sendRequest = sendRequest;

function isGraphQLErrorBody(body: unknown): body is { errors: { message: string; extensions?: Record<string, unknown> }[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors);
}

export const SUPERGRAPH_SDL = readFileSync(new URL('../supergraph.graphql', import.meta.url), 'utf8');

interface GatewayContext {
  /** The token forwarded to subgraphs: the caller's, or one minted for the development identity. */
  token: string;
  identity: Identity;
  correlationId: string;
}

export interface GatewayOptions {
  /** Subgraph name -> URL of its /graphql endpoint. */
  subgraphUrls: Record<string, string>;
  port: number;
  host?: string;
  auth: AuthSettings;
  /** Null: every request must carry a valid token. */
  devIdentity: Identity | null;
  sandbox: boolean;
  /** Production: no introspection. */
  production?: boolean;
  limits?: Partial<GatewayLimits>;
  metricsToken?: string | undefined;
  logger: Logger;
}

/** A JSON error body for refusals made before GraphQL runs. */
function refusal(message: string, code: string): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message, extensions: { code } }] };
}

/**
 * The gateway: verifies the caller's JWT, then plans each operation over the supergraph and
 * forwards the token and the correlation id to the subgraphs, which authorise for themselves.
 */
export async function startGateway(options: GatewayOptions): Promise<HttpServerHandle & { graphqlUrl: string }> {
  const { logger } = options;
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const credential = gatewayCredentials(options.auth.gatewaySecret);
  // Every subgraph call carries a deadline and goes through a circuit breaker: a subgraph that is
  // down or hung costs its own fields (SUBGRAPH_UNAVAILABLE on their paths), not the request.
  const clients = new Map<string, ReturnType<typeof subgraphFetcher>>();
  const clientOf = (name: string) => {
    let client = clients.get(name);
    if (!client) {
      client = subgraphFetcher(name, { timeoutMs: limits.subgraphTimeoutsMs?.[name] ?? limits.subgraphTimeoutMs, logger });
      clients.set(name, client);
    }
    return client;
  };
  const gateway = new ApolloGateway({
    supergraphSdl: SUPERGRAPH_SDL,
    buildService: ({ name, url }) => {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`No URL for subgraph ${name}`);
      return new ForwardingDataSource({
        url: target,
        fetcher: clientOf(name),
        async willSendRequest({ request, context }) {
          if (context.token) request.http?.headers.set('authorization', `Bearer ${context.token}`);
          if (context.correlationId) request.http?.headers.set(CORRELATION_HEADER, context.correlationId);
          request.http?.headers.set(GATEWAY_CREDENTIAL_HEADER, await credential());
        },
      });
    },
  });
  const protection = armor(limits);
  const formatError = createErrorFormatter(logger);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: (formatted, error) => {
      if (formatted.extensions?.code === SUBGRAPH_UNAVAILABLE) return formatted;
      const limitCode =
        formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' || formatted.extensions?.code === 'BAD_USER_INPUT'
          ? limitCodeOf(formatted.message)
          : undefined;
      return formatError(limitCode ? { ...formatted, extensions: { ...formatted.extensions, code: limitCode } } : formatted, error);
    },
    introspection: !options.production,
    allowBatchedHttpRequests: false,
    validationRules: protection.validationRules,
    plugins: [
      // Armor's plugins are written for any context; they never read ours.
      ...(protection.plugins as ApolloServerPlugin<GatewayContext>[]),
      costLimitPlugin<GatewayContext>(limits.maxCost),
      // The explorer (below, when `sandbox`) is served by the gateway itself, not Apollo's CDN-hosted page.
      ApolloServerPluginLandingPageDisabled(),
      metricsPlugin<GatewayContext>('gateway'),
    ],
  });
  await apollo.start();

  const rateLimiter = new RateLimiterMemory({ points: limits.ratePerMinute, duration: 60 });
  const app = express();
  app.disable('x-powered-by');
  // No ETag on answers: GraphQL POSTs are never revalidated, and hashing each body costs CPU.
  app.disable('etag');
  app.use(securityHeaders({ allowLandingPage: options.sandbox }));
  // Ready when the customers subgraph (where every Customer 360 starts) answers; the others are
  // reported and, when down, make the gateway `degraded` (200) rather than unready: it still
  // answers everything they do not own (SUBGRAPH_UNAVAILABLE on their paths).
  addOperationalRoutes(
    app,
    {
      checks: Object.fromEntries(
        Object.entries(options.subgraphUrls).map(([name, url]) => [
          name,
          async () => {
            if (clientOf(name).breaker.opened) return { ok: false, detail: 'circuit open' };
            const res = await fetch(url.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(1_500) });
            return res.ok ? { ok: true } : { ok: false, detail: `readyz answered ${res.status}` };
          },
        ]),
      ),
      optional: Object.keys(options.subgraphUrls).filter((name) => name !== 'customers'),
      timeoutMs: 2_000,
      service: 'gateway',
    },
    options.metricsToken,
  );
  app.get('/', (_req, res) => res.redirect('/graphql'));
  const explorerRoutes = options.sandbox ? explorer({ endpoint: '/graphql' }) : undefined;
  if (explorerRoutes) app.use(EXPLORER_ASSETS, explorerRoutes.assets);
  const tooLarge: ErrorRequestHandler = (error: { type?: string; status?: number }, _req, res, next) => {
    if (error.type === 'entity.too.large') res.status(413).json(refusal(`Request body larger than ${limits.maxBody}`, LIMIT_CODES.body));
    else if (error.status === 400) res.status(400).json(refusal('Malformed JSON body', 'BAD_REQUEST'));
    else next(error);
  };
  const checkBody: RequestHandler = (req, res, next) => {
    if (Array.isArray(req.body)) {
      res.status(400).json(refusal('Batched operations are not accepted: send one operation per request', LIMIT_CODES.batch));
      return;
    }
    if (hasNonFiniteNumber(req.body?.variables)) {
      res.status(400).json(refusal('A variable holds a number outside the range JSON can carry', 'BAD_USER_INPUT'));
      return;
    }
    next();
  };
  const correlate: RequestHandler = (req, _res, next) => withCorrelationId(req.header(CORRELATION_HEADER) ?? randomUUID(), next);
  if (explorerRoutes) app.get('/graphql', explorerRoutes.page);
  app.use(
    '/graphql',
    traceRequests('gateway'),
    express.json({ limit: limits.maxBody }),
    tooLarge,
    checkBody,
    correlate,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        // The id `correlate` gave the request (the caller's, else a new one): the same in logs and downstream.
        const correlationId = currentCorrelationId() ?? req.header(CORRELATION_HEADER) ?? randomUUID();
        const authorization = req.header('authorization');
        let context: GatewayContext;
        if (authorization) {
          const token = bearerToken(authorization);
          const identity = await verifyToken(token, options.auth).catch((error: unknown) => {
            throw unauthenticated(error instanceof TokenRejected ? error.message : 'Invalid or expired token');
          });
          context = { token, identity, correlationId };
        } else {
          if (!options.devIdentity) throw unauthenticated();
          context = { token: await signToken(options.devIdentity, options.auth, '5m'), identity: options.devIdentity, correlationId };
        }
        await rateLimiter.consume(context.identity.userId).catch(() => {
          throw new GraphQLError(`More than ${limits.ratePerMinute} requests a minute: slow down`, {
            extensions: { code: LIMIT_CODES.rate, http: { status: 429 } },
          });
        });
        return context;
      },
    }),
  );
  const handle = await listen(app, options.port, options.host);
  const graphqlUrl = `${handle.url}/graphql`;
  logger.info({ url: graphqlUrl }, 'gateway listening');
  return {
    ...handle,
    graphqlUrl,
    stop: async () => {
      await handle.stop();
      await apollo.stop();
      for (const client of clients.values()) await client.close();
    },
  };
}
