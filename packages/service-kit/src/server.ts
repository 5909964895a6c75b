import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { type RequestContext, requestContextFromHeaders } from './context.ts';
import { createErrorFormatter } from './errors.ts';
import { type Logger, withCorrelationId } from './logger.ts';
import { graphqlDuration, graphqlOperations, registry } from './metrics.ts';

export interface HttpServerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Adds /healthz (process alive), /readyz (dependencies answer) and /metrics (Prometheus). */
export function addOperationalRoutes(app: Express, isReady: () => Promise<boolean>): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
}

/** Records each operation's duration and outcome. */
export function metricsPlugin<C extends BaseContext>(service: string): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const end = graphqlDuration.startTimer({ service });
      return {
        async willSendResponse({ operationName, errors }) {
          const operation = operationName ?? 'anonymous';
          end({ operation });
          graphqlOperations.inc({ service, operation, outcome: errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}

export async function listen(app: Express, port: number, host = '127.0.0.1'): Promise<HttpServerHandle> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
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
  jwtSecret: string;
  logger: Logger;
  /** Adds the service's own pieces (database, loaders) to the request context. */
  context: (base: RequestContext) => C | Promise<C>;
  isReady: () => Promise<boolean>;
}

/** The subgraph HTTP server: POST /graphql plus the operational routes. */
export async function startSubgraphServer<C extends RequestContext>(options: SubgraphServerOptions<C>): Promise<HttpServerHandle> {
  const apollo = new ApolloServer<C>({
    schema: options.schema,
    formatError: createErrorFormatter(options.logger),
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), metricsPlugin<C>(options.name)],
    includeStacktraceInErrorResponses: false,
  });
  await apollo.start();
  const app = express();
  app.disable('x-powered-by');
  addOperationalRoutes(app, options.isReady);
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    (req, _res, next) => {
      const id = req.header('x-correlation-id');
      if (id) withCorrelationId(id, next);
      else next();
    },
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const base = await requestContextFromHeaders(req.headers, options.jwtSecret).catch((error: unknown) => {
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
