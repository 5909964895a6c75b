import { z } from 'zod';

export const PRODUCERS = ['customers', 'credit', 'engagement', 'loyalty'] as const;
export type Producer = (typeof PRODUCERS)[number];

export interface EventDefinition<P extends Producer = Producer, N extends string = string, S extends z.ZodType = z.ZodType> {
  producer: P;
  name: N;
  version: number;
  type: string;
  description: string;
  data: S;
  /**
   * Set on a state record: the full current state of one aggregate, on the compacted topic
   * `crm.<producer>.<aggregate>.state.v1` keyed (and `subject`-ed) by the aggregate id.
   */
  state?: { aggregate: string };
}

export function define<P extends Producer, N extends string, S extends z.ZodType>(
  producer: P,
  name: N,
  description: string,
  data: S,
  version = 1,
): EventDefinition<P, N, S> {
  return { producer, name, version, type: `crm.${producer}.${name}.v${version}`, description, data };
}

/**
 * A state record type: the full current state of one aggregate after each change, on the
 * compacted state topic of `aggregate` (see stateTopicOf).
 */
export function defineState<P extends Producer, N extends string, S extends z.ZodType>(
  producer: P,
  aggregate: string,
  name: N,
  description: string,
  data: S,
  version = 1,
): EventDefinition<P, N, S> & { state: { aggregate: string } } {
  return { ...define(producer, name, description, data, version), state: { aggregate } };
}

/** Shared field schemas: ids, instants, dates, exact money as decimal strings (never JSON numbers). */
export const f = {
  id: z.string().min(1),
  instant: z.iso.datetime({ offset: true }),
  date: z.iso.date(),
  /** An exact decimal amount as a string, e.g. "1250.75". */
  money: z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string'),
  /** A ratio or rate as a decimal string, e.g. "-0.25". */
  decimal: z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
};
