import { checkKpiRequest, findAuditTrail, findJobRuns, kpiRows, pageSize, toConnection } from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { findApprovalPolicies } from '../db/approval-policy.store.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { creditKpiRows } from '../db/kpi.store.ts';
import { countInstalments, countLoans, findLoansPage, listInstalments } from '../db/loan.store.ts';
import { findPortfolioFigures, findRollRates, findVintages } from '../db/portfolio.store.ts';
import { listProducts } from '../db/product.store.ts';
import { countRepayments, listRepayments } from '../db/repayment.store.ts';
import { countRestructurings, listRestructurings } from '../db/restructuring.store.ts';
import { countReviews, findOverdueReviewsPage, listReviews } from '../db/review.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { countWarnings, findRules, findWarningsPage } from '../db/warning.store.ts';
import { CREDIT_KPIS } from '../domain/kpis.ts';
import { rollRateCells } from '../domain/portfolio.ts';
import { listConnection } from './connections.ts';

/** Roles are declared with `@allow` in schema.graphql; the caller's branch scope is applied in the stores. */
export const Query: QueryResolvers = {
  loan: async (_parent, { id }, ctx) => {
    await assertLoanInScope(ctx.db, ctx.scope, id);
    return ctx.loaders.loan.load(id);
  },
  loans: async (_parent, { filter, ...args }, ctx) => {
    const f = filter ?? {};
    const page = await listConnection(
      args,
      (p) => findLoansPage(ctx.db, ctx.scope, f, p),
      () => countLoans(ctx.db, ctx.scope, f),
    );
    for (const edge of page.edges) ctx.loaders.loan.prime(edge.node.id, edge.node);
    return page;
  },
  instalments: (_parent, { filter, ...args }, ctx) => {
    const f = filter ?? {};
    return listConnection(
      args,
      (p) => listInstalments(ctx.db, ctx.scope, f, p),
      () => countInstalments(ctx.db, ctx.scope, f),
    );
  },
  repayments: (_parent, { filter, ...args }, ctx) => {
    const f = filter ?? {};
    return listConnection(
      args,
      (p) => listRepayments(ctx.db, ctx.scope, f, p),
      () => countRepayments(ctx.db, ctx.scope, f),
    );
  },
  restructurings: (_parent, { filter, ...args }, ctx) => {
    const f = filter ?? {};
    return listConnection(
      args,
      (p) => listRestructurings(ctx.db, ctx.scope, f, p),
      () => countRestructurings(ctx.db, ctx.scope, f),
    );
  },
  creditReviews: (_parent, { filter, ...args }, ctx) => {
    const f = filter ?? {};
    return listConnection(
      args,
      (p) => listReviews(ctx.db, ctx.scope, f, p),
      () => countReviews(ctx.db, ctx.scope, f),
    );
  },
  loanProducts: (_parent, { activeOnly }, ctx) => listProducts(ctx.db, activeOnly ?? true),
  riskWarnings: (_parent, { filter, ...args }, ctx) => {
    const f = filter ?? {};
    return listConnection(
      args,
      (p) => findWarningsPage(ctx.db, ctx.scope, f, p),
      () => countWarnings(ctx.db, ctx.scope, f),
    );
  },
  riskWarningRules: (_parent, _args, ctx) => findRules(ctx.db),
  overdueCreditReviews: async (_parent, { asOf, first, after }, ctx) => {
    const size = pageSize(first);
    // by default as of the business date (the wall clock's until one is set or closed)
    const on = asOf ?? (await findBusinessDate(ctx.db, ctx.now())).date;
    const due = await findOverdueReviewsPage(ctx.db, ctx.scope, on, { limit: size + 1, after: after ?? null });
    const loans = await Promise.all(due.map(async (d) => ({ ...d, loan: await ctx.loaders.loan.load(d.id) })));
    const rows = loans.flatMap((r) => (r.loan ? [{ review_due: r.review_due, loan: r.loan }] : []));
    const page = toConnection(
      rows,
      size,
      (r) => [r.review_due, r.loan.id],
      (r) => r.loan,
    );
    // Counting the overdue reviews is not offered here: the list is a work queue, not a report.
    return { ...page, count: async () => Promise.reject(new Error('totalCount is not available on overdueCreditReviews')) };
  },
  // "now" is the business date: the latest run on or before it unless the filter gives a date
  portfolioSummary: async (_parent, { filter }, ctx) => findPortfolioFigures(ctx.db, ctx.scope, filter ?? {}, (await findBusinessDate(ctx.db, ctx.now())).date),
  rollRates: async (_parent, { from, to, filter }, ctx) => {
    const matrix = await findRollRates(ctx.db, ctx.scope, from, to, filter ?? {});
    return { fromAsOf: matrix.fromAsOf, toAsOf: matrix.toAsOf, cells: rollRateCells(matrix.cells) };
  },
  vintages: (_parent, { filter }, ctx) => findVintages(ctx.db, ctx.scope, filter ?? {}),
  creditKpi: async (_parent, { metric, groupBy, from, to }, ctx) => {
    const definition = CREDIT_KPIS[metric];
    const dimensions = checkKpiRequest(definition, { groupBy, from, to });
    return kpiRows(definition, dimensions, await creditKpiRows(ctx.db, metric, { groupBy: dimensions, from, to, scope: ctx.scope }));
  },
  creditAuditTrail: (_parent, { filter, first, after }, ctx) => findAuditTrail(ctx.db, filter ?? {}, { first, after }),
  creditJobRuns: (_parent, { job, first, after }, ctx) => findJobRuns(ctx.db, { job }, { first, after }),
  approvalPolicies: (_parent, _args, ctx) => findApprovalPolicies(ctx.db),
  businessDate: (_parent, _args, ctx) => findBusinessDate(ctx.db, ctx.now()),
};
