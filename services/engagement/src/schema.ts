import { loadTypeDefs } from '@crm/service-kit';

/** The subgraph SDL (Federation 2), from schema.graphql beside this file. */
export const typeDefs = loadTypeDefs(new URL('./schema.graphql', import.meta.url));
