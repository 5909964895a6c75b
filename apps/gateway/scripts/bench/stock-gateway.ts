/**
 * A stock Apollo Gateway with its default settings (what `pnpm bench` compares ours against):
 * @apollo/gateway over the same supergraph and subgraphs, Apollo Server's standalone HTTP server.
 * Its only additions are what the subgraphs require of any caller: the caller's token and the
 * gateway credential (`x-gateway-credential`) on each subgraph call.
 *
 *   node scripts/bench/stock-gateway.ts
 *   env: PORT, GATEWAY_SECRET, CUSTOMERS_URL, CREDIT_URL, ENGAGEMENT_URL, LOYALTY_URL
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GATEWAY_CREDENTIAL_HEADER, gatewayCredentials } from '@crm/service-kit';

const credential = gatewayCredentials(process.env.GATEWAY_SECRET ?? '');
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(new URL('../../supergraph.graphql', import.meta.url), 'utf8'),
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource<{ authorization?: string }>({
      url: process.env[`${name.toUpperCase()}_URL`] ?? url,
      async willSendRequest({ request, context }) {
        if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        request.http?.headers.set(GATEWAY_CREDENTIAL_HEADER, await credential());
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 4100), host: '127.0.0.1' },
  context: async ({ req }) => ({ ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) }),
});
console.log(`stock gateway at ${url}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void server.stop().then(() => process.exit(0)));
