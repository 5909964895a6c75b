import { addHours, type Database } from '@crm/service-kit';
import { openTestDatabase } from '@crm/service-kit/testing';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateSlaBreaches } from '../src/db/complaint.store.ts';
import { migrations } from '../src/db/migrations/index.ts';
import type { DB } from '../src/db/schema.ts';
import { slaBreachesToEscalate } from '../src/domain/complaints.ts';
import type { ComplaintKind, ComplaintStatus } from '../src/domain/types.ts';

const KINDS: ComplaintKind[] = ['COMPLAINT', 'SUGGESTION', 'PRAISE'];
const STATUSES: ComplaintStatus[] = ['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REOPENED'];
const CUTOFF = new Date('2026-11-20T00:00:00.000Z');
const AT = new Date('2026-11-20T06:00:00.000Z');

// deadlines within two days of the cut-off, on the hour (so some fall exactly on it)
const complaintArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  status: fc.constantFrom(...STATUSES),
  acknowledgeDueHours: fc.integer({ min: -48, max: 48 }),
  resolveDueHours: fc.integer({ min: -48, max: 48 }),
  acknowledgeEscalated: fc.boolean(),
  resolveEscalated: fc.boolean(),
});

/** The SLA escalation SQL against its domain rule (`slaBreachesToEscalate`), row by row, over generated complaints. */
describe('complaint SLA escalation: the SQL agrees with the domain rule', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('complaint_sla', migrations);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('escalates exactly the breaches the domain finds, each once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(complaintArb, { minLength: 1, maxLength: 12 }), async (generated) => {
        const complaints = generated.map((g) => ({
          id: uuidv7(),
          kind: g.kind,
          status: g.status,
          acknowledgeDueAt: addHours(CUTOFF, g.acknowledgeDueHours),
          resolveDueAt: addHours(CUTOFF, g.resolveDueHours),
          acknowledgeEscalatedAt: g.acknowledgeEscalated ? addHours(CUTOFF, -72) : null,
          resolveEscalatedAt: g.resolveEscalated ? addHours(CUTOFF, -72) : null,
        }));
        const escalated = await database.db.transaction().execute(async (tx) => {
          await tx.deleteFrom('complaint').execute();
          await tx
            .insertInto('complaint')
            .values(
              complaints.map((c) => ({
                id: c.id,
                customer_id: 'cx-oracle',
                kind: c.kind,
                category: 'FEES' as const,
                severity: 'HIGH' as const,
                channel: 'PHONE' as const,
                description: 'generated',
                status: c.status,
                received_at: addHours(CUTOFF, -96),
                received_by: 'officer-1',
                assignee_id: null,
                acknowledge_due_at: c.acknowledgeDueAt,
                resolve_due_at: c.resolveDueAt,
                acknowledged_at: null,
                resolved_at: null,
                closed_at: null,
                resolution: null,
                compensation: null,
                currency: null,
                acknowledge_escalated_at: c.acknowledgeEscalatedAt,
                resolve_escalated_at: c.resolveEscalatedAt,
                idempotency_key: null,
                updated_at: addHours(CUTOFF, -96),
              })),
            )
            .execute();
          const first = await escalateSlaBreaches(tx, CUTOFF, AT);
          const second = await escalateSlaBreaches(tx, CUTOFF, AT);
          return { first, second };
        });
        const bySql = [...escalated.first.acknowledge.map((c) => `${c.id}:ACKNOWLEDGE`), ...escalated.first.resolve.map((c) => `${c.id}:RESOLVE`)].sort();
        const byDomain = complaints.flatMap((c) => slaBreachesToEscalate(c, CUTOFF).map((b) => `${c.id}:${b}`)).sort();
        expect(bySql).toEqual(byDomain);
        expect(escalated.second.acknowledge.length + escalated.second.resolve.length).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
