import { isoDate, pageSize, requireIdentity, requireRole, toConnection } from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { findLoansPage } from '../db/loan.store.ts';
import { findPortfolioFigures } from '../db/portfolio.store.ts';
import { listProducts } from '../db/product.store.ts';
import { findOverdueReviewsPage } from '../db/review.store.ts';
import { findRules, findWarningsPage } from '../db/warning.store.ts';

export const Query: QueryResolvers = {
  loan: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.loan.load(id);
  },
  loans: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await findLoansPage(ctx.db, filter ?? {}, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
  loanProducts: (_parent, { activeOnly }, ctx) => {
    requireIdentity(ctx);
    return listProducts(ctx.db, activeOnly ?? true);
  },
  riskWarnings: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await findWarningsPage(ctx.db, filter ?? {}, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
  riskWarningRules: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findRules(ctx.db);
  },
  overdueCreditReviews: async (_parent, { asOf, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const due = await findOverdueReviewsPage(ctx.db, asOf ?? isoDate(ctx.now()), { limit: size + 1, after: after ?? null });
    const loans = await Promise.all(due.map(async (d) => ({ ...d, loan: await ctx.loaders.loan.load(d.id) })));
    const rows = loans.flatMap((r) => (r.loan ? [{ review_due: r.review_due, loan: r.loan }] : []));
    return toConnection(
      rows,
      size,
      (r) => [r.review_due, r.loan.id],
      (r) => r.loan,
    );
  },
  portfolioSummary: (_parent, { filter }, ctx) => {
    const identity = requireIdentity(ctx);
    requireRole(identity, 'analyst', 'risk_officer', 'branch_manager');
    return findPortfolioFigures(ctx.db, filter ?? {}, ctx.now());
  },
};
