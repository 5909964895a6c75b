import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { MAX_PAGE_SIZE } from '@crm/service-kit';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** What one request may ask of the gateway, checked before planning (README, Security). */
export interface GatewayLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** Estimated objects a query may touch: each list multiplies its children by its `first`. */
  maxCost: number;
  /** Requests per user per minute. */
  ratePerMinute: number;
  /** Request body size, e.g. `100kb`. */
  maxBody: string;
  /** Time a subgraph may take to answer, in milliseconds. */
  subgraphTimeoutMs: number;
  /** Per-subgraph deadlines overriding `subgraphTimeoutMs` (e.g. `{ credit: 20000 }`). */
  subgraphTimeoutsMs?: Partial<Record<string, number>>;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxDepth: 10,
  maxAliases: 30,
  maxTokens: 3000,
  maxDirectives: 20,
  maxCost: 50_000,
  ratePerMinute: 1200,
  maxBody: '100kb',
  subgraphTimeoutMs: 10_000,
};

/** Error codes of the gateway's refusals, one per limit. */
export const LIMIT_CODES = {
  depth: 'QUERY_TOO_DEEP',
  aliases: 'TOO_MANY_ALIASES',
  tokens: 'QUERY_TOO_LARGE',
  directives: 'TOO_MANY_DIRECTIVES',
  cost: 'QUERY_TOO_COSTLY',
  rate: 'RATE_LIMITED',
  body: 'REQUEST_TOO_LARGE',
  batch: 'BATCHING_DISABLED',
  suggestions: 'GRAPHQL_VALIDATION_FAILED',
} as const;

/** GraphQL Armor's protections (depth, aliases, tokens, directives, no field suggestions); cost is ours, below. */
export function armor(limits: GatewayLimits) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}

/** Armor reports its refusals as validation errors; each gets a code of its own. */
export function limitCodeOf(message: string): string | undefined {
  if (/depth limit/i.test(message)) return LIMIT_CODES.depth;
  if (/aliases limit/i.test(message)) return LIMIT_CODES.aliases;
  if (/token limit/i.test(message)) return LIMIT_CODES.tokens;
  if (/directives limit/i.test(message)) return LIMIT_CODES.directives;
  return undefined;
}

const DEFAULT_LIST_SIZE = 20;

function intValue(node: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!node) return undefined;
  if (node.kind === Kind.INT) return Number.parseInt(node.value, 10);
  if (node.kind === Kind.VARIABLE) {
    const v = variables[node.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

// The gateway's schema is built by Apollo's CommonJS copy of graphql-js, so its types are
// inspected by shape here rather than with this module's isObjectType / isListType.
type TypeLike = { ofType?: TypeLike; constructor: { name: string } };
function fieldsOf(type: unknown): Record<string, { type: TypeLike }> | undefined {
  const t = type as { getFields?: () => Record<string, { type: TypeLike }> } | undefined;
  return typeof t?.getFields === 'function' ? t.getFields() : undefined;
}
function isListOutput(type: TypeLike): boolean {
  const inner = type.constructor.name === 'GraphQLNonNull' && type.ofType ? type.ofType : type;
  return inner.constructor.name === 'GraphQLList';
}
function namedOf(type: TypeLike): GraphQLNamedType {
  let t = type;
  while (t.ofType) t = t.ofType;
  return t as unknown as GraphQLNamedType;
}

/**
 * How many times a field's selection is paid for: a connection by its page (`first`, else the
 * default page), counted once, so its `edges`/`nodes` (already that page) count once more, not by
 * the default list size again; any other list by `first` or DEFAULT_LIST_SIZE.
 */
function multiplierOf(parent: GraphQLNamedType | undefined, name: string, type: TypeLike, first: number | undefined): number {
  if (parent?.name.endsWith('Connection') && (name === 'edges' || name === 'nodes')) return 1;
  if (namedOf(type).name.endsWith('Connection')) return first ?? DEFAULT_LIST_SIZE;
  return first ?? (isListOutput(type) ? DEFAULT_LIST_SIZE : 1);
}

/**
 * The cost of a selection: every field costs one; a connection page multiplies the cost of what
 * is under it by its size (`first`), a plain list by DEFAULT_LIST_SIZE (see multiplierOf). `first`
 * above the page cap is refused here already.
 */
export function estimateCost(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  seen: ReadonlySet<string> = new Set(),
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const first = intValue(selection.arguments?.find((a) => a.name.value === 'first')?.value, variables);
      if (first !== undefined && first > MAX_PAGE_SIZE) {
        throw new GraphQLError(`first may be at most ${MAX_PAGE_SIZE} (${selection.name.value})`, {
          extensions: { code: 'BAD_USER_INPUT', field: 'first' },
        });
      }
      const field = fieldsOf(parent)?.[selection.name.value];
      const multiplier = field ? multiplierOf(parent, selection.name.value, field.type, first) : (first ?? 1);
      if (selection.selectionSet) {
        cost += 1 + Math.max(multiplier, 1) * estimateCost(schema, field ? namedOf(field.type) : undefined, selection.selectionSet, fragments, variables, seen);
      } else cost += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      cost += estimateCost(schema, type ?? undefined, selection.selectionSet, fragments, variables, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue;
      const type = schema.getType(fragment.typeCondition.name.value);
      cost += estimateCost(schema, type ?? undefined, fragment.selectionSet, fragments, variables, new Set([...seen, name]));
    }
  }
  return cost;
}

export function costLimitPlugin<C extends BaseContext>(maxCost: number): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          const root = schema.getRootType((operation as OperationDefinitionNode).operation) ?? undefined;
          const cost = estimateCost(schema, root, (operation as OperationDefinitionNode).selectionSet, fragments, request.variables ?? {});
          if (cost > maxCost) {
            throw new GraphQLError(`Query cost ${cost} exceeds the limit of ${maxCost}: ask for smaller pages or fewer fields`, {
              extensions: { code: LIMIT_CODES.cost, cost, limit: maxCost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** True when a JSON value holds a number JSON cannot carry (1e400 parses to Infinity). */
export function hasNonFiniteNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(hasNonFiniteNumber);
  if (value && typeof value === 'object') return Object.values(value).some(hasNonFiniteNumber);
  return false;
}
