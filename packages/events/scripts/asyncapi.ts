/**
 * Publishes the event catalogue as an AsyncAPI 3.0 document (asyncapi.json) for the teams that
 * consume the topics: one channel per topic (producer topics, compacted state topics, dead-letter
 * topics) with its key, retention and compaction; one message per event type, payload = the
 * CloudEvents envelope with the type's data schema (JSON Schema from the zod schemas), personal
 * data marked `x-personal-data: <class>` (PERSONAL_DATA_FIELDS).
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { catalogue, deadLetterTopicOf, type EventDefinition, PRODUCERS, topicOfDefinition } from '../src/catalogue/index.ts';
import { cloudEventSchema, dataSchemaOf } from '../src/envelope.ts';
import { PERSONAL_DATA_FIELDS } from '../src/personal-data.ts';
import { STATE_TOPIC_CONFIGS } from '../src/transport.ts';

const envelope = z.toJSONSchema(cloudEventSchema.omit({ data: true }), { io: 'input' }) as { properties: Record<string, unknown>; required: string[] };
const definitions = Object.values(catalogue) as EventDefinition[];

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; [k: string]: unknown };

/** Marks `path` (`a.b`, `a[].b`) of a data schema with its personal-data class. */
function markPersonalData(schema: JsonSchema, path: string, dataClass: string): void {
  const [head, ...rest] = path.split('.');
  const isArray = head?.endsWith('[]');
  const name = isArray ? head?.slice(0, -2) : head;
  const objects = (s: JsonSchema): JsonSchema[] => (s.properties ? [s] : (s.anyOf ?? []).filter((x) => x.properties));
  for (const obj of objects(schema)) {
    let target = obj.properties?.[name ?? ''];
    if (!target) throw new Error(`personal-data path ${path}: no property ${name}`);
    if (isArray) target = target.items ?? target;
    if (rest.length) markPersonalData(target, rest.join('.'), dataClass);
    else target['x-personal-data'] = dataClass;
  }
}

const messages = Object.fromEntries(
  definitions.map((def) => {
    const data = z.toJSONSchema(def.data, { io: 'input' }) as JsonSchema;
    for (const [path, dataClass] of Object.entries(PERSONAL_DATA_FIELDS[def.name as keyof typeof PERSONAL_DATA_FIELDS] ?? {}))
      markPersonalData(data, path, dataClass);
    const key = def.state ? `${def.state.aggregate} id` : 'customer id';
    return [
      def.name,
      {
        name: def.type,
        title: def.name,
        summary: def.description,
        contentType: 'application/cloudevents+json',
        bindings: { kafka: { key: { type: 'string', description: `The ${key} (= subject)` }, bindingVersion: '0.5.0' } },
        payload: {
          type: 'object',
          properties: {
            ...envelope.properties,
            type: { const: def.type },
            dataschema: { const: dataSchemaOf(def.type), description: `JSON Schema of data: packages/events/schemas/${def.type}.json` },
            subject: { type: 'string', description: `The ${key} (also the message key)` },
            data,
          },
          required: [...envelope.required, 'data'],
        },
      },
    ];
  }),
);

const DAY_MS = 24 * 60 * 60 * 1000;
const eventTopicConfig = { 'cleanup.policy': ['delete'], 'retention.ms': 7 * DAY_MS };
const stateTopicConfig = { 'cleanup.policy': ['compact'], 'retention.ms': -1, 'x-max.compaction.lag.ms': Number(STATE_TOPIC_CONFIGS['max.compaction.lag.ms']) };

interface Channel {
  address: string;
  description: string;
  'x-key': string;
  'x-personal-data': string[];
  bindings: { kafka: { partitions: number; topicConfiguration: Record<string, unknown>; bindingVersion: string } };
  messages: Record<string, { $ref: string }>;
}

const personalDataOf = (defs: EventDefinition[]) =>
  [...new Set(defs.flatMap((d) => Object.keys(PERSONAL_DATA_FIELDS[d.name as keyof typeof PERSONAL_DATA_FIELDS] ?? {}).map((p) => `${d.name}.${p}`)))].sort();

const channels: Record<string, Channel> = {};
for (const producer of PRODUCERS) {
  const own = definitions.filter((d) => d.producer === producer);
  for (const topic of [...new Set(own.map((d) => topicOfDefinition(d)))]) {
    const defs = own.filter((d) => topicOfDefinition(d) === topic);
    const state = defs[0]?.state;
    const id = state ? `${producer}-${state.aggregate}-state` : producer;
    channels[id] = {
      address: topic,
      description: state
        ? `Compacted state topic of the ${state.aggregate} aggregate (owned by ${producer}): the full current state after every change, keyed by ${state.aggregate} id. Read it from the beginning and keep the last record per key to bootstrap; \`sequence\` is the version of the aggregate's state. No deletion exists, hence no tombstones. Superseded records are compacted away within max.compaction.lag.ms (1 day).`
        : `Events produced by the ${producer} service, keyed by customer id; \`sequence\` numbers one customer's events on this topic 1, 2, 3... Time-based retention (broker default, 7 days).`,
      'x-key': state ? `${state.aggregate} id` : 'customer id',
      'x-personal-data': personalDataOf(defs),
      bindings: { kafka: { partitions: 3, topicConfiguration: state ? stateTopicConfig : eventTopicConfig, bindingVersion: '0.5.0' } },
      messages: Object.fromEntries(defs.map((d) => [d.name, { $ref: `#/components/messages/${d.name}` }])),
    };
  }
}
for (const consumer of PRODUCERS) {
  channels[`dlq-${consumer}`] = {
    address: deadLetterTopicOf(consumer),
    description: `Dead letters of the ${consumer} consumer group: events (of any type above) that kept failing there, whole, as received. Operators replay them with \`pnpm events dlq\`; not for consumption by other teams.`,
    'x-key': 'the original key (customer id)',
    'x-personal-data': ['any personal-data field of the dead-lettered event'],
    bindings: { kafka: { partitions: 3, topicConfiguration: eventTopicConfig, bindingVersion: '0.5.0' } },
    messages: {},
  };
}

const doc = {
  asyncapi: '3.0.0',
  info: {
    title: 'Lender CRM domain events',
    version: '1.0.0',
    description:
      "CloudEvents 1.0 (structured JSON) published through each service's transactional outbox. Event topics are keyed by customer id; each consumer group sees one customer's events in order. State topics (compacted) are keyed by aggregate id. Every event carries `sequence` (with `sequencetype: Integer`): per topic and key 1, 2, 3... without gaps in commit order, so a consumer detects a gap (seq > last + 1) or a reorder / redelivery (seq <= last). Delivery is at least once: deduplicate on the event id. Fields marked `x-personal-data` carry personal data of the class named (see packages/events/README.md, personal data and consent).",
  },
  defaultContentType: 'application/cloudevents+json',
  channels,
  operations: Object.fromEntries(
    Object.entries(channels)
      .filter(([, c]) => Object.keys(c.messages).length)
      .map(([id, c]) => [
        `publish-${id}`,
        {
          action: 'send',
          channel: { $ref: `#/channels/${id}` },
          messages: Object.keys(c.messages).map((m) => ({ $ref: `#/channels/${id}/messages/${m}` })),
        },
      ]),
  ),
  components: { messages },
};

writeFileSync(new URL('../asyncapi.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
console.log(`asyncapi.json: ${Object.keys(channels).length} topics, ${Object.keys(messages).length} event types`);
