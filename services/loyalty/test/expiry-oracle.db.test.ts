import { addDaysTo, type Database } from '@crm/service-kit';
import { openTestDatabase } from '@crm/service-kit/testing';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExpiredPoints } from '../src/db/ledger.store.ts';
import { migrations } from '../src/db/migrations/index.ts';
import type { DB } from '../src/db/schema.ts';
import { expiredPointsOf, type LedgerEntry } from '../src/domain/expiry.ts';

const BASE = new Date('2026-01-01T00:00:00.000Z');

// A lot (earned or credited points, with or without an expiry), then debits, refunds and reversals of lots.
const lotArb = fc.record({
  kind: fc.constantFrom('EARN' as const, 'ADJUST' as const),
  points: fc.integer({ min: 1, max: 500 }),
  day: fc.integer({ min: 0, max: 20 }),
  expiresDay: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  ruleCode: fc.option(fc.constant('RULE_A'), { nil: null }),
});
const otherArb = fc.oneof(
  fc.record({
    op: fc.constant('debit' as const),
    kind: fc.constantFrom('REDEEM' as const, 'EXPIRE' as const, 'ADJUST' as const, 'REVERSE' as const),
    points: fc.integer({ min: 1, max: 400 }),
    day: fc.integer({ min: 0, max: 30 }),
  }),
  fc.record({ op: fc.constant('refund' as const), points: fc.integer({ min: 1, max: 300 }), day: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ op: fc.constant('reverseLot' as const), lot: fc.nat(), points: fc.integer({ min: 1, max: 500 }), day: fc.integer({ min: 0, max: 30 }) }),
);
const ledgerArb = fc.record({ lots: fc.array(lotArb, { minLength: 1, maxLength: 6 }), others: fc.array(otherArb, { maxLength: 6 }) });

type GeneratedLedger = typeof ledgerArb extends fc.Arbitrary<infer T> ? T : never;

function ledgerOf(g: GeneratedLedger): LedgerEntry[] {
  const lots: LedgerEntry[] = g.lots.map((l) => {
    const id = uuidv7();
    return {
      id,
      kind: l.kind,
      points: l.points,
      ruleCode: l.ruleCode,
      sourceId: id,
      createdAt: addDaysTo(BASE, l.day),
      expiresAt: l.expiresDay === null ? null : addDaysTo(BASE, l.expiresDay),
    };
  });
  const reversedLots = new Set<string>();
  const others = g.others.flatMap((o): LedgerEntry[] => {
    const id = uuidv7();
    const at = addDaysTo(BASE, o.day);
    if (o.op === 'debit') return [{ id, kind: o.kind, points: -o.points, ruleCode: null, sourceId: id, createdAt: at, expiresAt: null }];
    if (o.op === 'refund') return [{ id, kind: 'REVERSE', points: o.points, ruleCode: null, sourceId: id, createdAt: at, expiresAt: null }];
    const lot = lots[o.lot % lots.length];
    // one reversal per lot (the ledger's unique account/kind/source)
    if (!lot || reversedLots.has(lot.id)) return [];
    reversedLots.add(lot.id);
    return [{ id, kind: 'REVERSE', points: -Math.min(o.points, lot.points), ruleCode: 'RULE_A', sourceId: lot.id, createdAt: at, expiresAt: null }];
  });
  return [...lots, ...others];
}

/** The expiry SQL (`findExpiredPoints`) against its domain rule (`expiredPointsOf`), account by account, over generated ledgers. */
describe('points expiry: the SQL agrees with the domain rule', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('expiry_oracle', migrations);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('expires, per account, exactly what the domain computes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ledgerArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 42 }), async (generated, cutoffDay) => {
        const accounts = generated.map((g) => ({ id: uuidv7(), entries: ledgerOf(g) }));
        await database.db
          .insertInto('loyalty_account')
          .values(accounts.map((a) => ({ id: a.id, customer_id: `cx-${a.id}`, tier: 'BRONZE', referral_code: a.id, opened_at: BASE })))
          .execute();
        await database.db
          .insertInto('points_entry')
          .values(
            accounts.flatMap((a) =>
              a.entries.map((e) => ({
                id: e.id,
                account_id: a.id,
                kind: e.kind,
                points: e.points,
                reason: 'generated',
                source_id: e.sourceId,
                created_at: e.createdAt,
                expires_at: e.expiresAt,
                rule_code: e.ruleCode,
              })),
            ),
          )
          .execute();
        const cutoff = addDaysTo(BASE, cutoffDay);
        const ours = new Set(accounts.map((a) => a.id));
        const bySql = Object.fromEntries(
          (await findExpiredPoints(database.db, cutoff)).filter((r) => ours.has(r.account_id)).map((r) => [r.account_id, r.points]),
        );
        const byDomain = Object.fromEntries(accounts.map((a) => [a.id, expiredPointsOf(a.entries, cutoff)]).filter(([, points]) => Number(points) > 0));
        expect(bySql).toEqual(byDomain);
      }),
      { numRuns: 40 },
    );
  });
});
