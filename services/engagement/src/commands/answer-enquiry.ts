import { emit } from '@crm/events';
import { requireIdentity, runCommand } from '@crm/service-kit';
import type { AnswerEnquiryInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findEnquiryInScope, updateEnquiryIfStatus } from '../db/enquiry.store.ts';
import { findArticlesByIds } from '../db/knowledge.store.ts';
import { checkEnquiryOpen, validateAnswer } from '../domain/service-centre.ts';
import type { EnquiryResult } from './receive-enquiry.ts';
import { enquiryChanged, enquiryNotFound } from './service-centre-errors.ts';

/** Answers an open enquiry in the caller's scope from an active article and/or in the agent's words. Emits EnquiryAnswered. */
export async function answerEnquiry(ctx: EngagementContext, input: AnswerEnquiryInput): Promise<EnquiryResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const enquiry = await findEnquiryInScope(ctx.db, ctx.scope, input.enquiryId);
  return runCommand(ctx, { action: 'answerEnquiry', entityType: 'Enquiry', entityId: input.enquiryId }, async (tx, audit): Promise<EnquiryResult> => {
    const answer = validateAnswer(input);
    if (!answer.ok) return { enquiry: null, userErrors: answer.errors };
    if (!enquiry) return { enquiry: null, userErrors: [enquiryNotFound(input.enquiryId)] };
    const closed = checkEnquiryOpen(enquiry.status);
    if (closed) return { enquiry: null, userErrors: [closed] };
    const { articleId } = answer.value;
    if (articleId) {
      const [article] = await findArticlesByIds(tx, [articleId]);
      if (!article)
        return { enquiry: null, userErrors: [{ field: 'articleId', code: 'ARTICLE_NOT_FOUND', message: `No knowledge-base article with id ${articleId}` }] };
      if (article.status !== 'ACTIVE')
        return { enquiry: null, userErrors: [{ field: 'articleId', code: 'ARTICLE_RETIRED', message: 'The article is retired' }] };
    }
    const now = ctx.now();
    const row = await updateEnquiryIfStatus(tx, ctx.scope, enquiry.id, 'OPEN', {
      status: 'ANSWERED',
      article_id: articleId,
      answer: answer.value.answer,
      answered_by: identity.userId,
      answered_at: now,
      updated_at: now,
    });
    if (!row) return { enquiry: null, userErrors: [enquiryChanged] };
    await emit(tx, 'EnquiryAnswered', {
      subject: row.customer_id ?? row.id,
      time: now,
      data: { enquiryId: row.id, customerId: row.customer_id, articleId, answeredBy: identity.userId, answeredAt: now.toISOString() },
    });
    // the answer text is free text: it stays out of the audit record
    audit.changes({ status: enquiry.status, articleId: enquiry.article_id }, { status: row.status, articleId: row.article_id });
    return { enquiry: row, userErrors: [] };
  });
}
