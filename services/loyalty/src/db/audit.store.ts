import { decodeCursor, type PageWindow } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DB } from './schema.ts';

/** Records who changed a piece of the programme, with the row before and after. */
export async function recordProgrammeChange(
  db: Kysely<DB>,
  change: { entity: ProgrammeEntity; key: string; actorId: string; before: unknown; after: unknown; at: Date },
): Promise<void> {
  await db
    .insertInto('programme_change')
    .values({
      id: uuidv7(),
      entity: change.entity,
      entity_key: change.key,
      actor_id: change.actorId,
      changed_at: change.at,
      before: change.before === undefined || change.before === null ? null : JSON.stringify(change.before),
      after: JSON.stringify(change.after),
    })
    .execute();
}

export type ProgrammeEntity = 'EARNING_RULE' | 'TIER' | 'REWARD' | 'SETTINGS';

/** Programme changes, newest first (keyset on id), optionally of one kind of entity. */
export async function findProgrammeChanges(db: Kysely<DB>, entity: ProgrammeEntity | null, window: PageWindow) {
  const after = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  const rows = await db
    .selectFrom('programme_change')
    .selectAll()
    .$if(entity !== null, (q) => q.where('entity', '=', entity ?? ''))
    .$if(after !== null, (q) => q.where('id', '<', after ?? ''))
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    entity: toEntity(r.entity),
    key: r.entity_key,
    actorId: r.actor_id,
    changedAt: r.changed_at,
    before: r.before === null ? null : JSON.stringify(r.before),
    after: JSON.stringify(r.after),
  }));
}

function toEntity(value: string): ProgrammeEntity {
  if (value === 'EARNING_RULE' || value === 'TIER' || value === 'REWARD' || value === 'SETTINGS') return value;
  throw new Error(`Unknown programme entity ${value}`);
}
