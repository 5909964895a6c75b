import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { catalogue, deadLetterTopicOf, type EventDefinition, PRODUCERS, stateTopicsOf, topicOf, topicOfDefinition } from '../src/catalogue/index.ts';
import { MASKED_FIELDS } from '../src/masking.ts';
import { PERSONAL_DATA_CLASSES, PERSONAL_DATA_FIELDS } from '../src/personal-data.ts';
import { STATE_TOPIC_CONFIGS } from '../src/transport.ts';

/**
 * The AsyncAPI document against the catalogue: every topic and every type documented with its
 * key, retention and compaction; personal data marked in the document exactly where
 * PERSONAL_DATA_FIELDS says, and every catalogue field named like personal data is in that list.
 */

type Schema = { properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; 'x-personal-data'?: string };
interface Doc {
  channels: Record<
    string,
    { address: string; 'x-key': string; messages: Record<string, { $ref: string }>; bindings: { kafka: { topicConfiguration: Record<string, unknown> } } }
  >;
  components: { messages: Record<string, { name: string; payload: { properties: { data: Schema } } }> };
}
const doc = JSON.parse(readFileSync(new URL('../asyncapi.json', import.meta.url), 'utf8')) as Doc;
const definitions = Object.values(catalogue) as EventDefinition[];

/** Every `path -> value` of a property matching `pick` in a JSON schema (`a.b`, `a[].b`). */
function paths(schema: Schema, pick: (name: string, s: Schema) => string | undefined, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (s: Schema, p: string) => {
    for (const variant of s.anyOf ?? []) visit(variant, p);
    if (s.items) visit(s.items, `${p}[]`);
    for (const [name, child] of Object.entries(s.properties ?? {})) {
      const path = p ? `${p}.${name}` : name;
      const value = pick(name, child);
      if (value) found.set(path, value);
      visit(child, path);
    }
  };
  visit(schema, prefix);
  return found;
}

describe('asyncapi.json documents every topic and event type', () => {
  it('is up to date with the catalogue (pnpm codegen)', () => {
    const documented = Object.values(doc.components.messages).map((m) => m.name);
    expect(documented.sort()).toEqual(definitions.map((d) => d.type).sort());
  });

  it('has a channel per topic (events, state, dead letters) listing exactly its types, with key, retention and compaction', () => {
    const topics = [...PRODUCERS.map((p) => topicOf(p)), ...PRODUCERS.flatMap((p) => stateTopicsOf(p)), ...PRODUCERS.map((p) => deadLetterTopicOf(p))];
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual(topics.sort());
    for (const channel of Object.values(doc.channels)) {
      const types = Object.keys(channel.messages).map((name) => doc.components.messages[name]?.name);
      const expected = definitions.filter((d) => topicOfDefinition(d) === channel.address).map((d) => d.type);
      expect(types.sort(), channel.address).toEqual(expected.sort());
      expect(channel['x-key'], channel.address).toMatch(/id/);
      const config = channel.bindings.kafka.topicConfiguration;
      const isState = stateTopicsOf('customers')
        .concat(stateTopicsOf('credit'), stateTopicsOf('engagement'), stateTopicsOf('loyalty'))
        .includes(channel.address);
      expect(config['cleanup.policy'], channel.address).toEqual([isState ? 'compact' : 'delete']);
      expect(config['retention.ms'], channel.address).toEqual(isState ? -1 : 7 * 24 * 3600 * 1000);
    }
    expect(STATE_TOPIC_CONFIGS['cleanup.policy']).toBe('compact');
  });

  it('marks personal data exactly as PERSONAL_DATA_FIELDS lists it, with the classes of privacy.ts', () => {
    for (const def of definitions) {
      const message = doc.components.messages[def.name];
      const marked = paths(message?.payload.properties.data ?? {}, (_n, s) => s['x-personal-data']);
      const listed = new Map(Object.entries(PERSONAL_DATA_FIELDS[def.name as keyof typeof PERSONAL_DATA_FIELDS] ?? {}));
      expect(Object.fromEntries(marked), def.type).toEqual(Object.fromEntries(listed));
      for (const dataClass of listed.values()) expect(PERSONAL_DATA_CLASSES).toContain(dataClass);
    }
  });

  it('lists every catalogue field named like personal data (MASKED_FIELDS) as personal data', () => {
    const masked = new Set<string>(MASKED_FIELDS);
    const missing: string[] = [];
    for (const def of definitions) {
      const schema = z.toJSONSchema(def.data, { io: 'input' }) as Schema;
      const named = paths(schema, (name) => (masked.has(name) ? name : undefined));
      const listed = PERSONAL_DATA_FIELDS[def.name as keyof typeof PERSONAL_DATA_FIELDS] ?? {};
      for (const path of named.keys()) if (!(path in listed)) missing.push(`${def.name}.${path}`);
    }
    expect(missing).toEqual([]);
  });

  it('carries contact details for marketing only in a field consumers can tell apart (marketingContact)', () => {
    const contactFields = Object.entries(PERSONAL_DATA_FIELDS).flatMap(([name, fields]) =>
      Object.entries(fields ?? {})
        .filter(([, c]) => c === 'contact')
        .map(([p]) => `${name}.${p}`),
    );
    expect(contactFields).toContain('CustomerState.marketingContact.phone');
    expect(contactFields).toContain('CustomerState.marketingContact.email');
  });
});
