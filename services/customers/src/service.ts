import type { ServiceDefinition } from '@crm/service-kit';
import { type CustomersContext, createContext } from './context.ts';
import { migrations } from './db/migrations/index.ts';
import type { DB } from './db/schema.ts';
import { handlers } from './events/handlers.ts';
import { customersState } from './events/state.ts';
import { jobs } from './jobs/index.ts';
import { resolvers } from './resolvers/index.ts';
import { typeDefs } from './schema.ts';

/** The customers subgraph: profiles, consent, segments, value and grade. */
export const customersService: ServiceDefinition<DB, CustomersContext> = {
  name: 'customers',
  typeDefs,
  resolvers,
  migrations,
  handlers,
  jobs,
  context: createContext,
  state: customersState,
};
