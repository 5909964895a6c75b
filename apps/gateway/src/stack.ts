import type { EventConsumer, Producer, Relay, Transport } from '@crm/events';
import {
  type AuthSettings,
  createLogger,
  type DatabaseTarget,
  type Identity,
  type Logger,
  type RequestContext,
  type ServiceDefinition,
  startService,
} from '@crm/service-kit';
import { startGateway } from './gateway.ts';
import type { GatewayLimits } from './limits.ts';
import { creditService, customersService, engagementService, loyaltyService } from './services.ts';

export interface StackOptions {
  /** Database of each service. */
  database: (service: Producer) => DatabaseTarget;
  /** Transport of each service: one shared in-process bus, or a Kafka client each. */
  transport: (service: Producer) => Transport;
  auth: AuthSettings;
  metricsToken?: string | undefined;
  devIdentity: Identity | null;
  /** The gateway's request limits (defaults in limits.ts). */
  limits?: Partial<GatewayLimits>;
  production?: boolean;
  gatewayPort: number;
  host?: string;
  sandbox: boolean;
  logLevel: string;
  namespace?: string;
  relayIntervalMs?: number;
  logger?: (name: string) => Logger;
}

/** What the stack exposes of a running service (its database stays private to it). */
export interface StackService {
  name: Producer;
  url: string;
  consumer: EventConsumer;
  relay: Relay;
  stop(): Promise<void>;
}

export interface Stack {
  gatewayUrl: string;
  services: Record<Producer, StackService>;
  stop(): Promise<void>;
}

/** The whole product in one process: the four services on ephemeral ports, then the gateway. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const makeLogger = options.logger ?? ((name: string) => createLogger(name, options.logLevel));
  const running: StackService[] = [];
  const transports = new Set<Transport>();
  const start = async <DB, C extends RequestContext>(definition: ServiceDefinition<DB, C>): Promise<StackService> => {
    const transport = options.transport(definition.name);
    if (!transports.has(transport)) {
      await transport.connect();
      transports.add(transport);
    }
    return startService(definition, {
      database: options.database(definition.name),
      transport,
      port: 0,
      ...(options.host ? { host: options.host } : {}),
      auth: options.auth,
      metricsToken: options.metricsToken,
      logger: makeLogger(definition.name),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.relayIntervalMs ? { relayIntervalMs: options.relayIntervalMs } : {}),
    });
  };
  try {
    running.push(await start(customersService));
    running.push(await start(creditService));
    running.push(await start(engagementService));
    running.push(await start(loyaltyService));
    const gateway = await startGateway({
      subgraphUrls: Object.fromEntries(running.map((s) => [s.name, s.url])),
      port: options.gatewayPort,
      ...(options.host ? { host: options.host } : {}),
      auth: options.auth,
      metricsToken: options.metricsToken,
      devIdentity: options.devIdentity,
      sandbox: options.sandbox,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.production ? { production: true } : {}),
      logger: makeLogger('gateway'),
    });
    return {
      gatewayUrl: gateway.graphqlUrl,
      services: Object.fromEntries(running.map((s) => [s.name, s])) as Record<Producer, StackService>,
      async stop() {
        await gateway.stop();
        for (const s of running.reverse()) await s.stop();
        for (const t of transports) await t.close();
      },
    };
  } catch (error) {
    for (const s of running.reverse()) await s.stop().catch(() => undefined);
    for (const t of transports) await t.close().catch(() => undefined);
    throw error;
  }
}
