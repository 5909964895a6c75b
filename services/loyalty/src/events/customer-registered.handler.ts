import { randomBytes } from 'node:crypto';
import { type EventHandler, emit } from '@crm/events';
import { v7 as uuidv7 } from 'uuid';
import { appendEntryOnce, balanceOf, findActiveRule, insertAccountOnce } from '../db/account.store.ts';
import type { DB } from '../db/schema.ts';
import { ENTRY_TIER, expiryOf, referralCodeFrom } from '../domain/points.ts';

/** Opens the customer's loyalty account and credits the welcome points (rule WELCOME). */
export const onCustomerRegistered: EventHandler<DB, 'CustomerRegistered'> = async (tx, event) => {
  const { customerId } = event.data;
  const openedAt = new Date(event.time);
  const accountId = uuidv7();
  const opened = await insertAccountOnce(tx, {
    id: accountId,
    customer_id: customerId,
    tier: ENTRY_TIER,
    referral_code: referralCodeFrom(randomBytes(8)),
    opened_at: openedAt,
  });
  if (!opened) return;
  await emit(tx, 'LoyaltyAccountOpened', {
    subject: customerId,
    data: { accountId, customerId, tier: ENTRY_TIER, openedAt: openedAt.toISOString() },
  });

  const rule = await findActiveRule(tx, 'WELCOME');
  if (!rule || rule.points <= 0) return;
  const entryId = uuidv7();
  const earned = await appendEntryOnce(tx, {
    id: entryId,
    account_id: accountId,
    kind: 'EARN',
    points: rule.points,
    reason: rule.description,
    source_id: event.id,
    created_at: openedAt,
    expires_at: expiryOf(openedAt),
  });
  if (!earned) return;
  await emit(tx, 'PointsEarned', {
    subject: customerId,
    data: { accountId, customerId, entryId, points: rule.points, reason: rule.code, sourceEventId: event.id, balance: await balanceOf(tx, accountId) },
  });
};
