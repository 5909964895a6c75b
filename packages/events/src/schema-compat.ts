/**
 * Backward compatibility of event data schemas (JSON Schema, as `z.toJSONSchema` writes them).
 *
 * A change is backward compatible when every event valid under the old (published) schema is
 * still valid under the new one: consumers on the new version read old events (replays,
 * re-published outbox rows, the dead-letter topic) and producers never stop writing what
 * consumers of the old version rely on. Breaking: a property removed or renamed, a type
 * narrowed (string -> integer, nullable -> not null, number -> integer), a property newly
 * required, an enum value or const changed, a tighter constraint (pattern, format, bounds).
 * Fine: a new optional property, a new enum value, a widened type, a looser constraint.
 */

export type JsonSchema = { [key: string]: unknown };

function asSchema(value: unknown): JsonSchema {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonSchema) : {};
}

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) target = asSchema(target)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return resolve(asSchema(target), root);
}

/** The JSON types a schema admits (undefined: any type). */
function typesOf(schema: JsonSchema): Set<string> | undefined {
  if ('const' in schema) return new Set([jsonTypeOf(schema.const)]);
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(jsonTypeOf));
  const t = schema.type;
  if (typeof t === 'string') return new Set(t === 'number' ? ['number', 'integer'] : [t]);
  if (Array.isArray(t)) return new Set(t.flatMap((x) => (x === 'number' ? ['number', 'integer'] : [String(x)])));
  return undefined;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function branchesOf(schema: JsonSchema): JsonSchema[] | undefined {
  const union = schema.anyOf ?? schema.oneOf;
  return Array.isArray(union) ? union.map(asSchema) : undefined;
}

/**
 * The ways `after` rejects data `before` accepted, as readable lines (`data.amount: type narrowed`).
 * Empty when the change is backward compatible.
 */
export function breakingChanges(before: JsonSchema, after: JsonSchema, path = '', roots?: { before: JsonSchema; after: JsonSchema }): string[] {
  const r = roots ?? { before, after };
  const b = resolve(before, r.before);
  const a = resolve(after, r.after);
  const at = path || '(root)';
  const problems: string[] = [];

  // Unions: every old branch must still be accepted by some new branch.
  const bBranches = branchesOf(b);
  const aBranches = branchesOf(a);
  if (bBranches || aBranches) {
    const olds = bBranches ?? [b];
    const news = aBranches ?? [a];
    for (const old of olds) {
      const candidates = news.map((n) => breakingChanges(old, n, path, r));
      if (!candidates.some((c) => c.length === 0)) {
        const oldTypes = typesOf(resolve(old, r.before));
        const label = oldTypes ? [...oldTypes].join('|') : 'a variant';
        const closest = candidates.sort((x, y) => x.length - y.length)[0] ?? [];
        problems.push(closest.length && news.length === 1 ? closest.join('; ') : `${at}: ${label} no longer accepted (type narrowed)`);
      }
    }
    return problems;
  }

  const bTypes = typesOf(b);
  const aTypes = typesOf(a);
  if (aTypes && (!bTypes || [...bTypes].some((t) => !aTypes.has(t) && !(t === 'integer' && aTypes.has('number'))))) {
    const lost = bTypes ? [...bTypes].filter((t) => !aTypes.has(t) && !(t === 'integer' && aTypes.has('number'))) : ['any'];
    problems.push(`${at}: type narrowed (${lost.join(', ')} no longer accepted)`);
    return problems;
  }

  // Enumerations and constants.
  const bValues = 'const' in b ? [b.const] : Array.isArray(b.enum) ? b.enum : undefined;
  const aValues = 'const' in a ? [a.const] : Array.isArray(a.enum) ? a.enum : undefined;
  if (aValues) {
    if (!bValues) problems.push(`${at}: restricted to ${aValues.map((v) => JSON.stringify(v)).join(', ')}`);
    else {
      const removed = bValues.filter((v) => !aValues.some((x) => JSON.stringify(x) === JSON.stringify(v)));
      if (removed.length) problems.push(`${at}: enum value(s) removed: ${removed.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  }

  // Constraints that may only stay or loosen.
  for (const key of ['pattern', 'format'] as const) {
    if (a[key] !== undefined && a[key] !== b[key]) problems.push(`${at}: ${key} ${b[key] === undefined ? 'added' : 'changed'} (${String(a[key])})`);
  }
  for (const key of ['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties'] as const) {
    const av = a[key];
    const bv = b[key];
    if (typeof av === 'number' && (typeof bv !== 'number' || av > bv)) problems.push(`${at}: ${key} raised to ${av}`);
  }
  for (const key of ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties'] as const) {
    const av = a[key];
    const bv = b[key];
    if (typeof av === 'number' && (typeof bv !== 'number' || av < bv)) problems.push(`${at}: ${key} lowered to ${av}`);
  }
  if (typeof a.multipleOf === 'number' && a.multipleOf !== b.multipleOf) problems.push(`${at}: multipleOf changed to ${a.multipleOf}`);

  // Objects: properties kept, none newly required, no closing of the object.
  const bProps = asSchema(b.properties);
  const aProps = asSchema(a.properties);
  const bRequired = new Set(Array.isArray(b.required) ? (b.required as string[]) : []);
  const aRequired = Array.isArray(a.required) ? (a.required as string[]) : [];
  for (const name of Object.keys(bProps)) {
    const child = path ? `${path}.${name}` : name;
    if (!(name in aProps)) {
      problems.push(`${child}: property removed or renamed`);
      continue;
    }
    problems.push(...breakingChanges(asSchema(bProps[name]), asSchema(aProps[name]), child, r));
  }
  for (const name of aRequired) {
    if (!bRequired.has(name)) problems.push(`${path ? `${path}.${name}` : name}: ${name in bProps ? 'became required' : 'new required property'}`);
  }
  if (a.additionalProperties === false && b.additionalProperties !== false) problems.push(`${at}: additional properties no longer allowed`);

  // Arrays: items compatible.
  if (b.items !== undefined || a.items !== undefined) {
    problems.push(...breakingChanges(asSchema(b.items), asSchema(a.items), `${path}[]`, r));
  }
  return problems;
}

/** Compares the published baseline (type -> schema) with the current schemas; a published type may not vanish. */
export function compareWithPublished(published: Record<string, JsonSchema>, current: Record<string, JsonSchema>): string[] {
  const problems: string[] = [];
  for (const [type, before] of Object.entries(published)) {
    const after = current[type];
    if (!after) {
      problems.push(`${type}: published type removed (keep it until its deprecation period ends, then delete its baseline file on purpose)`);
      continue;
    }
    for (const p of breakingChanges(before, after)) problems.push(`${type}: ${p}`);
  }
  return problems;
}
