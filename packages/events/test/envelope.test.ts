import { describe, expect, it } from 'vitest';
import { catalogue, createEvent, deadLetterTopicOf, EventValidationError, parseEvent, topicOf } from '../src/index.ts';

const registered = {
  customerId: 'c-1',
  kind: 'INDIVIDUAL' as const,
  displayName: 'Amina Diallo',
  status: 'PROSPECT' as const,
  branchId: 'BR-1',
  relationshipManagerId: null,
  birthDate: '1988-04-12',
  registeredAt: '2026-11-23T10:00:00.000Z',
};

describe('CloudEvents envelope', () => {
  it('builds a versioned CloudEvent 1.0 keyed by customer, carrying the correlation id', () => {
    const event = createEvent('CustomerRegistered', { subject: 'c-1', data: registered, correlationId: 'corr-1', time: new Date('2026-11-23T10:00:00Z') });
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'crm.customers.CustomerRegistered.v1',
      source: '/crm/customers',
      subject: 'c-1',
      datacontenttype: 'application/json',
      correlationid: 'corr-1',
      time: '2026-11-23T10:00:00.000Z',
      data: registered,
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses to produce an event whose data breaks its schema', () => {
    expect(() => createEvent('CustomerRegistered', { subject: 'c-1', data: { ...registered, kind: 'ROBOT' as 'INDIVIDUAL' } })).toThrow(EventValidationError);
  });

  it('validates on consume: a good event round-trips, broken ones are refused', () => {
    const event = createEvent('CustomerRegistered', { subject: 'c-1', data: registered });
    expect(parseEvent(JSON.stringify(event))).toEqual({ event, known: true });
    expect(() => parseEvent('{not json')).toThrow(EventValidationError);
    expect(() => parseEvent(JSON.stringify({ ...event, specversion: '0.3' }))).toThrow(/Not a CloudEvent/);
    expect(() => parseEvent(JSON.stringify({ ...event, data: { ...registered, customerId: '' } }))).toThrow(/Invalid crm.customers.CustomerRegistered.v1/);
  });

  it('passes through well-formed events of types it does not know (newer producers)', () => {
    const future = { ...createEvent('CustomerRegistered', { subject: 'c-1', data: registered }), type: 'crm.customers.CustomerMerged.v1', data: { any: 1 } };
    expect(parseEvent(JSON.stringify(future)).known).toBe(false);
  });

  it('reads the aggregate sequence when present and accepts events written before it existed', () => {
    const event = createEvent('CustomerRegistered', { subject: 'c-1', data: registered });
    expect(event.sequence).toBeUndefined();
    expect(parseEvent(JSON.stringify(event)).event.sequence).toBeUndefined();
    const sequenced = { ...event, sequence: '42', sequencetype: 'Integer' };
    expect(parseEvent(JSON.stringify(sequenced)).event).toMatchObject({ sequence: '42', sequencetype: 'Integer' });
    expect(() => parseEvent(JSON.stringify({ ...event, sequence: '0' }))).toThrow(EventValidationError);
    expect(() => parseEvent(JSON.stringify({ ...event, sequence: 'x' }))).toThrow(EventValidationError);
  });

  it('names one topic per producer and a dead-letter topic per consumer group', () => {
    expect(topicOf('credit')).toBe('crm.credit.v1');
    expect(topicOf('credit', 'e2e-1')).toBe('e2e-1.crm.credit.v1');
    expect(deadLetterTopicOf('loyalty')).toBe('crm.dlq.loyalty.v1');
    for (const def of Object.values(catalogue)) expect(def.type).toBe(`crm.${def.producer}.${def.name}.v${def.version}`);
  });
});
