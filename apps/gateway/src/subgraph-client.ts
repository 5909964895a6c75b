import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { activeSpanIsRecording, inSpan, type Logger, SpanKind, SpanStatusCode, traceContextOf } from '@crm/service-kit';
import { Kind, parse, type SelectionSetNode } from 'graphql';
import CircuitBreaker from 'opossum';
import { Agent, request } from 'undici';

type Fetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']>;
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';

export interface SubgraphClientOptions {
  /** Deadline of one call to the subgraph. */
  timeoutMs: number;
  /** Share of failed calls (network errors, timeouts, 5xx) in the rolling window that opens the circuit. */
  errorThresholdPercentage?: number;
  /** Calls in the window before the share counts. */
  volumeThreshold?: number;
  /** How long an open circuit refuses calls before one trial call. */
  resetTimeoutMs?: number;
  logger: Logger;
}

type FetcherHeaders = FetcherResponse['headers'];

/**
 * Response headers as undici hands them over (lower-case names), behind the interface the data
 * sources read (`get`); no WHATWG `Headers` built and validated per subgraph call.
 */
class ResponseHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: Record<string, string | string[] | undefined> = {}) {
    for (const name in raw) {
      const value = raw[name];
      if (value !== undefined) this.map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const had = this.map.get(key);
    this.map.set(key, had === undefined ? value : `${had}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** A response read whole, in the shape the gateway's data sources expect of fetch. */
function bufferedResponse(url: string, status: number, headers: FetcherHeaders, text: string): FetcherResponse {
  const response: FetcherResponse = {
    bodyUsed: false,
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText: '',
    headers,
    arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer,
    text: async () => text,
    json: async () => JSON.parse(text),
    clone: () => bufferedResponse(url, status, headers, text),
  };
  return response;
}

class ServerError extends Error {
  readonly response: FetcherResponse;
  constructor(response: FetcherResponse) {
    super(`HTTP ${response.status}`);
    this.response = response;
  }
}

/** The top-level response paths an operation sent to a subgraph asks for (entity fields per representation). */
function requestedPaths(body: string): (string | number)[][] {
  try {
    const { query, variables } = JSON.parse(body) as { query: string; variables?: { representations?: unknown[] } };
    const operation = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
    const fieldsOf = (set: SelectionSetNode): string[] =>
      set.selections.flatMap((s) =>
        s.kind === Kind.FIELD ? [s.alias?.value ?? s.name.value] : s.kind === Kind.INLINE_FRAGMENT ? fieldsOf(s.selectionSet) : [],
      );
    const paths: (string | number)[][] = [];
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      const key = selection.alias?.value ?? selection.name.value;
      if (selection.name.value === '_entities' && selection.selectionSet) {
        const fields = fieldsOf(selection.selectionSet).filter((f) => f !== '__typename');
        (variables?.representations ?? []).forEach((_r, i) => {
          for (const f of fields) paths.push([key, i, f]);
        });
      } else if (key !== '__typename') paths.push([key]);
    }
    return paths;
  } catch {
    return [];
  }
}

/**
 * The answer given in place of a subgraph that is down, hung or behind an open circuit: no data,
 * and one error per field asked of it, so the client learns which paths are missing and why while
 * the other subgraphs' fields are answered.
 */
function unavailable(service: string, reason: string, url: string, body: string): FetcherResponse {
  const errors = requestedPaths(body).map((path) => ({
    message: `The ${service} service is unavailable (${reason}); the rest of the answer is complete. Retry later.`,
    path,
    extensions: { code: SUBGRAPH_UNAVAILABLE, serviceName: service, retryable: true },
  }));
  const payload = {
    data: null,
    errors: errors.length
      ? errors
      : [{ message: `The ${service} service is unavailable (${reason})`, extensions: { code: SUBGRAPH_UNAVAILABLE, serviceName: service, retryable: true } }],
  };
  return bufferedResponse(url, 200, new ResponseHeaders(JSON_HEADERS), JSON.stringify(payload));
}

/** The connection was closed before an answer came (a pooled connection the subgraph was closing). */
function connectionClosed(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

/** Whether a subgraph request is a query (safe to send again), not a mutation. */
function isQuery(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  try {
    const { query } = JSON.parse(body) as { query?: string };
    const operation = parse(query ?? '').definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    return operation?.kind === Kind.OPERATION_DEFINITION && operation.operation === 'query';
  } catch {
    return false;
  }
}

/**
 * The gateway's HTTP client for one subgraph: undici with a keep-alive pool (no per-request
 * client objects), a deadline on every call, and a circuit breaker (opossum) so a subgraph that is
 * down or hung costs a fast, named error instead of held connections. A query whose connection
 * closed before any answer is sent once more (on another connection); a mutation never is.
 */
export function subgraphFetcher(service: string, options: SubgraphClientOptions): Fetcher & { breaker: CircuitBreaker; close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
  const call = async (url: string, init: FetcherRequestInit | undefined): Promise<FetcherResponse> => {
    try {
      return await send(url, init);
    } catch (error) {
      if (!connectionClosed(error) || !isQuery(init?.body)) throw error;
      options.logger.debug({ subgraph: service, err: error }, 'connection closed before an answer; query sent again');
      return send(url, init);
    }
  };
  const send = async (url: string, init: FetcherRequestInit | undefined): Promise<FetcherResponse> => {
    // The deadline's timer is cleared as soon as the answer is read: `AbortSignal.timeout` would
    // fire anyway, long after, building a DOMException (with its stack) for every call made.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${options.timeoutMs} ms`, 'TimeoutError')), options.timeoutMs);
    try {
      const res = await request(url, {
        method: (init?.method ?? 'POST') as 'POST',
        headers: init?.headers,
        body: init?.body,
        dispatcher: agent,
        signal: deadline.signal,
      });
      const response = bufferedResponse(url, res.statusCode, new ResponseHeaders(res.headers), await res.body.text());
      if (res.statusCode >= 500) throw new ServerError(response);
      return response;
    } finally {
      clearTimeout(timer);
    }
  };
  const breaker = new CircuitBreaker(call, {
    timeout: false, // the call's own deadline aborts the request itself
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    volumeThreshold: options.volumeThreshold ?? 3,
    resetTimeout: options.resetTimeoutMs ?? 5_000,
    rollingCountTimeout: 10_000,
  });
  breaker.on('open', () => options.logger.warn({ subgraph: service }, 'circuit opened: calls fail fast until a trial call succeeds'));
  breaker.on('halfOpen', () => options.logger.info({ subgraph: service }, 'circuit half-open: one trial call'));
  breaker.on('close', () => options.logger.info({ subgraph: service }, 'circuit closed'));
  // Each call is a CLIENT span of the request's trace; its `traceparent` header makes the
  // subgraph's SERVER span (service-kit's traceRequests) a child of it. When the request's span is
  // not recorded (no exporter, or a trace not sampled) its child would not be either: the call
  // then carries the request's own trace context, and no span is made for nobody.
  const fetcher = (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> =>
    activeSpanIsRecording() === false
      ? callThroughBreaker(url, { ...init, headers: { ...init?.headers, ...traceContextOf() } })
      : inSpan(`subgraph ${service}`, { kind: SpanKind.CLIENT, attributes: { 'crm.subgraph': service, 'server.address': url } }, async (span) => {
          const response = await callThroughBreaker(url, { ...init, headers: { ...init?.headers, ...traceContextOf() } });
          span.setAttribute('http.response.status_code', response.status);
          if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
          return response;
        });
  const callThroughBreaker = async (url: string, init: FetcherRequestInit): Promise<FetcherResponse> => {
    const body = typeof init?.body === 'string' ? init.body : (init?.body?.toString() ?? '');
    try {
      return await breaker.fire(url, init);
    } catch (error) {
      if (error instanceof ServerError) return error.response;
      const code = (error as { code?: string; name?: string }).code;
      const name = (error as { name?: string }).name;
      const reason =
        code === 'EOPENBREAKER'
          ? 'circuit open'
          : name === 'TimeoutError' || name === 'AbortError'
            ? `no answer within ${options.timeoutMs} ms`
            : 'unreachable';
      if (code !== 'EOPENBREAKER') options.logger.warn({ subgraph: service, reason, err: error }, 'subgraph call failed');
      return unavailable(service, reason, url, body);
    }
  };
  return Object.assign(fetcher, {
    breaker,
    async close() {
      breaker.shutdown();
      await agent.close();
    },
  });
}
