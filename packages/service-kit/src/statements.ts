import { AsyncLocalStorage } from 'node:async_hooks';
import { failSpan, SpanKind, tracer } from '@crm/events';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { LogEvent } from 'kysely';

/** SQL statements executed in one scope (a request, or a `countStatements` call). */
export interface StatementTally {
  /** Statements of the request itself (reads and command writes). */
  statements: number;
  /** Writes of the audit trail (the batched audit of sensitive reads): counted apart. */
  audit: number;
}

const store = new AsyncLocalStorage<{ tally: StatementTally; audit: boolean }>();

/**
 * Kysely's `log` hook (set on every database opened by `openDatabase`): counts each executed
 * statement, failed ones included, in the scope that issued it (outside a scope it counts
 * nothing), and records it as a `db` span of the current trace.
 */
export function countStatement(event: LogEvent): void {
  recordStatementSpan(event);
  const scope = store.getStore();
  if (!scope) return;
  if (scope.audit) scope.tally.audit++;
  else scope.tally.statements++;
}

/** Runs `fn` (e.g. the rest of an HTTP request) with a fresh tally of its statements. */
export function withStatementTally<T>(tally: StatementTally, fn: () => T): T {
  return store.run({ tally, audit: false }, fn);
}

/**
 * Runs `fn` outside any statement scope and trace: for background work woken from inside a
 * request (PGlite delivers a commit's notification in the context of whoever ran the query), so
 * the relay's statements never count as, or hang under, that request's.
 */
export function outsideRequestScope<T>(fn: () => T): T {
  return store.exit(() => context.with(ROOT_CONTEXT, fn));
}

/** The tally of the current scope, if any. */
export function currentStatementTally(): StatementTally | undefined {
  return store.getStore()?.tally;
}

/** Runs `fn` with its statements counted as audit writes (kept out of `statements`). */
export function asAuditWrites<T>(fn: () => T): T {
  const scope = store.getStore();
  return scope ? store.run({ tally: scope.tally, audit: true }, fn) : fn();
}

/** Runs `fn` in process and says how many statements it executed (tests). */
export async function countStatements<T>(fn: () => Promise<T>): Promise<StatementTally & { result: T }> {
  const tally: StatementTally = { statements: 0, audit: 0 };
  const result = await withStatementTally(tally, fn);
  return { ...tally, result };
}

/** Longest statement text kept on a span (a thousand-row INSERT is cut). */
const MAX_STATEMENT_TEXT = 2_000;

/**
 * One CLIENT span per SQL statement, child of the active span (the command, handler or job that
 * ran it), timed by Kysely's measure. The text is the parameterised SQL: values never reach it.
 */
function recordStatementSpan(event: LogEvent): void {
  const parent = trace.getActiveSpan();
  if (!parent?.isRecording()) return;
  const text = event.query.sql;
  const verb = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
  const end = Date.now();
  const span = tracer().startSpan(`db ${verb}`, {
    kind: SpanKind.CLIENT,
    startTime: end - event.queryDurationMillis,
    attributes: {
      'db.system.name': 'postgresql',
      'db.operation.name': verb,
      'db.query.text': text.length > MAX_STATEMENT_TEXT ? `${text.slice(0, MAX_STATEMENT_TEXT)}...` : text,
    },
  });
  if (event.level === 'error') failSpan(span, event.error);
  span.end(end);
}
