import { findAuditTrail, findJobRuns, isoDate, pageSize, toConnection } from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { findApprovalPolicies } from '../db/approval-policy.store.ts';
import { findLoansPage } from '../db/loan.store.ts';
import { findPortfolioFigures } from '../db/portfolio.store.ts';
import { listProducts } from '../db/product.store.ts';
import { findOverdueReviewsPage } from '../db/review.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { findRules, findWarningsPage } from '../db/warning.store.ts';

/** Roles are declared with `@allow` in schema.graphql; the caller's branch scope is applied in the stores. */
export const Query: QueryResolvers = {
  loan: async (_parent, { id }, ctx) => {
    await assertLoanInScope(ctx.db, ctx.scope, id);
    return ctx.loaders.loan.load(id);
  },
  loans: async (_parent, { filter, first, after }, ctx) => {
    const size = pageSize(first);
    const rows = await findLoansPage(ctx.db, ctx.scope, filter ?? {}, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
  loanProducts: (_parent, { activeOnly }, ctx) => listProducts(ctx.db, activeOnly ?? true),
  riskWarnings: async (_parent, { filter, first, after }, ctx) => {
    const size = pageSize(first);
    const rows = await findWarningsPage(ctx.db, ctx.scope, filter ?? {}, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
  riskWarningRules: (_parent, _args, ctx) => findRules(ctx.db),
  overdueCreditReviews: async (_parent, { asOf, first, after }, ctx) => {
    const size = pageSize(first);
    const due = await findOverdueReviewsPage(ctx.db, ctx.scope, asOf ?? isoDate(ctx.now()), { limit: size + 1, after: after ?? null });
    const loans = await Promise.all(due.map(async (d) => ({ ...d, loan: await ctx.loaders.loan.load(d.id) })));
    const rows = loans.flatMap((r) => (r.loan ? [{ review_due: r.review_due, loan: r.loan }] : []));
    return toConnection(
      rows,
      size,
      (r) => [r.review_due, r.loan.id],
      (r) => r.loan,
    );
  },
  portfolioSummary: (_parent, { filter }, ctx) => findPortfolioFigures(ctx.db, ctx.scope, filter ?? {}, ctx.now()),
  creditAuditTrail: (_parent, { filter, first, after }, ctx) => findAuditTrail(ctx.db, filter ?? {}, { first, after }),
  creditJobRuns: (_parent, { job, first, after }, ctx) => findJobRuns(ctx.db, { job }, { first, after }),
  approvalPolicies: (_parent, _args, ctx) => findApprovalPolicies(ctx.db),
};
