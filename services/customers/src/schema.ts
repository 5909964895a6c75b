import { readFileSync } from 'node:fs';
import { parse } from 'graphql';

/** The subgraph SDL (Federation 2), read from schema.graphql beside this file. */
export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));
