import type { ServiceDefinition } from '@crm/service-kit';
import { createContext, type LoyaltyContext } from './context.ts';
import { migrations } from './db/migrations/index.ts';
import type { DB } from './db/schema.ts';
import { handlers } from './events/handlers.ts';
import { loyaltyState } from './events/state.ts';
import { jobs } from './jobs/index.ts';
import { resolvers } from './resolvers/index.ts';
import { typeDefs } from './schema.ts';

/** The loyalty subgraph: points ledger, tiers, rewards, referrals. */
export const loyaltyService: ServiceDefinition<DB, LoyaltyContext> = {
  name: 'loyalty',
  typeDefs,
  resolvers,
  migrations,
  handlers,
  jobs,
  context: createContext,
  state: loyaltyState,
};
