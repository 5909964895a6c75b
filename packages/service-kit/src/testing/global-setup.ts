/**
 * Vitest global setup of every package (vitest.shared.ts), once per run before the suites start.
 * On PGlite it makes sure the initialised-cluster snapshot exists (so parallel suites never run
 * initdb) and gives the run a directory for migrated templates (testTemplate), removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initdbSnapshot } from '../pglite.ts';

export default async function setup(): Promise<() => void> {
  if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL) return () => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'crm-test-templates-'));
  process.env.CRM_TEST_TEMPLATE_DIR = dir;
  await initdbSnapshot();
  return () => rmSync(dir, { recursive: true, force: true });
}
