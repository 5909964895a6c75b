import { runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { findWatchList, replaceWatchList } from '../db/warning.store.ts';

/** Replaces the industries on the watch list (trimmed, deduplicated, sorted). */
export async function setIndustryWatchList(ctx: CreditContext, cmd: { industries: string[] }): Promise<{ industries: string[]; userErrors: UserError[] }> {
  const industries = [...new Set(cmd.industries.map((i) => i.trim()).filter(Boolean))].sort();
  return runCommand(ctx, { action: 'setIndustryWatchList', entityType: 'IndustryWatchList', entityId: 'industry_watch' }, async (tx, audit) => {
    const before = await findWatchList(tx);
    await replaceWatchList(tx, industries);
    audit.changes({ industries: before }, { industries });
    return { industries, userErrors: [] };
  });
}
