import type { Scope } from '@crm/service-kit';
import { expressionBuilder, type Kysely, sql } from 'kysely';
import { accountInScope } from './account.store.ts';
import type { DB } from './schema.ts';

export interface RawFigures {
  issued: number;
  redeemed: number;
  expired: number;
  reversed: number;
}

export interface ProgrammeFilter {
  from: Date;
  /** Exclusive. */
  to: Date;
  branchId: string | null;
  /** The caller's scope: a branch-bound caller counts only the members within it. */
  scope: Scope;
}

const figures = (from: Date, to: Date) => sql`
  coalesce(sum(e.points) filter (where e.kind in ('EARN', 'ADJUST') and e.points > 0 and e.created_at >= ${from} and e.created_at < ${to}), 0)::int as issued,
  (coalesce(-sum(e.points) filter (where e.kind = 'REDEEM' and e.created_at >= ${from} and e.created_at < ${to}), 0)
    - coalesce(sum(e.points) filter (where e.kind = 'REVERSE' and e.points > 0 and e.created_at >= ${from} and e.created_at < ${to}), 0))::int as redeemed,
  coalesce(-sum(e.points) filter (where e.kind = 'EXPIRE' and e.created_at >= ${from} and e.created_at < ${to}), 0)::int as expired,
  coalesce(-sum(e.points) filter (where e.kind in ('REVERSE', 'ADJUST') and e.points < 0 and e.created_at >= ${from} and e.created_at < ${to}), 0)::int as reversed`;

/** Members (`a`) of the branch asked for, if any, within the caller's scope. */
const branchFilter = (branchId: string | null, scope: Scope) =>
  sql`${branchId === null ? sql`true` : sql`a.branch_id = ${branchId}`} and ${accountInScope(scope)(expressionBuilder<DB, 'loyalty_account'>())}`;

/** Points issued, redeemed, expired, reversed in the period, and the liability at its end, per branch. */
export async function figuresByBranch(
  db: Kysely<DB>,
  f: ProgrammeFilter,
): Promise<(RawFigures & { branch_id: string | null; liability: number; members: number })[]> {
  const result = await sql<RawFigures & { branch_id: string | null; liability: number; members: number }>`
    select a.branch_id, ${figures(f.from, f.to)},
           coalesce(sum(e.points) filter (where e.created_at < ${f.to}), 0)::int as liability,
           count(distinct a.id) filter (where a.opened_at < ${f.to})::int as members
    from loyalty_account a left join points_entry e on e.account_id = a.id
    where ${branchFilter(f.branchId, f.scope)}
    group by a.branch_id
    order by a.branch_id nulls last`.execute(db);
  return result.rows.map((r) => ({
    ...r,
    issued: Number(r.issued),
    redeemed: Number(r.redeemed),
    expired: Number(r.expired),
    reversed: Number(r.reversed),
    liability: Number(r.liability),
    members: Number(r.members),
  }));
}

/** The same figures per calendar month (UTC) of the period. */
export async function figuresByMonth(db: Kysely<DB>, f: ProgrammeFilter): Promise<(RawFigures & { month: string })[]> {
  const result = await sql<RawFigures & { month: string }>`
    select to_char(e.created_at at time zone 'UTC', 'YYYY-MM') as month, ${figures(f.from, f.to)}
    from points_entry e join loyalty_account a on a.id = e.account_id
    where ${branchFilter(f.branchId, f.scope)} and e.created_at >= ${f.from} and e.created_at < ${f.to}
    group by 1
    order by 1`.execute(db);
  return result.rows.map((r) => ({ ...r, issued: Number(r.issued), redeemed: Number(r.redeemed), expired: Number(r.expired), reversed: Number(r.reversed) }));
}

/** Members per tier now (every configured tier, zero included). */
export async function membersPerTier(db: Kysely<DB>, scope: Scope, branchId: string | null): Promise<{ tier: string; members: number }[]> {
  const result = await sql<{ tier: string; members: number }>`
    select t.code as tier, count(a.id)::int as members
    from loyalty_tier t left join loyalty_account a on a.tier = t.code and ${branchFilter(branchId, scope)}
    group by t.code, t.rank
    order by t.rank`.execute(db);
  return result.rows.map((r) => ({ tier: r.tier, members: Number(r.members) }));
}
