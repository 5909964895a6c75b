import { describe, expect, it } from 'vitest';
import { validateSegmentRule } from '../src/domain/segment-rule.ts';

describe('segment rule language', () => {
  it('accepts nested all / any / not over typed comparisons', () => {
    const rule = {
      all: [
        { attribute: 'kind', op: 'eq', value: 'INDIVIDUAL' },
        {
          any: [
            { attribute: 'incomeBand', op: 'in', value: ['HIGH', 'UPPER_MIDDLE'] },
            { attribute: 'tags', op: 'contains', value: 'vip' },
          ],
        },
        { not: { attribute: 'delinquencyBucket', op: 'in', value: ['DPD_61_90', 'DPD_90_PLUS'] } },
        { attribute: 'age', op: 'gte', value: 25 },
      ],
    };
    expect(validateSegmentRule(rule)).toEqual({ ok: true, value: rule });
  });

  it('names the path and the code of each defect', () => {
    const r = validateSegmentRule({
      all: [
        { attribute: 'shoeSize', op: 'eq', value: 42 },
        { attribute: 'age', op: 'gte', value: 'thirty' },
        { attribute: 'grade', op: 'eq', value: 'GOLD' },
        { attribute: 'region', op: 'gt', value: 'Centre' },
        { any: [] },
      ],
    });
    expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([
      ['rule.all.0.attribute', 'UNKNOWN_ATTRIBUTE'],
      ['rule.all.1.value', 'INVALID_VALUE_TYPE'],
      ['rule.all.2.value', 'INVALID_VALUE'],
      ['rule.all.3.op', 'UNSUPPORTED_OPERATOR'],
      ['rule.all.4.any', 'EMPTY_GROUP'],
    ]);
  });

  it('refuses a list where a single value is expected and a non-object rule', () => {
    const list = validateSegmentRule({ attribute: 'kind', op: 'eq', value: ['INDIVIDUAL'] });
    expect(list.ok ? [] : list.errors.map((e) => e.code)).toEqual(['INVALID_VALUE_TYPE']);
    expect(validateSegmentRule('kind = INDIVIDUAL').ok).toBe(false);
    expect(validateSegmentRule({ all: [{ attribute: 'kind', op: 'eq', value: 'INDIVIDUAL' }], any: [] }).ok).toBe(false);
  });
});
