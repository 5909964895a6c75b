import { z } from 'zod';
import { catalogue } from './catalogue/index.ts';
import { dataSchemaOf } from './envelope.ts';
import type { JsonSchema } from './schema-compat.ts';

/**
 * The JSON Schema of every event type's `data`, by type (`crm.credit.LoanApplied.v1`), as the
 * codegen writes them to `packages/events/schemas/<type>.json`. Input side of the zod schema: a
 * field with a default is optional (old events without it are still read).
 */
export function eventDataSchemas(): Record<string, JsonSchema> {
  const entries = Object.values(catalogue)
    .map((def) => {
      const { $schema, ...rest } = z.toJSONSchema(def.data, { io: 'input' }) as JsonSchema;
      return [def.type, { $schema, $id: dataSchemaOf(def.type), title: def.type, description: def.description, ...rest }] as const;
    })
    .sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(entries);
}

/** A schema file's text (stable formatting, one trailing newline). */
export function schemaFileText(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
