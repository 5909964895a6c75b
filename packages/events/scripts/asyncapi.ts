/**
 * Publishes the event catalogue as an AsyncAPI 3.0 document (asyncapi.json) for the teams that
 * consume the topics: one channel per producer topic, one message per event type, payload =
 * the CloudEvents envelope with the type's data schema (JSON Schema from the zod schemas).
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { catalogue, PRODUCERS, topicOf } from '../src/catalogue/index.ts';
import { cloudEventSchema, dataSchemaOf } from '../src/envelope.ts';

const envelope = z.toJSONSchema(cloudEventSchema.omit({ data: true }), { io: 'input' }) as { properties: Record<string, unknown>; required: string[] };

const messages = Object.fromEntries(
  Object.values(catalogue).map((def) => [
    def.name,
    {
      name: def.type,
      title: def.name,
      summary: def.description,
      contentType: 'application/cloudevents+json',
      payload: {
        type: 'object',
        properties: {
          ...envelope.properties,
          type: { const: def.type },
          dataschema: { const: dataSchemaOf(def.type), description: `JSON Schema of data: packages/events/schemas/${def.type}.json` },
          subject: { type: 'string', description: 'Customer id (also the message key)' },
          data: z.toJSONSchema(def.data, { io: 'input' }),
        },
        required: [...envelope.required, 'data'],
      },
    },
  ]),
);

const doc = {
  asyncapi: '3.0.0',
  info: {
    title: 'Lender CRM domain events',
    version: '1.0.0',
    description:
      "CloudEvents 1.0 (structured JSON) published through each service's transactional outbox. Topics are keyed by customer id; each consumer group sees one customer's events in order. Delivery is at least once: deduplicate on the event id.",
  },
  defaultContentType: 'application/cloudevents+json',
  channels: Object.fromEntries(
    PRODUCERS.map((producer) => [
      producer,
      {
        address: topicOf(producer),
        description: `Events produced by the ${producer} service.`,
        messages: Object.fromEntries(
          Object.values(catalogue)
            .filter((d) => d.producer === producer)
            .map((d) => [d.name, { $ref: `#/components/messages/${d.name}` }]),
        ),
      },
    ]),
  ),
  operations: Object.fromEntries(
    PRODUCERS.map((producer) => [
      `publish-${producer}`,
      {
        action: 'send',
        channel: { $ref: `#/channels/${producer}` },
        messages: Object.values(catalogue)
          .filter((d) => d.producer === producer)
          .map((d) => ({ $ref: `#/channels/${producer}/messages/${d.name}` })),
      },
    ]),
  ),
  components: { messages },
};

writeFileSync(new URL('../asyncapi.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
console.log(`asyncapi.json: ${Object.keys(messages).length} event types`);
