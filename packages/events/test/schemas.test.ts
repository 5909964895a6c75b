import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEvent, dataSchemaOf } from '../src/envelope.ts';
import { breakingChanges, compareWithPublished, type JsonSchema } from '../src/schema-compat.ts';
import { eventDataSchemas } from '../src/schemas.ts';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;

const v1 = z.object({
  loanId: z.string().min(1),
  amount: z.string(),
  count: z.number(),
  status: z.enum(['OPEN', 'CLOSED']),
  note: z.string().nullable(),
  tags: z.array(z.string()),
});

describe('schema compatibility checker', () => {
  it('accepts the same schema, a new optional field, a new enum value, a widened type', () => {
    expect(breakingChanges(json(v1), json(v1))).toEqual([]);
    expect(breakingChanges(json(v1), json(v1.extend({ branchId: z.string().optional() })))).toEqual([]);
    expect(breakingChanges(json(v1), json(v1.extend({ status: z.enum(['OPEN', 'CLOSED', 'WRITTEN_OFF']) })))).toEqual([]);
    expect(breakingChanges(json(v1), json(v1.extend({ amount: z.string().nullable() })))).toEqual([]);
    expect(breakingChanges(json(v1), json(v1.extend({ count: z.union([z.number(), z.string()]) })))).toEqual([]);
    expect(breakingChanges(json(v1), json(v1.extend({ loanId: z.string() })))).toEqual([]);
    expect(breakingChanges(json(v1), json(v1.extend({ channel: z.string().default('BRANCH') })))).toEqual([]);
  });

  it('refuses a removed or renamed property', () => {
    expect(breakingChanges(json(v1), json(v1.omit({ amount: true })))).toEqual(['amount: property removed or renamed']);
    const renamed = breakingChanges(json(v1), json(v1.omit({ amount: true }).extend({ principal: z.string() })));
    expect(renamed).toContain('amount: property removed or renamed');
    expect(renamed).toContain('principal: new required property');
  });

  it('refuses a narrowed type', () => {
    expect(breakingChanges(json(v1), json(v1.extend({ count: z.number().int() })))).toEqual([expect.stringMatching(/^count: type narrowed/)]);
    expect(breakingChanges(json(v1), json(v1.extend({ amount: z.number() })))).toEqual([expect.stringMatching(/^amount: type narrowed/)]);
    expect(breakingChanges(json(v1), json(v1.extend({ note: z.string() })))).toEqual([expect.stringMatching(/^note: type narrowed \(null/)]);
    expect(breakingChanges(json(v1), json(v1.extend({ tags: z.array(z.number()) })))).toEqual([expect.stringMatching(/^tags\[\]: type narrowed/)]);
    expect(breakingChanges(json(v1), json(v1.extend({ amount: z.string().regex(/^\d+$/) })))).toEqual([expect.stringMatching(/^amount: pattern added/)]);
    expect(breakingChanges(json(v1), json(v1.extend({ loanId: z.string().min(3) })))).toEqual(['loanId: minLength raised to 3']);
  });

  it('refuses a newly required property and a removed enum value', () => {
    const optional = v1.extend({ branchId: z.string().optional() });
    expect(breakingChanges(json(optional), json(v1.extend({ branchId: z.string() })))).toEqual(['branchId: became required']);
    expect(breakingChanges(json(v1), json(v1.extend({ branchId: z.string() })))).toEqual(['branchId: new required property']);
    expect(breakingChanges(json(v1), json(v1.extend({ status: z.enum(['OPEN']) })))).toEqual(['status: enum value(s) removed: "CLOSED"']);
  });

  it('checks nested objects and reports a published type that disappeared', () => {
    const nested = z.object({ loan: z.object({ id: z.string(), rate: z.string() }) });
    const changed = z.object({ loan: z.object({ id: z.string() }) });
    expect(breakingChanges(json(nested), json(changed))).toEqual(['loan.rate: property removed or renamed']);
    expect(compareWithPublished({ 'crm.x.A.v1': json(nested), 'crm.x.B.v1': json(nested) }, { 'crm.x.A.v1': json(changed) })).toEqual([
      'crm.x.A.v1: loan.rate: property removed or renamed',
      expect.stringMatching(/^crm\.x\.B\.v1: published type removed/),
    ]);
  });
});

describe('generated event schemas', () => {
  const current = eventDataSchemas();
  const dir = new URL('../schemas/', import.meta.url);
  const files = (sub: string) =>
    Object.fromEntries(
      readdirSync(new URL(sub, dir))
        .filter((f) => f.endsWith('.json'))
        .map((f) => [f.slice(0, -5), readFileSync(new URL(`${sub}${f}`, dir), 'utf8')]),
    );

  it('are committed and current (run `pnpm codegen` after changing the catalogue)', () => {
    const committed = files('./');
    expect(Object.keys(committed).sort()).toEqual(Object.keys(current).sort());
    for (const [type, schema] of Object.entries(current)) expect(JSON.parse(committed[type] ?? 'null'), type).toEqual(schema);
  });

  it('stay backward compatible with every published type (a breaking change is a new .v2 type)', () => {
    const published = Object.fromEntries(Object.entries(files('./published/')).map(([t, text]) => [t, JSON.parse(text) as JsonSchema]));
    expect(compareWithPublished(published, current)).toEqual([]);
    expect(Object.keys(current).filter((t) => !published[t])).toEqual([]);
  });

  it('are named by the dataschema attribute of produced events', () => {
    const event = createEvent('LoanApproved', {
      subject: 'c1',
      data: { loanId: 'l1', customerId: 'c1', approvedBy: 'u1', approvedAt: new Date().toISOString() },
    });
    expect(event.dataschema).toBe(dataSchemaOf('crm.credit.LoanApproved.v1'));
    expect(current[event.type]?.$id).toBe(event.dataschema);
  });
});
