import type { ServiceDefinition } from '@crm/service-kit';
import { type CreditContext, createContext } from './context.ts';
import { migrations } from './db/migrations/index.ts';
import type { DB } from './db/schema.ts';
import { handlers } from './events/handlers.ts';
import { creditState } from './events/state.ts';
import { jobs } from './jobs/index.ts';
import { resolvers } from './resolvers/index.ts';
import { typeDefs } from './schema.ts';

/** The credit subgraph: products, loans, schedules, repayments, risk. */
export const creditService: ServiceDefinition<DB, CreditContext> = {
  name: 'credit',
  typeDefs,
  resolvers,
  migrations,
  handlers,
  jobs,
  context: createContext,
  state: creditState,
};
