import { type Generated, type Kysely, type Migration, sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Identity } from './auth.ts';
import type { UserError } from './errors.ts';
import { type Connection, decodeCursor, type PageArgs, pageSize, toConnection } from './pagination.ts';
import { MASKED_FIELDS, maskPersonalData, maskValue } from './privacy.ts';
import { asAuditWrites } from './statements.ts';

export type AuditKind = 'MUTATION' | 'JOB' | 'READ';
export type AuditOutcome = 'SUCCEEDED' | 'REJECTED' | 'FORBIDDEN' | 'FAILED';

/** One audit record: who did what to which entity, when, and how it ended. Append-only. */
export interface AuditLogTable {
  seq: Generated<string>;
  id: string;
  occurred_at: Generated<Date>;
  service: string;
  kind: AuditKind;
  /** Mutation name, `job:<name>` or `read:<Type.field>`. */
  action: string;
  actor_id: string;
  actor_roles: string;
  actor_branch: string | null;
  entity_type: string | null;
  entity_id: string | null;
  outcome: AuditOutcome;
  /** `[{ field, before, after }]`, personal data masked. */
  changes: unknown;
  /** Error codes, job counts, the ids read. */
  detail: unknown;
  correlation_id: string | null;
}

export interface AuditTables {
  audit_log: AuditLogTable;
}

export type AuditRow = {
  [K in keyof AuditLogTable]: AuditLogTable[K] extends Generated<infer T> ? T : AuditLogTable[K];
};

// biome-ignore lint/suspicious/noExplicitAny: accepts every service's Kysely<DB>; narrowed to AuditTables inside.
type AnyDb = Kysely<any> | Transaction<any>;
const auditDb = (db: AnyDb) => db as unknown as Kysely<AuditTables>;

/**
 * The audit table of a service, append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, so no
 * code path (nor a mistaken query) can rewrite history. Frozen like every migration.
 */
export const auditTableMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('MUTATION', 'JOB', 'READ')`))
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_roles', 'text', (c) => c.notNull())
      .addColumn('actor_branch', 'text')
      .addColumn('entity_type', 'text')
      .addColumn('entity_id', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('SUCCEEDED', 'REJECTED', 'FORBIDDEN', 'FAILED')`))
      .addColumn('changes', 'jsonb')
      .addColumn('detail', 'jsonb')
      .addColumn('correlation_id', 'text')
      .execute();
    await db.schema.createIndex('audit_log_entity_idx').on('audit_log').columns(['entity_id', 'seq']).execute();
    await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_id', 'seq']).execute();
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_no_change before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_append_only()`.execute(db);
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async down(db: Kysely<any>) {
    await db.schema.dropTable('audit_log').execute();
    await sql`drop function audit_log_append_only()`.execute(db);
  },
};

export interface AuditChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  kind: AuditKind;
  action: string;
  outcome: AuditOutcome;
  entityType?: string | null;
  entityId?: string | null;
  changes?: AuditChange[] | null;
  detail?: unknown;
}

export interface AuditActor {
  service: string;
  identity: Identity | null;
  correlationId: string | null;
}

/** Someone who is not a person: the scheduler, an event consumer. */
export const systemActor = (service: string, who = 'scheduler'): AuditActor => ({
  service,
  identity: { userId: `system:${who}`, roles: ['service'] },
  correlationId: null,
});

/** A change of a personal-data field keeps its shape only (`individual.phone` -> `********21`). */
function maskChange(change: AuditChange): AuditChange {
  const name = change.field.split('.').at(-1) ?? change.field;
  if ((MASKED_FIELDS as readonly string[]).includes(name)) return { field: change.field, before: maskValue(change.before), after: maskValue(change.after) };
  return maskPersonalData(change);
}

function toRow(actor: AuditActor, entry: AuditEntry) {
  return {
    id: uuidv7(),
    service: actor.service,
    kind: entry.kind,
    action: entry.action,
    actor_id: actor.identity?.userId ?? 'anonymous',
    actor_roles: (actor.identity?.roles ?? []).join(','),
    actor_branch: actor.identity?.branchId ?? null,
    entity_type: entry.entityType ?? null,
    entity_id: entry.entityId ?? null,
    outcome: entry.outcome,
    changes: entry.changes?.length ? JSON.stringify(entry.changes.map(maskChange)) : null,
    detail: entry.detail === undefined ? null : JSON.stringify(maskPersonalData(entry.detail)),
    correlation_id: actor.correlationId,
  };
}

/** Appends audit records (in the caller's transaction when given one). */
export async function writeAudit(db: AnyDb, actor: AuditActor, entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries as AuditEntry];
  if (!list.length) return;
  await auditDb(db)
    .insertInto('audit_log')
    .values(list.map((e) => toRow(actor, e)))
    .execute();
}

/** Only the fields whose value changed, as audit changes (before/after, personal data masked when written). */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown>): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const [field, value] of Object.entries(after)) {
    const old = before?.[field];
    if (JSON.stringify(old ?? null) !== JSON.stringify(value ?? null)) changes.push({ field, before: old ?? null, after: value ?? null });
  }
  return changes;
}

export interface AuditFilter {
  entityId?: string | null;
  entityType?: string | null;
  actorId?: string | null;
  action?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Audit records newest first, keyset paged. */
export async function findAuditTrail(db: AnyDb, filter: AuditFilter, page: PageArgs): Promise<Connection<AuditRow>> {
  const size = pageSize(page.first);
  let query = auditDb(db).selectFrom('audit_log').selectAll();
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.entityType) query = query.where('entity_type', '=', filter.entityType);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  if (page.after) {
    const [seq] = decodeCursor(page.after, 1);
    query = query.where('seq', '<', String(seq));
  }
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(size + 1)
    .execute();
  return toConnection(rows as AuditRow[], size, (r) => [String(r.seq)]);
}

/**
 * The audit of one request. A command writes its record in its own transaction (`record`); the
 * access layer writes refusals, and a record for a mutation that wrote none itself; reads of
 * sensitive values are gathered and written once when the response is sent.
 */
export class RequestAudit {
  private written = 0;
  private reads = new Map<string, { entityType: string; ids: Set<string> }>();

  private readonly db: AnyDb;
  readonly actor: AuditActor;

  constructor(db: AnyDb, actor: AuditActor) {
    this.db = db;
    this.actor = actor;
  }

  /** Writes records in the given transaction (a command's) and notes that this request was audited. */
  async record(tx: AnyDb, entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
    await writeAudit(tx, this.actor, entries);
    this.written += Array.isArray(entries) ? entries.length : 1;
  }

  /** Records outside any transaction (refusals, fallbacks). */
  async recordNow(entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
    await this.record(this.db, entries);
  }

  /** How many records this request wrote so far. */
  get count(): number {
    return this.written;
  }

  /** Notes that the caller read a sensitive field of an entity. */
  read(field: string, entityType: string, entityId: string): void {
    const entry = this.reads.get(field) ?? { entityType, ids: new Set<string>() };
    entry.ids.add(entityId);
    this.reads.set(field, entry);
  }

  /** Writes the gathered reads: one record per field and entity read. */
  async flushReads(): Promise<void> {
    if (!this.reads.size) return;
    const entries: AuditEntry[] = [];
    for (const [field, { entityType, ids }] of this.reads) {
      for (const id of ids) entries.push({ kind: 'READ', action: `read:${field}`, outcome: 'SUCCEEDED', entityType, entityId: id });
    }
    this.reads.clear();
    // Counted apart from the request's own statements (one batched insert per request).
    await asAuditWrites(() => writeAudit(this.db, this.actor, entries));
  }
}

/** The outcome of a mutation payload: REJECTED when it carries user errors. */
export function outcomeOf(result: unknown): { outcome: AuditOutcome; errors: UserError[] } {
  const errors = (result as { userErrors?: UserError[] } | null)?.userErrors ?? [];
  return { outcome: errors.length ? 'REJECTED' : 'SUCCEEDED', errors };
}

/** Resolvers of the shared `AuditRecord` type (sdl/access.graphql), from audit rows. */
export const auditRecordResolvers = {
  id: (r: AuditRow) => r.id,
  occurredAt: (r: AuditRow) => r.occurred_at,
  service: (r: AuditRow) => r.service,
  kind: (r: AuditRow) => r.kind,
  action: (r: AuditRow) => r.action,
  actorId: (r: AuditRow) => r.actor_id,
  actorRoles: (r: AuditRow) => (r.actor_roles ? r.actor_roles.split(',') : []),
  actorBranch: (r: AuditRow) => r.actor_branch,
  entityType: (r: AuditRow) => r.entity_type,
  entityId: (r: AuditRow) => r.entity_id,
  outcome: (r: AuditRow) => r.outcome,
  changes: (r: AuditRow) =>
    (Array.isArray(r.changes) ? (r.changes as AuditChange[]) : []).map((c) => ({
      field: c.field,
      before: c.before === null || c.before === undefined ? null : JSON.stringify(c.before),
      after: c.after === null || c.after === undefined ? null : JSON.stringify(c.after),
    })),
  detail: (r: AuditRow) => (r.detail === null || r.detail === undefined ? null : JSON.stringify(r.detail)),
  correlationId: (r: AuditRow) => r.correlation_id,
};
