/**
 * Customer 360 reads while a subgraph is stopped (SIGTERM) and while one hangs (SIGSTOP): every
 * read still answers with what the other subgraphs own, the missing paths carry
 * SUBGRAPH_UNAVAILABLE (retryable) naming the subgraph, a hung subgraph costs at most one
 * deadline, and full answers return within the stated time after the subgraph is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitRegistrations, exactlyOnce, registerCustomer, report, runLoad, type Stack, sleep, startStack } from './harness.ts';

const TIMEOUT_MS = 2_000;
const RECOVERY_MS = 20_000;
const CUSTOMER_360 = `query($id: ID!) { customer(id: $id) { id displayName loanConnection(first: 5) { edges { node { id } } } tasks(first: 5) { edges { node { type } } } loyalty { pointsBalance tier } } }`;

interface Read {
  ms: number;
  complete: boolean;
  displayName: string | null;
  errors: { code: string; service: string; retryable: boolean }[];
}

describe('Customer 360 with a subgraph stopped or hung', () => {
  let stack: Stack;
  let ids: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ gatewayEnv: { SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS) } });
    const outcome = await runLoad(20, 4, (i) => registerCustomer(stack, 'BR-FS', i));
    ids = outcome.ok;
    const { effects } = await awaitRegistrations(stack, ids, 60_000, 0);
    expect(effects).toEqual(exactlyOnce(20));
  });

  afterAll(async () => {
    await stack?.close();
  });

  const read = async (i: number): Promise<Read> => {
    const t0 = Date.now();
    const res = await stack.graphql<{ customer: { displayName: string; loyalty: unknown; loanConnection: unknown; tasks: unknown } | null }>(CUSTOMER_360, {
      id: ids[i % ids.length],
    });
    const c = res.data?.customer;
    return {
      ms: Date.now() - t0,
      complete: !res.errors?.length && Boolean(c?.loyalty && c.loanConnection && c.tasks),
      displayName: c?.displayName ?? null,
      errors: (res.errors ?? []).map((e) => ({
        code: String(e.extensions?.code),
        service: String(e.extensions?.serviceName),
        retryable: e.extensions?.retryable === true,
      })),
    };
  };

  /** Reads with 4 clients for `ms`. */
  const readFor = async (ms: number): Promise<Read[]> => {
    const reads: Read[] = [];
    const end = Date.now() + ms;
    let i = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < end) reads.push(await read(i++));
      }),
    );
    return reads;
  };

  /** Milliseconds until a read answers completely again. */
  const recovery = async (): Promise<number> => {
    const t0 = Date.now();
    for (;;) {
      if ((await read(0)).complete) return Date.now() - t0;
      if (Date.now() - t0 > RECOVERY_MS * 2) return Date.now() - t0;
      await sleep(100);
    }
  };

  const onlyMissing = (reads: Read[], service: string) => ({
    reads: reads.length,
    withCustomer: reads.filter((r) => r.displayName).length,
    otherErrors: reads.flatMap((r) => r.errors).filter((e) => !(e.code === 'SUBGRAPH_UNAVAILABLE' && e.service === service && e.retryable)).length,
    partial: reads.filter((r) => r.errors.length).length,
  });

  it('answers fully before any fault', async () => {
    const reads = await readFor(2_000);
    expect(reads.every((r) => r.complete)).toBe(true);
  });

  it('loyalty stopped: the rest of the 360 answers, loyalty paths are SUBGRAPH_UNAVAILABLE; full again after its restart', async () => {
    await stack.stop('loyalty');
    const reads = await readFor(6_000);
    await stack.restart('loyalty');
    const recoveryMs = await recovery();
    const summary = onlyMissing(reads, 'loyalty');
    const maxMs = Math.max(...reads.map((r) => r.ms));
    report('loyalty stopped', { ...summary, maxReadMs: maxMs, recoveryMs });
    expect(summary).toEqual({ reads: reads.length, withCustomer: reads.length, otherErrors: 0, partial: reads.length });
    expect(maxMs).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(recoveryMs).toBeLessThan(RECOVERY_MS);
  });

  it('credit hung (SIGSTOP): one deadline at most per read, then answers without it; full again after SIGCONT', async () => {
    stack.signal('credit', 'SIGSTOP');
    let reads: Read[];
    try {
      reads = await readFor(8_000);
    } finally {
      stack.signal('credit', 'SIGCONT');
    }
    const recoveryMs = await recovery();
    const summary = onlyMissing(reads, 'credit');
    const maxMs = Math.max(...reads.map((r) => r.ms));
    const fastFailures = reads.filter((r) => r.errors.length && r.ms < 500).length;
    report('credit hung', { ...summary, maxReadMs: maxMs, fastFailuresWhileCircuitOpen: fastFailures, recoveryMs });
    expect(summary).toEqual({ reads: reads.length, withCustomer: reads.length, otherErrors: 0, partial: reads.length });
    expect(maxMs).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(recoveryMs).toBeLessThan(RECOVERY_MS);
  });
});
