import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { retireKnowledgeArticle as run } from '../../commands/knowledge-article.ts';

export const retireKnowledgeArticle: MutationResolvers['retireKnowledgeArticle'] = (_parent, { input }, ctx) => run(ctx, input);
