import { emit } from '@crm/events';
import { lockIdempotencyKey, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { RecordCreditReviewInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { findLoanInScope } from '../db/loan.store.ts';
import { findReviewIdByIdempotencyKey, insertReview } from '../db/review.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { findActiveRulesOfKind, findResponseHours } from '../db/warning.store.ts';
import { raiseRiskWarningOnce } from './raise-risk-warning.ts';

/**
 * Records a credit review; a fund use other than declared raises a FUND_USE_DEVIATION warning in
 * the same transaction. A repeated idempotency key returns the first. Outside the scope: FORBIDDEN.
 */
export async function recordCreditReview(ctx: CreditContext, cmd: RecordCreditReviewInput): Promise<{ reviewId: string | null; userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  return runCommand(ctx, { action: 'recordCreditReview', entityType: 'CreditReview' }, async (tx, audit) => {
    if (cmd.idempotencyKey) {
      // a second identical request waits for the first to commit, then finds its row
      await lockIdempotencyKey(tx, 'credit_review', cmd.idempotencyKey);
      const existing = await findReviewIdByIdempotencyKey(tx, cmd.idempotencyKey);
      if (existing) {
        audit.entity(existing);
        audit.detail({ replay: true });
        return { reviewId: existing, userErrors: [] };
      }
    }
    const loan = await findLoanInScope(tx, ctx.scope, cmd.loanId);
    if (!loan) return { reviewId: null, userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const errors: UserError[] = [];
    if (loan.status !== 'ACTIVE') errors.push({ field: 'loanId', code: 'LOAN_NOT_ACTIVE', message: `cannot review a loan that is ${loan.status}` });
    // not after the institution's business date (the wall clock's until one is set or closed)
    const today = (await findBusinessDate(tx, ctx.now())).date;
    if (cmd.reviewedOn > today) errors.push({ field: 'reviewedOn', code: 'DATE_IN_FUTURE', message: `cannot be after the business date ${today}` });
    if (!cmd.findings.trim()) errors.push({ field: 'findings', code: 'REQUIRED', message: 'must not be blank' });
    if (errors.length) return { reviewId: null, userErrors: errors };
    const id = uuidv7();
    const now = ctx.now();
    await insertReview(tx, {
      id,
      loan_id: loan.id,
      reviewed_on: cmd.reviewedOn,
      rating: cmd.rating,
      findings: cmd.findings.trim(),
      fund_use_as_declared: cmd.fundUseAsDeclared,
      reviewer_id: actorId,
      idempotency_key: cmd.idempotencyKey ?? null,
    });
    audit.entity(id);
    // The findings are free text: kept in the row, not in the audit.
    audit.changes(null, { loanId: loan.id, reviewedOn: cmd.reviewedOn, rating: cmd.rating, fundUseAsDeclared: cmd.fundUseAsDeclared });
    await emit(tx, 'CreditReviewRecorded', {
      subject: loan.customer_id,
      time: now,
      data: {
        reviewId: id,
        loanId: loan.id,
        customerId: loan.customer_id,
        reviewedOn: cmd.reviewedOn,
        rating: cmd.rating,
        fundUseAsDeclared: cmd.fundUseAsDeclared,
        reviewerId: actorId,
      },
    });
    if (!cmd.fundUseAsDeclared) {
      const hours = await findResponseHours(tx);
      for (const rule of await findActiveRulesOfKind(tx, ['FUND_USE_DEVIATION'])) {
        const indicators = { declaredPurpose: loan.purpose, reviewId: id, reviewedOn: cmd.reviewedOn, findings: cmd.findings.trim() };
        await raiseRiskWarningOnce(tx, { loan, rule, indicators, raisedAt: now, responseHours: hours });
      }
    }
    return { reviewId: id, userErrors: [] };
  });
}
