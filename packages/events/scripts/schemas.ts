/**
 * Writes the JSON Schema of every event type to schemas/<type>.json and checks it against the
 * published baseline in schemas/published/ (what consumers may already rely on).
 *
 *   tsx scripts/schemas.ts          write schemas/, extend the baseline with new types and
 *                                   compatible changes; exit 1 on a breaking change
 *   tsx scripts/schemas.ts --check  write nothing; exit 1 when schemas/ is stale or a change breaks
 *
 * A breaking change to a published type is refused: make it a new `.v2` type beside `.v1`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { breakingChanges, compareWithPublished, type JsonSchema } from '../src/schema-compat.ts';
import { eventDataSchemas, schemaFileText } from '../src/schemas.ts';

const check = process.argv.includes('--check');
const dir = fileURLToPath(new URL('../schemas/', import.meta.url));
const publishedDir = join(dir, 'published');

function readDir(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return Object.fromEntries(
    readdirSync(path)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.slice(0, -'.json'.length), readFileSync(join(path, f), 'utf8')]),
  );
}

/** Same content whatever the formatting (the files are formatted by Biome after writing). */
function sameJson(text: string | undefined, schema: JsonSchema): boolean {
  if (text === undefined) return false;
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(schema);
  } catch {
    return false;
  }
}

const current = eventDataSchemas();
const generated = readDir(dir);
const published = Object.fromEntries(Object.entries(readDir(publishedDir)).map(([t, text]) => [t, JSON.parse(text) as JsonSchema]));
const problems = compareWithPublished(published, current);

if (check) {
  const stale = [
    ...Object.entries(current)
      .filter(([type, schema]) => !sameJson(generated[type], schema))
      .map(([type]) => `${type}: schemas/${type}.json missing or out of date`),
    ...Object.keys(generated)
      .filter((type) => !current[type])
      .map((type) => `${type}: schemas/${type}.json has no catalogue entry`),
    ...Object.keys(current)
      .filter((type) => !published[type])
      .map((type) => `${type}: not in schemas/published/ (run pnpm codegen)`),
  ];
  for (const line of [...stale, ...problems]) console.error(line);
  if (stale.length || problems.length) {
    console.error(`\n${stale.length + problems.length} problem(s); run \`pnpm codegen\`, and make a breaking change a new .v2 type`);
    process.exit(1);
  }
  console.log(`event schemas: ${Object.keys(current).length} types current and backward compatible`);
} else {
  mkdirSync(publishedDir, { recursive: true });
  for (const type of Object.keys(generated)) if (!current[type]) rmSync(join(dir, `${type}.json`));
  let added = 0;
  let updated = 0;
  const written: string[] = [];
  for (const [type, schema] of Object.entries(current)) {
    if (!sameJson(generated[type], schema)) {
      writeFileSync(join(dir, `${type}.json`), schemaFileText(schema));
      written.push(join(dir, `${type}.json`));
    }
    const before = published[type];
    if (!before) added++;
    else if (breakingChanges(before, schema).length) continue;
    else if (JSON.stringify(before) === JSON.stringify(schema)) continue;
    else updated++;
    writeFileSync(join(publishedDir, `${type}.json`), schemaFileText(schema));
    written.push(join(publishedDir, `${type}.json`));
  }
  // Formatted as the repository's formatter wants them, so `pnpm lint` passes on generated files.
  if (written.length) {
    try {
      execFileSync(fileURLToPath(new URL('../../../node_modules/.bin/biome', import.meta.url)), ['format', '--write', ...written], { stdio: 'ignore' });
    } catch {
      console.warn('biome not found: run `pnpm exec biome format --write packages/events/schemas`');
    }
  }
  console.log(`schemas/: ${Object.keys(current).length} event types; baseline: ${added} added, ${updated} compatible changes`);
  if (problems.length) {
    for (const line of problems) console.error(line);
    console.error('\nBreaking change(s) to published event types: keep the .v1 schema and add a .v2 type beside it.');
    process.exit(1);
  }
}
