import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import {
  addOperationalRoutes,
  CORRELATION_HEADER,
  createErrorFormatter,
  type HttpServerHandle,
  type Identity,
  type Logger,
  listen,
  metricsPlugin,
  signToken,
  unauthenticated,
  verifyToken,
  withCorrelationId,
} from '@crm/service-kit';
import express from 'express';
import { GraphQLError } from 'graphql';

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
  jwtSecret: string;
  /** Null: every request must carry a valid token. */
  devIdentity: Identity | null;
  sandbox: boolean;
  logger: Logger;
}

/**
 * The gateway: verifies the caller's JWT, then plans each operation over the supergraph and
 * forwards the token and the correlation id to the subgraphs, which authorise for themselves.
 */
export async function startGateway(options: GatewayOptions): Promise<HttpServerHandle & { graphqlUrl: string }> {
  const { logger } = options;
  const gateway = new ApolloGateway({
    supergraphSdl: SUPERGRAPH_SDL,
    buildService: ({ name, url }) => {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`No URL for subgraph ${name}`);
      return new ForwardingDataSource({
        url: target,
        willSendRequest({ request, context }) {
          if (context.token) request.http?.headers.set('authorization', `Bearer ${context.token}`);
          if (context.correlationId) request.http?.headers.set(CORRELATION_HEADER, context.correlationId);
        },
      });
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createErrorFormatter(logger),
    plugins: [
      options.sandbox ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }) : ApolloServerPluginLandingPageDisabled(),
      metricsPlugin<GatewayContext>('gateway'),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  addOperationalRoutes(app, async () => {
    const checks = await Promise.all(
      Object.values(options.subgraphUrls).map((url) =>
        fetch(url.replace(/\/graphql$/, '/readyz'))
          .then((r) => r.ok)
          .catch(() => false),
      ),
    );
    return checks.every(Boolean);
  });
  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    (req, _res, next) => withCorrelationId(req.header(CORRELATION_HEADER) ?? randomUUID(), next),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const correlationId = req.header(CORRELATION_HEADER) ?? randomUUID();
        const authorization = req.header('authorization');
        if (authorization) {
          const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
          if (!token) throw unauthenticated('Authorization header must be "Bearer <token>"');
          const identity = await verifyToken(token, options.jwtSecret).catch(() => {
            throw unauthenticated('Invalid or expired token');
          });
          return { token, identity, correlationId };
        }
        if (!options.devIdentity) throw unauthenticated();
        return { token: await signToken(options.devIdentity, options.jwtSecret, '5m'), identity: options.devIdentity, correlationId };
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
    },
  };
}
