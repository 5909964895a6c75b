/**
 * Composes the four subgraph SDLs into the supergraph (checked in as supergraph.graphql) and
 * the client-facing API schema (schema.graphql, input of packages/graphql-types).
 *   tsx scripts/compose.ts          write both files; exit 1 on a composition error
 *   tsx scripts/compose.ts --check  exit 1 when composition fails or the files are stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { subgraphSdl } from '@crm/service-kit';
import { parse, printSchema } from 'graphql';
import { SUBGRAPHS } from '../src/subgraphs.ts';

const root = new URL('../../../', import.meta.url);
const result = composeServices(
  SUBGRAPHS.map((s) => ({
    name: s.name,
    url: s.defaultUrl,
    typeDefs: parse(subgraphSdl(new URL(`services/${s.name}/src/schema.graphql`, root))),
  })),
);

if (result.errors) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}
for (const hint of result.hints ?? []) if (process.env.COMPOSE_HINTS) console.warn(`hint: ${hint.toString()}`);

const outputs = {
  'supergraph.graphql': `${result.supergraphSdl.trim()}\n`,
  'schema.graphql': `# The API schema clients see (composed from the subgraphs): do not edit.\n${printSchema(result.schema.toAPISchema().toGraphQLJSSchema())}\n`,
};

const check = process.argv.includes('--check');
let stale = false;
for (const [file, content] of Object.entries(outputs)) {
  const url = new URL(`../${file}`, import.meta.url);
  if (check) {
    let current = '';
    try {
      current = readFileSync(url, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== content) {
      console.error(`${file} is stale: run "pnpm codegen" and commit it`);
      stale = true;
    }
  } else {
    writeFileSync(url, content);
  }
}
if (stale) process.exit(1);
console.log(check ? 'supergraph is up to date' : 'supergraph composed');
