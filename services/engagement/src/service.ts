import type { ServiceDefinition } from '@crm/service-kit';
import { createContext, type EngagementContext } from './context.ts';
import { migrations } from './db/migrations/index.ts';
import type { DB } from './db/schema.ts';
import { handlers } from './events/handlers.ts';
import { engagementState } from './events/state.ts';
import { jobs } from './jobs/index.ts';
import { resolvers } from './resolvers/index.ts';
import { typeDefs } from './schema.ts';

/** The engagement subgraph: interactions, tasks, complaints, surveys, churn. */
export const engagementService: ServiceDefinition<DB, EngagementContext> = {
  name: 'engagement',
  typeDefs,
  resolvers,
  migrations,
  handlers,
  jobs,
  context: createContext,
  state: engagementState,
};
