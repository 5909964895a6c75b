import { isoDate, requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findLoansByIds } from '../../db/loan.store.ts';
import { findReviewIdByIdempotencyKey, findReviews, insertReview } from '../../db/review.store.ts';
import { findActiveRulesOfKind, findResponseHours } from '../../db/warning.store.ts';
import { raiseRiskWarningOnce } from '../../events/raise-risk-warning.ts';

export const recordCreditReview: MutationResolvers['recordCreditReview'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'risk_officer');
  if (input.idempotencyKey) {
    const existing = await findReviewIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { review: (await findReviews(ctx.db, { ids: [existing] }))[0] ?? null, userErrors: [] };
  }
  const [loan] = await findLoansByIds(ctx.db, [input.loanId]);
  if (!loan) return { review: null, userErrors: [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }] };
  const errors = [];
  if (loan.status !== 'ACTIVE') errors.push({ field: 'loanId', code: 'LOAN_NOT_ACTIVE', message: `cannot review a loan that is ${loan.status}` });
  if (input.reviewedOn > isoDate(ctx.now())) errors.push({ field: 'reviewedOn', code: 'DATE_IN_FUTURE', message: 'cannot be in the future' });
  if (!input.findings.trim()) errors.push({ field: 'findings', code: 'REQUIRED', message: 'must not be blank' });
  if (errors.length) return { review: null, userErrors: errors };
  const id = uuidv7();
  const now = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    await insertReview(tx, {
      id,
      loan_id: loan.id,
      reviewed_on: input.reviewedOn,
      rating: input.rating,
      findings: input.findings.trim(),
      fund_use_as_declared: input.fundUseAsDeclared,
      reviewer_id: identity.userId,
      idempotency_key: input.idempotencyKey ?? null,
    });
    if (input.fundUseAsDeclared) return;
    const hours = await findResponseHours(tx);
    for (const rule of await findActiveRulesOfKind(tx, ['FUND_USE_DEVIATION'])) {
      const indicators = { declaredPurpose: loan.purpose, reviewId: id, reviewedOn: input.reviewedOn, findings: input.findings.trim() };
      await raiseRiskWarningOnce(tx, { loan, rule, indicators, raisedAt: now, responseHours: hours });
    }
  });
  return { review: (await findReviews(ctx.db, { ids: [id] }))[0] ?? null, userErrors: [] };
};
