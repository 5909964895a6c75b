import { runCommand, type UserError } from '@crm/service-kit';
import type { UpdateNotificationSettingsInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import {
  findLanguagesOfBranches,
  findNotificationSettings,
  type NotificationSettingsView,
  saveBranchLanguages,
  saveKindPolicies,
} from '../db/notification.store.ts';
import { saveSetting } from '../db/setting.store.ts';
import { NOTIFICATION_SETTING_DEFAULTS, validateNotificationSettings } from '../domain/notifications.ts';

export type NotificationSettingsResult = { settings: NotificationSettingsView | null; userErrors: UserError[] };

/**
 * Changes how notifications are sent (only the fields given): default and branch languages,
 * quiet hours and their time zone, attempts and retry delay, and the policy of each kind. One
 * transaction with the before and after on the audit record. Queued notifications keep their
 * channel, language and text; the new quiet hours, consents and attempts apply from the next
 * dispatch.
 */
export async function updateNotificationSettings(ctx: EngagementContext, input: UpdateNotificationSettingsInput): Promise<NotificationSettingsResult> {
  const validation = validateNotificationSettings(input);
  return runCommand(ctx, { action: 'updateNotificationSettings', entityType: 'NotificationSettings', entityId: 'engagement' }, async (tx, audit) => {
    if (!validation.ok) return { settings: null, userErrors: validation.errors };
    const change = validation.value;
    const now = ctx.now();
    const before = await findNotificationSettings(tx, NOTIFICATION_SETTING_DEFAULTS);
    const branchIds = (change.branchLanguages ?? []).map((b) => b.branchId);
    const languagesBefore = await findLanguagesOfBranches(tx, branchIds);
    const texts: [keyof typeof NOTIFICATION_SETTING_DEFAULTS, string | number | null][] = [
      ['notification_default_language', change.defaultLanguage],
      ['notification_time_zone', change.timeZone],
      ['notification_quiet_start', change.quietHoursStart],
      ['notification_quiet_end', change.quietHoursEnd],
      ['notification_max_attempts', change.maxAttempts],
      ['notification_retry_minutes', change.retryMinutes],
    ];
    for (const [key, value] of texts) if (value !== null) await saveSetting(tx, key, String(value), now);
    if (change.branchLanguages) await saveBranchLanguages(tx, change.branchLanguages);
    if (change.kinds) await saveKindPolicies(tx, change.kinds, now);
    const after = await findNotificationSettings(tx, NOTIFICATION_SETTING_DEFAULTS);
    audit.changes(flat(before, languagesBefore), flat(after, await findLanguagesOfBranches(tx, branchIds)));
    return { settings: after, userErrors: [] };
  });
}

/**
 * The settings as audited fields (the kinds as JSON text, so a change shows as one field; the
 * language of each branch the change named as a field of its own, `branchLanguages.<branchId>`).
 */
const flat = (s: NotificationSettingsView, languages: Record<string, string | null>) => ({
  defaultLanguage: s.defaultLanguage,
  timeZone: s.timeZone,
  quietHoursStart: s.quietHoursStart,
  quietHoursEnd: s.quietHoursEnd,
  maxAttempts: s.maxAttempts,
  retryMinutes: s.retryMinutes,
  kinds: JSON.stringify(s.kinds),
  ...Object.fromEntries(Object.entries(languages).map(([branchId, language]) => [`branchLanguages.${branchId}`, language])),
});
