import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { compileSegmentRule } from '../src/db/segment-rule.sql.ts';
import { PROFILING_ATTRIBUTES, type SegmentRule, validateSegmentRule } from '../src/domain/segment-rule.ts';

/** Kysely without a database: compiles queries to SQL text and parameters. */
const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

function compile(input: unknown) {
  const v = validateSegmentRule(input);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  const rule: SegmentRule = v.value;
  return db
    .selectFrom('customer')
    .select('customer.id')
    .where((eb) => compileSegmentRule(eb, rule, '2026-11-23'))
    .compile();
}

describe('segment rule compiler', () => {
  it('binds every value as a parameter, never in the SQL text', () => {
    const evil = "x'); drop table customer; --";
    const q = compile({
      any: [
        { attribute: 'region', op: 'eq', value: evil },
        { attribute: 'tags', op: 'contains', value: evil },
      ],
    });
    expect(q.sql).not.toContain('drop table');
    expect(q.parameters).toContain(evil.toLowerCase());
    expect(q.parameters).toContain(evil);
    expect(q.sql).toMatch(/lower\("customer"\."region"\) = \$1 or \$2 = any\("customer"\."tags"\)/);
  });

  it('compiles an age into a birth-date bound as of the date, and not into SQL NOT', () => {
    const q = compile({ all: [{ attribute: 'age', op: 'gte', value: 65 }, { not: { attribute: 'kind', op: 'eq', value: 'ENTERPRISE' } }] });
    // Turning 65 on or before 2026-11-23 means born on or before 1961-11-23.
    expect(q.parameters).toEqual(['1961-11-23', 'ENTERPRISE']);
    expect(q.sql).toContain('"ip"."birth_date" <= $1');
    expect(q.sql).toContain('not "customer"."kind" = $2');
  });
  it('reads the stated preferences (PROFILING_ATTRIBUTES) only under the PROFILING consent, and no other attribute through it', () => {
    const samples = {
      preferredChannel: { op: 'eq', value: 'SMS' },
      preferredLanguage: { op: 'eq', value: 'fr' },
      interests: { op: 'contains', value: 'SAVINGS' },
      educationLevel: { op: 'in', value: ['PRIMARY'] },
    } satisfies Record<(typeof PROFILING_ATTRIBUTES)[number], unknown>;
    for (const attribute of PROFILING_ATTRIBUTES) {
      const q = compile({ attribute, ...samples[attribute] });
      expect(q.sql, attribute).toMatch(/case when coalesce\(\(select "cr"\."granted" from "consent_record" as "cr"/);
      expect(q.parameters, attribute).toContain('PROFILING');
    }
    for (const rule of [
      { attribute: 'region', op: 'eq', value: 'Dakar' },
      { attribute: 'tags', op: 'contains', value: 'VIP_EVENT' },
      { attribute: 'grade', op: 'neq', value: 'VIP' },
      { attribute: 'specialCare', op: 'contains', value: 'ELDERLY' },
    ])
      expect(compile(rule).sql, rule.attribute).not.toContain('consent_record');
  });
});
