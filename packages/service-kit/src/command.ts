import { inSpan } from '@crm/events';
import type { Kysely, Transaction } from 'kysely';
import { type AuditChange, changedFields, outcomeOf, type RequestAudit } from './audit.ts';

/** What a command may say about itself for its audit record. */
export interface CommandAudit {
  /** The entity the command acted on (when known only inside the transaction, e.g. a new id). */
  entity(id: string, type?: string): void;
  /** Before/after of the fields that changed (only the changed ones are kept). */
  changes(before: Record<string, unknown> | null, after: Record<string, unknown>): void;
  change(change: AuditChange): void;
  /** Extra facts worth keeping (amounts, counts, reasons). */
  detail(detail: Record<string, unknown>): void;
}

export interface CommandSpec {
  /** The use case, as the mutation is named: `approveLoan`. */
  action: string;
  entityType: string;
  entityId?: string | null;
}

/**
 * Runs one use case in one transaction together with its audit record: who, what, which
 * entity, before/after, and the outcome (REJECTED when the result carries user errors). A
 * thrown error rolls everything back and leaves a FAILED record instead.
 */
export async function runCommand<DB, R>(
  ctx: { db: Kysely<DB>; audit: RequestAudit },
  spec: CommandSpec,
  work: (tx: Transaction<DB>, audit: CommandAudit) => Promise<R>,
): Promise<R> {
  let entityType = spec.entityType;
  let entityId = spec.entityId ?? null;
  const changes: AuditChange[] = [];
  let detail: Record<string, unknown> | undefined;
  const audit: CommandAudit = {
    entity(id, type) {
      entityId = id;
      if (type) entityType = type;
    },
    changes(before, after) {
      changes.push(...changedFields(before, after));
    },
    change(change) {
      changes.push(change);
    },
    detail(more) {
      detail = { ...(detail ?? {}), ...more };
    },
  };
  try {
    // Traced as `command <action>`: its SQL and outbox write are the span's children.
    const traced = { attributes: { 'crm.command': spec.action, 'crm.entity.type': spec.entityType } };
    return await inSpan(`command ${spec.action}`, traced, () =>
      ctx.db.transaction().execute(async (tx) => {
        const result = await work(tx, audit);
        const { outcome, errors } = outcomeOf(result);
        await ctx.audit.record(tx, {
          kind: 'MUTATION',
          action: spec.action,
          outcome,
          entityType,
          entityId,
          changes: outcome === 'SUCCEEDED' ? changes : null,
          detail: errors.length ? { ...(detail ?? {}), errors: errors.map((e) => ({ field: e.field, code: e.code })) } : detail,
        });
        return result;
      }),
    );
  } catch (error) {
    const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
    const outcome = code === 'FORBIDDEN' ? 'FORBIDDEN' : code === 'BAD_USER_INPUT' ? 'REJECTED' : 'FAILED';
    await ctx.audit
      .recordNow({
        kind: 'MUTATION',
        action: spec.action,
        outcome,
        entityType,
        entityId,
        detail: { error: typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error' },
      })
      .catch(() => undefined);
    throw error;
  }
}
