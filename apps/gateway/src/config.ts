import { authEnv, ROLES, type Role, refineAuthEnv, settings } from '@crm/service-kit';
import { z } from 'zod';
import { DEFAULT_LIMITS } from './limits.ts';
import { SUBGRAPHS } from './subgraphs.ts';

const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((s) => [s.urlSetting, z.url().default(s.defaultUrl)]));

/** Gateway settings, parsed once at start-up. */
export const gatewayEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: settings.port(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: settings.logLevel(),
    ...authEnv,
    MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(DEFAULT_LIMITS.maxDepth),
    MAX_QUERY_ALIASES: z.coerce.number().int().min(1).max(1000).default(DEFAULT_LIMITS.maxAliases),
    MAX_QUERY_COST: z.coerce.number().int().min(100).default(DEFAULT_LIMITS.maxCost),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.ratePerMinute),
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(DEFAULT_LIMITS.subgraphTimeoutMs),
    /** Per-subgraph deadlines, e.g. `credit=20000,loyalty=3000`. */
    SUBGRAPH_TIMEOUTS: z
      .string()
      .default('')
      .transform(
        (v): Partial<Record<string, number>> =>
          Object.fromEntries(
            v
              .split(',')
              .map((p) => p.trim())
              .filter(Boolean)
              .map((p) => {
                const [name, ms] = p.split('=');
                return [name?.trim() ?? '', Number(ms)];
              }),
          ),
      )
      .pipe(z.partialRecord(z.enum(SUBGRAPHS.map((s) => s.name) as [string, ...string[]]), z.number().int().min(100).max(300_000))),
    /** When false, a request without a token acts as the development identity below. */
    AUTH_REQUIRED: settings.boolean(false),
    DEV_USER_ID: z.string().min(1).default('dev-officer'),
    DEV_ROLES: z
      .string()
      .default('administrator')
      .transform((v) => v.split(',').map((r) => r.trim()))
      .pipe(z.array(z.enum(ROLES)).min(1)),
    ...subgraphUrls,
  })
  .refine((env) => env.NODE_ENV !== 'production' || env.AUTH_REQUIRED, {
    path: ['AUTH_REQUIRED'],
    message: 'must be true in production',
  })
  .superRefine(refineAuthEnv);

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export function devIdentity(env: Pick<GatewayEnv, 'DEV_USER_ID' | 'DEV_ROLES'>): { userId: string; roles: Role[] } {
  return { userId: env.DEV_USER_ID, roles: env.DEV_ROLES };
}
