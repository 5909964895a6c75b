import { emit } from '@crm/events';
import { isoDate, requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findLoansByIds } from '../../db/loan.store.ts';
import { findReviewIdByIdempotencyKey, findReviews, insertReview } from '../../db/review.store.ts';
import { findActiveRulesOfKind, findResponseHours, insertWarningOnce } from '../../db/warning.store.ts';

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
      const warningId = uuidv7();
      const responseDueAt = new Date(now.getTime() + (hours.get(rule.severity) ?? 24) * 3_600_000);
      const indicators = { declaredPurpose: loan.purpose, reviewId: id, reviewedOn: input.reviewedOn, findings: input.findings.trim() };
      const raised = await insertWarningOnce(tx, {
        id: warningId,
        loan_id: loan.id,
        customer_id: loan.customer_id,
        rule_code: rule.code,
        severity: rule.severity,
        indicators: JSON.stringify(indicators),
        status: 'OPEN',
        officer_id: loan.officer_id,
        raised_at: now,
        response_due_at: responseDueAt,
        acknowledged_at: null,
        action_taken_at: null,
        resolved_at: null,
        escalated_at: null,
        note: null,
      });
      if (!raised) continue;
      await emit(tx, 'RiskWarningRaised', {
        subject: loan.customer_id,
        data: {
          warningId,
          loanId: loan.id,
          customerId: loan.customer_id,
          ruleCode: rule.code,
          severity: rule.severity,
          indicators,
          officerId: loan.officer_id,
          responseDueAt: responseDueAt.toISOString(),
        },
      });
    }
  });
  return { review: (await findReviews(ctx.db, { ids: [id] }))[0] ?? null, userErrors: [] };
};
