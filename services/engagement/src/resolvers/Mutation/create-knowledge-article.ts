import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { createKnowledgeArticle as run } from '../../commands/knowledge-article.ts';

export const createKnowledgeArticle: MutationResolvers['createKnowledgeArticle'] = (_parent, { input }, ctx) => run(ctx, input);
