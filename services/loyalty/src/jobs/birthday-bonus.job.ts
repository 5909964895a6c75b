import { emit } from '@crm/events';
import type { JobDefinition } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { findActiveRule, findSettings } from '../db/account.store.ts';
import { appendEntriesOnce, balancesOf, findBirthdayMembers } from '../db/ledger.store.ts';
import type { DB } from '../db/schema.ts';
import { pointsForRule } from '../domain/earning.ts';
import { expiryOf, isBirthday } from '../domain/points.ts';

/** Credits the birthday bonus (rule BIRTHDAY_BONUS) to members born on the date, once a year each. */
export const birthdayBonusJob: JobDefinition<DB> = {
  name: 'birthday-bonus',
  description: 'Birthday bonus points for members whose birthday it is',
  everyMs: 6 * 60 * 60_000,
  run: ({ db, asOf }) =>
    db.transaction().execute(async (tx) => {
      const rule = await findActiveRule(tx, 'BIRTHDAY_BONUS');
      if (!rule) return { credited: 0 };
      const settings = await findSettings(tx);
      const at = new Date(`${asOf}T00:00:00Z`);
      const members = (await findBirthdayMembers(tx, asOf)).filter((m) => isBirthday(m.birth_date, asOf));
      const entries = members
        .map((m) => ({
          member: m,
          points: pointsForRule(
            { code: rule.code, calculation: rule.calculation, points: rule.points, rate: rule.rate, tierMultiplier: rule.tier_multiplier },
            null,
            m.multiplier,
          ),
        }))
        .filter((x) => x.points > 0)
        .map(({ member, points }) => ({
          id: uuidv7(),
          account_id: member.account_id,
          kind: 'EARN' as const,
          points,
          reason: rule.description,
          source_id: `birthday:${asOf}`,
          source_ref: `birthday:${asOf.slice(0, 4)}`,
          rule_code: rule.code,
          created_at: at,
          expires_at: expiryOf(at, settings.points_validity_months),
        }));
      const appended = await appendEntriesOnce(tx, entries);
      const customerOf = new Map(members.map((m) => [m.account_id, m.customer_id]));
      const balances = await balancesOf(
        tx,
        appended.map((a) => a.account_id),
      );
      for (const a of appended) {
        const customerId = customerOf.get(a.account_id) ?? '';
        await emit(tx, 'PointsEarned', {
          subject: customerId,
          data: {
            accountId: a.account_id,
            customerId,
            entryId: a.id,
            points: a.points,
            reason: rule.code,
            sourceEventId: `birthday:${asOf}`,
            balance: balances.get(a.account_id) ?? 0,
          },
        });
      }
      return { credited: appended.length };
    }),
};
