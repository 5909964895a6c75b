import { type EventBatchHandler, type EventHandler, withBatchHandler } from '@crm/events';
import { earnPoints, earnPointsMany } from '../commands/earn-points.ts';
import { openAccountOnce, openAccountsOnce } from '../commands/open-account.ts';
import { findAccountByReferralCode, findAccountsByReferralCodes, normalReferralCode, updateCustomerReplica } from '../db/account.store.ts';
import { insertReferralOnce, insertReferralsOnce } from '../db/referral.store.ts';
import type { DB } from '../db/schema.ts';
import { splitByCustomer } from './batch.ts';

/**
 * Opens the customer's loyalty account (keeping the branch and birth date loyalty needs),
 * credits the welcome points (rule WELCOME, once) and records who referred the customer, if
 * anyone. When a lending event opened the account first, this completes it.
 */
const registeredOne: EventHandler<DB, 'CustomerRegistered'> = async (tx, event, { db }) => {
  const { customerId, branchId, birthDate, referralCode, relationshipManagerId } = event.data;
  const openedAt = new Date(event.time);
  const { account, opened } = await openAccountOnce(tx, customerId, openedAt, { branchId, birthDate, relationshipManagerId }, db);
  if (!opened) {
    await updateCustomerReplica(tx, customerId, {
      branch_id: branchId,
      birth_date: birthDate,
      ...(relationshipManagerId ? { relationship_manager_id: relationshipManagerId } : {}),
    });
  }

  await earnPoints(tx, {
    account: { ...account, fresh: opened },
    ruleCode: 'WELCOME',
    amount: null,
    sourceEventId: event.id,
    sourceRef: 'welcome',
    at: openedAt,
    programme: db,
  });

  if (referralCode) {
    const referrer = await findAccountByReferralCode(tx, referralCode);
    // An unknown code or one's own is ignored: registration never fails over a referral.
    if (referrer && referrer.customer_id !== customerId) {
      await insertReferralOnce(tx, {
        referred_customer_id: customerId,
        referrer_account_id: referrer.id,
        referral_code: referrer.referral_code,
        registered_at: openedAt,
        rewarded_at: null,
        reward_entry_id: null,
      });
    }
  }
};

/**
 * A batch of registrations, set-based (events at broker speed): the same as registeredOne on each
 * in turn, for the customers registered once in the batch, in a few statements whatever their
 * number: one INSERT of the accounts (customers with an account already get their replica fields
 * updated), one of the welcome entries (earnPointsMany), one read of the referrers' codes and one
 * INSERT of the referrals. A customer registered twice in the batch goes through registeredOne.
 */
const registeredMany: EventBatchHandler<DB, 'CustomerRegistered'> = async (tx, events, context) => {
  const { single, repeated } = splitByCustomer(events, (e) => e.data.customerId);
  if (single.length) {
    const as = <T>(index: number, fn: () => Promise<T>) => (single[index] ? context.as(single[index], fn) : fn());
    const accounts = await openAccountsOnce(
      tx,
      single.map(({ data, time }) => ({
        customerId: data.customerId,
        at: new Date(time),
        replica: { branchId: data.branchId, birthDate: data.birthDate, relationshipManagerId: data.relationshipManagerId },
      })),
      context.db,
      as,
    );
    const accountOf = (customerId: string) => {
      const found = accounts.get(customerId);
      if (!found) throw new Error(`no loyalty account for customer ${customerId}`);
      return found;
    };
    for (const { data } of single) {
      // Opened earlier by a lending or survey event: completed now (rare; one statement each).
      if (accountOf(data.customerId).opened) continue;
      await updateCustomerReplica(tx, data.customerId, {
        branch_id: data.branchId,
        birth_date: data.birthDate,
        ...(data.relationshipManagerId ? { relationship_manager_id: data.relationshipManagerId } : {}),
      });
    }
    await earnPointsMany(
      tx,
      single.map((event) => {
        const { account, opened } = accountOf(event.data.customerId);
        return {
          account: { ...account, fresh: opened },
          ruleCode: 'WELCOME',
          amount: null,
          sourceEventId: event.id,
          sourceRef: 'welcome',
          at: new Date(event.time),
        };
      }),
      context.db,
      as,
    );
    const referred = single.filter((e) => e.data.referralCode);
    const referrers = await findAccountsByReferralCodes(
      tx,
      referred.map((e) => e.data.referralCode ?? ''),
    );
    await insertReferralsOnce(
      tx,
      referred.flatMap(({ data, time }) => {
        const referrer = referrers.get(normalReferralCode(data.referralCode ?? ''));
        // An unknown code or one's own is ignored: registration never fails over a referral.
        if (!referrer || referrer.customer_id === data.customerId) return [];
        return [
          {
            referred_customer_id: data.customerId,
            referrer_account_id: referrer.id,
            referral_code: referrer.referral_code,
            registered_at: new Date(time),
            rewarded_at: null,
            reward_entry_id: null,
          },
        ];
      }),
    );
  }
  for (const event of repeated) await context.as(event, () => registeredOne(tx, event, context));
};

/**
 * Opens the customer's loyalty account (keeping the branch and birth date loyalty needs),
 * credits the welcome points (rule WELCOME, once) and records who referred the customer, if
 * anyone; set-based for a batch.
 */
export const onCustomerRegistered = withBatchHandler(registeredOne, registeredMany);
