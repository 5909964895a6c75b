/**
 * Faults during a load of registrations through the gateway: the broker stopped, a consumer
 * killed with SIGKILL (twice), PostgreSQL restarted. Every mutation must succeed or fail with a
 * retryable error, and every succeeded registration must be applied exactly once by every
 * consumer (credit's replica; engagement's replica and welcome task; loyalty's account and
 * welcome points): 0 lost, 0 doubled, within the stated recovery time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { awaitRegistrations, broker, exactlyOnce, postgres, registerCustomer, report, runLoad, type Stack, sleep, startStack } from './harness.ts';

const LOAD = Number(process.env.FAULTS_LOAD ?? 200);
/** Spreads the load over about 10 s so that faults land in its middle. */
const PACE_MS = 50;
const RECOVERY_MS = 90_000;

/** Mutation i starts no earlier than i * PACE_MS after the load started. */
function paced(stack: Stack, branch: string, t0: number) {
  return async (i: number) => {
    const wait = t0 + i * PACE_MS - Date.now();
    if (wait > 0) await sleep(wait);
    return registerCustomer(stack, branch, i);
  };
}

describe('faults during a load of mutations', () => {
  let stack: Stack | undefined;

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('broker stopped during the load: mutations succeed, events wait in the outbox and are applied once', async () => {
    stack = await startStack();
    const s = stack;
    const t0 = Date.now();
    let brokerBackAt = 0;
    const fault = (async () => {
      await sleep(2_000);
      await broker.stop();
      await sleep(6_000);
      await broker.start();
      brokerBackAt = Date.now();
    })();
    const outcome = await runLoad(LOAD, 6, paced(s, 'BR-FB', t0));
    await fault;
    const { effects, appliedAt } = await awaitRegistrations(s, outcome.ok, RECOVERY_MS * 2);
    const recoveryMs = Math.max(0, appliedAt - brokerBackAt);
    report('broker stopped', { load: LOAD, ok: outcome.ok.length, retryable: outcome.retryable.length, other: outcome.other.length, effects, recoveryMs });
    expect(outcome.other).toEqual([]);
    expect(outcome.ok.length + outcome.retryable.length).toBe(LOAD);
    expect(effects).toEqual(exactlyOnce(outcome.ok.length));
    expect(recoveryMs).toBeLessThan(RECOVERY_MS);
  });

  it('a consumer killed with SIGKILL mid-load, twice: restarted, it applies every event once', async () => {
    stack = await startStack();
    const s = stack;
    const t0 = Date.now();
    const restarts: number[] = [];
    let lastKillAt = 0;
    const fault = (async () => {
      for (const at of [2_500, 6_500]) {
        await sleep(Math.max(0, t0 + at - Date.now()));
        lastKillAt = Date.now();
        await s.stop('engagement', 'SIGKILL');
        // resolves once the new process joined the group: Kafka first waits out the dead member's session
        restarts.push(await s.restart('engagement'));
      }
    })();
    const outcome = await runLoad(LOAD, 6, paced(s, 'BR-FK', t0));
    await fault;
    const { effects, appliedAt } = await awaitRegistrations(s, outcome.ok, RECOVERY_MS * 2);
    const recoveryMs = Math.max(0, appliedAt - lastKillAt);
    report('consumer SIGKILL x2', {
      load: LOAD,
      ok: outcome.ok.length,
      retryable: outcome.retryable.length,
      other: outcome.other.length,
      effects,
      restartMs: restarts,
      recoveryMsFromSecondKill: recoveryMs,
    });
    expect(outcome.other).toEqual([]);
    expect(outcome.ok.length + outcome.retryable.length).toBe(LOAD);
    expect(effects).toEqual(exactlyOnce(outcome.ok.length));
    expect(recoveryMs).toBeLessThan(RECOVERY_MS);
  });

  it('PostgreSQL restarted mid-load: failures are retryable, nothing is lost or doubled', async () => {
    stack = await startStack();
    const s = stack;
    const t0 = Date.now();
    let restartingAt = 0;
    let restartedAt = 0;
    const fault = (async () => {
      await sleep(3_000);
      restartingAt = Date.now();
      await postgres.restart();
      restartedAt = Date.now();
    })();
    const outcome = await runLoad(LOAD, 6, paced(s, 'BR-FP', t0));
    await fault;
    // writes recover: the first success after the last failure (more mutations if the load ended first)
    for (let i = LOAD; !outcome.timeline.some((t) => t.ok && t.at > restartedAt) && Date.now() - restartedAt < 60_000; i++) {
      const extra = await runLoad(1, 1, () => registerCustomer(s, 'BR-FP', i));
      outcome.ok.push(...extra.ok);
      outcome.retryable.push(...extra.retryable);
      outcome.other.push(...extra.other);
      outcome.timeline.push(...extra.timeline);
      await sleep(250);
    }
    const failures = outcome.timeline.filter((t) => !t.ok);
    const lastFailure = Math.max(restartingAt, ...failures.map((t) => t.at));
    const writesFailedForMs = failures.length ? lastFailure - Math.min(...failures.map((t) => t.at)) : 0;
    const writeRecoveryMs = Math.max(0, (outcome.timeline.find((t) => t.ok && t.at > lastFailure)?.at ?? Number.NaN) - restartedAt);
    const { effects, appliedAt } = await awaitRegistrations(s, outcome.ok, RECOVERY_MS * 2);
    const recoveryMs = Math.max(0, appliedAt - restartedAt);
    report('PostgreSQL restarted', {
      load: LOAD,
      ok: outcome.ok.length,
      retryable: outcome.retryable.length,
      retryableCodes: [...new Set(outcome.retryable.map((r) => r.code))],
      restartTookMs: restartedAt - restartingAt,
      writesFailedForMs,
      writeRecoveryMs,
      other: outcome.other.length,
      effects,
      recoveryMs,
    });
    expect(outcome.other).toEqual([]);
    expect(outcome.ok.length + outcome.retryable.length).toBe(outcome.timeline.length);
    expect(effects).toEqual(exactlyOnce(outcome.ok.length));
    expect(writeRecoveryMs).toBeLessThan(30_000);
    expect(recoveryMs).toBeLessThan(RECOVERY_MS);
  });
});
