/**
 * Records the statements of one registration (scripts/bench/mutations.ts) in a process of its own
 * and writes them to stdout as JSON, for `pnpm bench`'s bare client.
 *
 *   sh ../../scripts/run-ts.sh scripts/bench/record-registration-process.ts
 *   env: DATABASE_URL (the customers database, migrated), JWT_SECRET, GATEWAY_SECRET
 */
import { authSettings } from '@crm/service-kit';
import { recordRegistration } from './mutations.ts';

const statements = await recordRegistration(
  process.env.DATABASE_URL ?? '',
  authSettings(process.env.JWT_SECRET ?? '', { gatewaySecret: process.env.GATEWAY_SECRET ?? '' }),
);
process.stdout.write(`${JSON.stringify(statements)}\n`);
process.exit(0);
