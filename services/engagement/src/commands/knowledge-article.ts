import { findIdempotentReplay, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CreateKnowledgeArticleInput, RetireKnowledgeArticleInput, UpdateKnowledgeArticleInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findArticleForUpdate, findArticleIdByIdempotencyKey, insertArticle, updateArticle } from '../db/knowledge.store.ts';
import type { KnowledgeArticleRow } from '../db/service-centre.tables.ts';
import { validateArticleChange, validateNewArticle } from '../domain/service-centre.ts';
import { replayed } from './replayed.ts';

/**
 * The knowledge base's use cases: create, update, retire an article (institution-wide data, no
 * customer: no branch scope). Each is audited with the fields it changed; no event: the knowledge
 * base is engagement's own, and enquiries answered from it carry the article id in EnquiryAnswered.
 */
export type ArticleResult = { article: KnowledgeArticleRow | null; userErrors: UserError[] };

const audited = (a: Pick<KnowledgeArticleRow, 'question' | 'answer' | 'product' | 'tags' | 'status'>) => ({
  question: a.question,
  answer: a.answer,
  product: a.product,
  tags: a.tags,
  status: a.status,
});

const notFound = (id: string): UserError => ({ field: 'articleId', code: 'ARTICLE_NOT_FOUND', message: `No knowledge-base article with id ${id}` });
const retired: UserError = { field: 'articleId', code: 'ARTICLE_RETIRED', message: 'The article is retired' };

export async function createKnowledgeArticle(ctx: EngagementContext, input: CreateKnowledgeArticleInput): Promise<ArticleResult> {
  const identity = requireIdentity(ctx);
  const result = validateNewArticle(input);
  const done = await runCommand(
    ctx,
    { action: 'createKnowledgeArticle', entityType: 'KnowledgeArticle' },
    async (tx, audit): Promise<{ id: string | null; userErrors: UserError[] }> => {
      const replay = await findIdempotentReplay(tx, 'knowledge_article', input.idempotencyKey, (key) => findArticleIdByIdempotencyKey(tx, key));
      if (replay) return replayed(audit, replay);
      if (!result.ok) return { id: null, userErrors: result.errors };
      const id = uuidv7();
      const now = ctx.now();
      const a = result.value;
      await insertArticle(tx, {
        id,
        question: a.question,
        answer: a.answer,
        product: a.product,
        tags: JSON.stringify(a.tags),
        status: 'ACTIVE',
        created_by: identity.userId,
        created_at: now,
        updated_by: null,
        updated_at: now,
        retired_at: null,
        idempotency_key: input.idempotencyKey ?? null,
      });
      audit.entity(id);
      audit.changes(null, audited({ ...a, status: 'ACTIVE' }));
      return { id, userErrors: [] };
    },
  );
  if (!done.id) return { article: null, userErrors: done.userErrors };
  return { article: await ctx.loaders.serviceCentre.article.load(done.id), userErrors: [] };
}

export async function updateKnowledgeArticle(ctx: EngagementContext, input: UpdateKnowledgeArticleInput): Promise<ArticleResult> {
  const identity = requireIdentity(ctx);
  const result = validateArticleChange(input);
  return runCommand(ctx, { action: 'updateKnowledgeArticle', entityType: 'KnowledgeArticle', entityId: input.articleId }, async (tx, audit) => {
    if (!result.ok) return { article: null, userErrors: result.errors };
    const before = await findArticleForUpdate(tx, input.articleId);
    if (!before) return { article: null, userErrors: [notFound(input.articleId)] };
    if (before.status === 'RETIRED') return { article: null, userErrors: [retired] };
    const c = result.value;
    const article = await updateArticle(tx, before.id, {
      ...(c.question !== undefined ? { question: c.question } : {}),
      ...(c.answer !== undefined ? { answer: c.answer } : {}),
      ...(c.product !== undefined ? { product: c.product } : {}),
      ...(c.tags !== undefined ? { tags: JSON.stringify(c.tags) } : {}),
      updated_by: identity.userId,
      updated_at: ctx.now(),
    });
    audit.changes(audited(before), audited(article));
    return { article, userErrors: [] };
  });
}

export async function retireKnowledgeArticle(ctx: EngagementContext, input: RetireKnowledgeArticleInput): Promise<ArticleResult> {
  const identity = requireIdentity(ctx);
  return runCommand(ctx, { action: 'retireKnowledgeArticle', entityType: 'KnowledgeArticle', entityId: input.articleId }, async (tx, audit) => {
    const before = await findArticleForUpdate(tx, input.articleId);
    if (!before) return { article: null, userErrors: [notFound(input.articleId)] };
    if (before.status === 'RETIRED') return { article: null, userErrors: [retired] };
    const now = ctx.now();
    const article = await updateArticle(tx, before.id, { status: 'RETIRED', retired_at: now, updated_by: identity.userId, updated_at: now });
    audit.changes(audited(before), audited(article));
    return { article, userErrors: [] };
  });
}
