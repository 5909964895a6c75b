import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateKnowledgeArticle as run } from '../../commands/knowledge-article.ts';

export const updateKnowledgeArticle: MutationResolvers['updateKnowledgeArticle'] = (_parent, { input }, ctx) => run(ctx, input);
