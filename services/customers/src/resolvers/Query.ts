import {
  auditRecordResolvers,
  badUserInput,
  checkKpiRequest,
  decodeCursor,
  findAuditTrail,
  findJobRuns,
  forbidden,
  isoDate,
  keysetCursor,
  kpiRows,
  nestedConnection,
  pageSize,
  parseChangedSince,
  requireIdentity,
  seesPseudonyms,
  toConnection,
  toFeedConnection,
  withCount,
} from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { listCustomers } from '../db/customer.store.ts';
import { countGradeChanges, gradeChangeCursor, listGradeChanges } from '../db/grade-change.store.ts';
import { gradeMigration, valueUplift } from '../db/kpi.store.ts';
import { countSegments, findSegmentsPage, listSegments } from '../db/segment.store.ts';
import { CUSTOMER_KPIS } from '../domain/kpis.ts';
import { validateSegmentRule } from '../domain/segment-rule.ts';
import { customerCriteria } from './criteria.ts';

/** Who may call each field is declared in the SDL (`@allow`); the scope limits which customers answer. */
export const Query: QueryResolvers = {
  customer: (_parent, { id }, ctx) => ctx.loaders.customer.load(id),
  customers: async (_parent, { filter, first, after, changedSince }, ctx) => {
    // Analysts see pseudonyms: a name search would let them confirm who is behind one.
    if (filter?.nameContains && seesPseudonyms(requireIdentity(ctx))) throw forbidden('Searching by name is not open to your role');
    const size = pageSize(first);
    const since = parseChangedSince(changedSince);
    if (since !== undefined && after) throw badUserInput('after cannot be combined with changedSince', 'after');
    const afterId = after ? String(decodeCursor(after, 1)[0]) : undefined;
    const criteria = await customerCriteria(filter ?? {}, ctx);
    const rows = await listCustomers(ctx.db, ctx.scope, criteria, { limit: size + 1, afterId, since });
    for (const row of rows) ctx.loaders.customer.prime(row.id, row);
    const page = since !== undefined && changedSince ? toFeedConnection(rows, size, changedSince) : toConnection(rows, size, (r) => [r.id]);
    return { ...page, filter: criteria, scope: ctx.scope };
  },
  customerGradeChanges: async (_parent, { filter, first, after, changedSince }, ctx) => {
    const size = pageSize(first);
    const since = parseChangedSince(changedSince);
    if (since !== undefined && after) throw badUserInput('after cannot be combined with changedSince', 'after');
    const f = filter ?? {};
    const rows = await listGradeChanges(ctx.db, ctx.scope, f, { limit: size + 1, after: after ?? null, since });
    const page = since !== undefined && changedSince ? toFeedConnection(rows, size, changedSince) : toConnection(rows, size, gradeChangeCursor);
    return withCount(page, () => countGradeChanges(ctx.db, ctx.scope, f));
  },
  customersKpi: async (_parent, { metric, groupBy, from, to }, ctx) => {
    const definition = CUSTOMER_KPIS[metric];
    const dimensions = checkKpiRequest(definition, { groupBy, from, to });
    // SEGMENT groups by the members of every segment now (their rules evaluated in the KPI's statement).
    const segments = dimensions.includes('SEGMENT')
      ? (await listSegments(ctx.db)).flatMap((s) => {
          const rule = validateSegmentRule(s.rule);
          return rule.ok ? [{ id: s.id, rule: rule.value }] : [];
        })
      : [];
    const query = { groupBy: dimensions, from, to, scope: ctx.scope, segments, today: isoDate(ctx.now()) };
    const rows = metric === 'GRADE_MIGRATION' ? await gradeMigration(ctx.db, query) : await valueUplift(ctx.db, query);
    return kpiRows(definition, dimensions, rows);
  },
  customerHistory: async (_parent, { customerId, ...args }, ctx) => {
    // FORBIDDEN outside the caller's scope; an unknown customer has no history.
    const customer = await ctx.loaders.customer.load(customerId);
    if (!customer) return withCount(toConnection([], pageSize(args.first), keysetCursor), async () => 0);
    return nestedConnection(ctx.loaders.changesOfCustomer, ctx.loaders.changeCount, customer.id, args);
  },
  /** Deprecated (every segment at once): kept for the clients that select it; see customerSegments. */
  segments: (_parent, _args, ctx) => listSegments(ctx.db),
  /** Segment definitions are not branch data (their members are, and `members` applies the scope). */
  customerSegments: async (_parent, { first, after }, ctx) => {
    const size = pageSize(first);
    const rows = await findSegmentsPage(ctx.db, { limit: size + 1, after: after ?? null });
    return withCount(toConnection(rows, size, keysetCursor), () => countSegments(ctx.db));
  },
  segment: (_parent, { id }, ctx) => ctx.loaders.segment.load(id),
  customerGradeThresholds: (_parent, _args, ctx) => ctx.loaders.gradeThresholds(),
  customerPolicy: (_parent, _args, ctx) => ctx.loaders.policy(),
  customersAuditTrail: (_parent, { filter, first, after }, ctx) => findAuditTrail(ctx.db, filter ?? {}, { first, after: after ?? null }),
  customersJobRuns: (_parent, { job, first, after }, ctx) => findJobRuns(ctx.db, { job }, { first, after: after ?? null }),
};

export const AuditRecord = auditRecordResolvers;
