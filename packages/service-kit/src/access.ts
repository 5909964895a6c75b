import { type DirectiveNode, defaultFieldResolver, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema, Kind, type ValueNode } from 'graphql';
import type { RequestAudit } from './audit.ts';
import { type Identity, ROLES, type Role } from './auth.ts';
import type { RequestContext } from './context.ts';
import { badUserInput, forbidden, unauthenticated } from './errors.ts';
import { isSensitiveData, mayRead, SENSITIVE_DATA, type SensitiveData } from './privacy.ts';

/**
 * The access directives every subgraph declares in its SDL (they stay inside the subgraph; the
 * composed supergraph does not carry them):
 * - `@allow(roles: [...])` on a root field (every Query and Mutation field has one), on a type
 *   (its fields) or on a field: who may call or read it. Administrators pass everywhere.
 * - `@sensitive(data: "<class>")` on a field: a class of `SENSITIVE_DATA` (privacy.ts); other
 *   callers get null with a FORBIDDEN error on that path only.
 */
export const ACCESS_DIRECTIVES_SDL = `directive @allow(roles: [String!]!) on FIELD_DEFINITION | OBJECT
directive @sensitive(data: String!) on FIELD_DEFINITION`;

export const MAX_TEXT_LENGTH = 4000;

export interface AccessContext extends RequestContext {
  audit?: RequestAudit;
}

export function hasAnyRole(identity: Identity, roles: readonly Role[]): boolean {
  return identity.roles.includes('administrator') || identity.roles.some((r) => roles.includes(r));
}

function rolesOf(value: unknown, where: string): Role[] {
  const list = Array.isArray(value) ? value : [];
  for (const r of list) if (!(ROLES as readonly string[]).includes(r)) throw new Error(`Unknown role "${String(r)}" in @allow on ${where}`);
  return list as Role[];
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses text that the database would choke on or that no form should send: NUL and other C0
 * control characters but tab and newlines, unpaired UTF-16 surrogates, and text longer than
 * MAX_TEXT_LENGTH. The error names the argument path.
 */
export function checkTextInput(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.length > MAX_TEXT_LENGTH) throw badUserInput(`${path} is longer than ${MAX_TEXT_LENGTH} characters`, path);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(value)) throw badUserInput(`${path} contains a control character`, path);
    if (UNPAIRED_SURROGATE.test(value)) throw badUserInput(`${path} contains an invalid character (unpaired surrogate)`, path);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkTextInput(v, `${path}.${i}`);
    });
    return;
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) checkTextInput(v, `${path}.${k}`);
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === null) {
    for (const [k, v] of Object.entries(value)) checkTextInput(v, `${path}.${k}`);
  }
}

/** The id of the entity a field was read on, for the audit of sensitive reads. */
function entityIdOf(source: unknown): string | null {
  if (!source || typeof source !== 'object') return null;
  const s = source as Record<string, unknown>;
  const id = s.customer_id ?? s.customerId ?? s.id;
  return typeof id === 'string' ? id : null;
}

type DirectiveHolder = {
  astNode?: { directives?: readonly DirectiveNode[] } | null | undefined;
  extensionASTNodes?: readonly { directives?: readonly DirectiveNode[] }[];
};

/** The arguments of a directive on a type or field, read from its SDL (`@allow(roles: [...])`). */
function directiveArgs(holder: DirectiveHolder, name: string): Record<string, unknown> | undefined {
  const nodes = [holder.astNode, ...(holder.extensionASTNodes ?? [])];
  for (const node of nodes) {
    const directive = node?.directives?.find((d) => d.name.value === name);
    if (directive) return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromAST(a.value)]));
  }
  return undefined;
}

function valueFromAST(node: ValueNode): unknown {
  if (node.kind === Kind.LIST) return node.values.map(valueFromAST);
  if (node.kind === Kind.STRING || node.kind === Kind.ENUM) return node.value;
  if (node.kind === Kind.BOOLEAN) return node.value;
  return undefined;
}

/** Object types of a schema with their fields (duck-typed: the schema may come from another copy of graphql-js). */
function objectTypes(schema: GraphQLSchema): { name: string; holder: DirectiveHolder; fields: Record<string, GraphQLField<unknown, AccessContext>> }[] {
  const out = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (type.astNode?.kind !== Kind.OBJECT_TYPE_DEFINITION && !(type.name === 'Query' || type.name === 'Mutation')) continue;
    if (!('getFields' in type) || 'getInterfaces' in type === false) continue;
    out.push({
      name: type.name,
      holder: type as DirectiveHolder,
      fields: (type as unknown as { getFields(): Record<string, GraphQLField<unknown, AccessContext>> }).getFields(),
    });
  }
  return out;
}

/**
 * Wraps every field of a subgraph schema with its access rules, in place: identity required,
 * `@allow` roles, `@sensitive` classes, text inputs checked, and the audit of mutations
 * (refusals, and a record for a mutation whose command did not write one).
 */
export function applyAccessRules(schema: GraphQLSchema): GraphQLSchema {
  for (const type of objectTypes(schema)) {
    const typeAllow = directiveArgs(type.holder, 'allow');
    for (const field of Object.values(type.fields)) wrapField(type.name, field, typeAllow);
  }
  return schema;
}

function wrapField(typeName: string, field: GraphQLField<unknown, AccessContext>, typeAllow: Record<string, unknown> | undefined): void {
  const fieldName = field.name;
  const where = `${typeName}.${fieldName}`;
  const allow = directiveArgs(field, 'allow') ?? typeAllow;
  const roles = allow ? rolesOf(allow.roles, where) : null;
  const sensitiveArg = directiveArgs(field, 'sensitive')?.data;
  if (sensitiveArg !== undefined && (typeof sensitiveArg !== 'string' || !isSensitiveData(sensitiveArg))) {
    throw new Error(`Unknown sensitive data class "${String(sensitiveArg)}" on ${where}`);
  }
  const sensitive = sensitiveArg as SensitiveData | undefined;
  const isRoot = typeName === 'Query' || typeName === 'Mutation';
  const isMutation = typeName === 'Mutation';
  if (!roles && !sensitive && !isRoot) return;
  if (fieldName.startsWith('_') && isRoot) return; // _entities, _service: the gateway's credential is checked before any field.
  const resolve: GraphQLFieldResolver<unknown, AccessContext> = field.resolve ?? defaultFieldResolver;
  field.resolve = async (source, args, ctx, info) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    if (roles && !hasAnyRole(identity, roles)) {
      if (isMutation) await ctx.audit?.recordNow({ kind: 'MUTATION', action: fieldName, outcome: 'FORBIDDEN', detail: { required: roles } });
      throw forbidden(`${where} requires one of the roles: ${roles.join(', ')}`);
    }
    if (sensitive) {
      if (!mayRead(identity, sensitive)) throw forbidden(`${where} (${SENSITIVE_DATA[sensitive].label}) is not shown to your role`);
      if (SENSITIVE_DATA[sensitive].auditReads) {
        const id = entityIdOf(source);
        if (id) ctx.audit?.read(where, typeName, id);
      }
    }
    if (!isMutation) {
      for (const [name, value] of Object.entries(args)) checkTextInput(value, name);
      return resolve(source, args, ctx, info);
    }
    const before = ctx.audit?.count ?? 0;
    try {
      for (const [name, value] of Object.entries(args)) checkTextInput(value, name);
      const result = await resolve(source, args, ctx, info);
      if (ctx.audit && ctx.audit.count === before) {
        const errors = (result as { userErrors?: { field: string | null; code: string }[] } | null)?.userErrors ?? [];
        await ctx.audit.recordNow({
          kind: 'MUTATION',
          action: fieldName,
          outcome: errors.length ? 'REJECTED' : 'SUCCEEDED',
          ...(errors.length ? { detail: { errors: errors.map((e) => ({ field: e.field, code: e.code })) } } : {}),
        });
      }
      return result;
    } catch (error) {
      if (ctx.audit && ctx.audit.count === before) {
        const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
        await ctx.audit
          .recordNow({
            kind: 'MUTATION',
            action: fieldName,
            outcome: code === 'FORBIDDEN' ? 'FORBIDDEN' : code === 'BAD_USER_INPUT' ? 'REJECTED' : 'FAILED',
            detail: { code: typeof code === 'string' ? code : 'ERROR' },
          })
          .catch(() => undefined);
      }
      throw error;
    }
  };
}

/** The access rules of a subgraph schema, per `Type.field`: roles (the field's, else its type's) and sensitive class. */
export function accessRulesOf(schema: GraphQLSchema): Map<string, { roles: Role[] | null; sensitive: string | null }> {
  const rules = new Map<string, { roles: Role[] | null; sensitive: string | null }>();
  for (const type of objectTypes(schema)) {
    const typeAllow = directiveArgs(type.holder, 'allow');
    for (const field of Object.values(type.fields)) {
      const allow = directiveArgs(field, 'allow') ?? typeAllow;
      const sensitive = directiveArgs(field, 'sensitive')?.data;
      rules.set(`${type.name}.${field.name}`, {
        roles: allow ? rolesOf(allow.roles, `${type.name}.${field.name}`) : null,
        sensitive: typeof sensitive === 'string' ? sensitive : null,
      });
    }
  }
  return rules;
}

/** Root fields (Query, Mutation) of a subgraph schema that carry no `@allow` rule: a test keeps this empty. */
export function fieldsWithoutRoleRule(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of objectTypes(schema)) {
    if (type.name !== 'Query' && type.name !== 'Mutation') continue;
    for (const field of Object.values(type.fields)) {
      if (field.name.startsWith('_')) continue;
      if (!directiveArgs(field, 'allow')) missing.push(`${type.name}.${field.name}`);
    }
  }
  return missing;
}
