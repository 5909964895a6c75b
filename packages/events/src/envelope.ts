import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { catalogue, definitionOfType, type EventData, type EventInput, type EventName } from './catalogue/index.ts';

/** CloudEvents 1.0, structured JSON mode, with `correlationid` and `traceparent` extension attributes. */
export const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1),
  datacontenttype: z.literal('application/json'),
  correlationid: z.string().min(1).optional(),
  /** The JSON Schema of `data` (see dataSchemaOf); optional: events written before it existed lack it. */
  dataschema: z.string().min(1).optional(),
  /**
   * CloudEvents distributed tracing extension: the W3C trace context of the span that wrote the
   * event (see tracing.ts); consumers continue the producer's trace from it. Optional: events
   * written before it existed, or with tracing off, lack it.
   */
  traceparent: z.string().min(1).optional(),
  tracestate: z.string().optional(),
  /**
   * CloudEvents sequence extension: the position of this event among the events with the same
   * `subject` (the message key) on the same topic, "1", "2", ... without gaps, assigned in the
   * writing transaction. Optional: events written before it existed lack it.
   */
  sequence: z
    .string()
    .regex(/^[1-9]\d*$/, 'a positive integer')
    .optional(),
  /** Always `Integer` when `sequence` is set: compare sequences as integers, not as text. */
  sequencetype: z.literal('Integer').optional(),
  data: z.unknown(),
});

export type CloudEvent<D = unknown> = Omit<z.infer<typeof cloudEventSchema>, 'data'> & { data: D };

export type DomainEvent<N extends EventName> = CloudEvent<EventData<N>>;

/**
 * The CloudEvents `dataschema` of an event type: a URN naming the generated JSON Schema, whose
 * file is `packages/events/schemas/<type>.json` (its `$id` is this URN). A URN rather than a URL:
 * nothing has to be hosted, and the name stays the same wherever the repository is checked out.
 */
export function dataSchemaOf(type: string): string {
  return `urn:lender-crm:event-schema:${type}`;
}

export class EventValidationError extends Error {
  readonly issues: unknown;
  constructor(message: string, issues: unknown) {
    super(message);
    this.name = 'EventValidationError';
    this.issues = issues;
  }
}

/** Builds an event of the catalogue; its data is validated against the schema (validation on produce). */
export function createEvent<N extends EventName>(
  name: N,
  input: { subject: string; data: EventInput<N>; correlationId?: string | undefined; time?: Date; id?: string },
): DomainEvent<N> {
  const def = catalogue[name];
  const parsed = def.data.safeParse(input.data);
  if (!parsed.success) throw new EventValidationError(`Invalid ${def.type} data: ${parsed.error.message}`, parsed.error.issues);
  return {
    specversion: '1.0',
    id: input.id ?? uuidv7(),
    source: `/crm/${def.producer}`,
    type: def.type,
    time: (input.time ?? new Date()).toISOString(),
    subject: input.subject,
    datacontenttype: 'application/json',
    dataschema: dataSchemaOf(def.type),
    ...(input.correlationId ? { correlationid: input.correlationId } : {}),
    data: parsed.data as EventData<N>,
  };
}

/** Parses and validates an incoming event (validation on consume); unknown types keep raw data. */
export function parseEvent(raw: string): { event: CloudEvent; known: boolean } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new EventValidationError('Event is not JSON', String(error));
  }
  const envelope = cloudEventSchema.safeParse(json);
  if (!envelope.success) throw new EventValidationError(`Not a CloudEvent: ${envelope.error.message}`, envelope.error.issues);
  const def = definitionOfType(envelope.data.type);
  if (!def) return { event: envelope.data as CloudEvent, known: false };
  const data = def.data.safeParse(envelope.data.data);
  if (!data.success) throw new EventValidationError(`Invalid ${def.type} data: ${data.error.message}`, data.error.issues);
  return { event: { ...envelope.data, data: data.data }, known: true };
}
