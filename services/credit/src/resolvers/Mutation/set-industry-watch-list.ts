import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setIndustryWatchList as setIndustryWatchListCommand } from '../../commands/set-industry-watch-list.ts';

/** Replaces the industries on the watch list (WATCHLIST_INDUSTRY rule). */
export const setIndustryWatchList: MutationResolvers['setIndustryWatchList'] = (_parent, { input }, ctx) =>
  setIndustryWatchListCommand(ctx, { industries: input.industries });
