import { z } from 'zod';

/** Raised when the environment does not satisfy a configuration schema. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses the environment once, with every problem reported together.
 * The rest of the code receives the typed result and never reads process.env.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const setting = issue.path.join('.') || '(environment)';
      const value = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
      return `${setting}: ${issue.message}${value === undefined ? '' : ` (got "${value}")`}`;
    }),
  );
}

/** Runs `load`, and on a ConfigError prints it and stops the process. */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

const DEV_JWT_SECRET = 'embedded-development-secret-change-me-0123456789';

/** Zod helpers shared by every service's configuration schema. */
export const settings = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  logLevel: () => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  databaseUrl: () =>
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
  kafkaBrokers: () =>
    z
      .string()
      .optional()
      .transform((value) =>
        value
          ? value
              .split(',')
              .map((b) => b.trim())
              .filter(Boolean)
          : undefined,
      )
      .refine((list) => list === undefined || list.every((b) => /^[^:\s]+:\d+$/.test(b)), 'must be host:port[,host:port]'),
  jwtSecret: () => z.string().min(32, 'must be at least 32 characters').default(DEV_JWT_SECRET),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
};

/** Token settings, the same for the gateway and every service (README, Security). */
export const authEnv = {
  JWT_SECRET: settings.jwtSecret(),
  /** An identity provider's JWKS (RS256/ES256 tokens); HS256 tokens with JWT_SECRET stay accepted. */
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().min(1).default('lender-crm'),
  JWT_AUDIENCE: z.string().min(1).default('lender-crm-api'),
  JWT_ROLES_CLAIM: z.string().min(1).default('roles'),
  JWT_BRANCH_CLAIM: z.string().min(1).default('branch'),
  /** Key of the gateway's credential on subgraph calls (default: JWT_SECRET; set its own in production). */
  GATEWAY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Bearer token for /metrics; unset: no metrics page. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
};

/** Production refuses the development secrets. */
export function refineAuthEnv(env: { NODE_ENV: string; JWT_SECRET: string; GATEWAY_SECRET?: string | undefined }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production') return;
  if (env.JWT_SECRET === DEV_JWT_SECRET) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be set to a private value in production' });
  if (!env.GATEWAY_SECRET || env.GATEWAY_SECRET === env.JWT_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['GATEWAY_SECRET'], message: 'must be set, and differ from JWT_SECRET, in production' });
  }
}

/** Settings every service process reads, whatever its domain. */
export const serviceEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: settings.port(0),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: settings.logLevel(),
    DATABASE_URL: settings.databaseUrl(),
    DATA_DIR: z.string().default('.data'),
    KAFKA_BROKERS: settings.kafkaBrokers(),
    EVENTS_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9-]*$/, 'lower-case letters, digits and dashes only')
      .default(''),
    ...authEnv,
    /** The relay's safety poll: it wakes on each commit of outbox rows (LISTEN/NOTIFY), this catches a missed one. */
    RELAY_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(5_000),
  })
  .superRefine(refineAuthEnv);

export type ServiceEnv = z.infer<typeof serviceEnvSchema>;
