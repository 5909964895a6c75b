import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { UpsertNotificationTemplateInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { upsertTemplate } from '../db/notification.store.ts';
import type { NotificationTemplateRow } from '../db/schema.ts';
import { validateTemplate } from '../domain/notifications.ts';

export type NotificationTemplateResult = { template: NotificationTemplateRow | null; userErrors: UserError[] };

/**
 * Creates or replaces the template of a kind, channel and language (validateTemplate: a known
 * language tag, a body within the channel's length, a subject for EMAIL and LETTER, only the
 * kind's placeholders). Audited with the texts before and after. Notifications queued before keep
 * the text they were queued with.
 */
export async function upsertNotificationTemplate(ctx: EngagementContext, input: UpsertNotificationTemplateInput): Promise<NotificationTemplateResult> {
  const identity = requireIdentity(ctx);
  const validation = validateTemplate(input);
  return runCommand(ctx, { action: 'upsertNotificationTemplate', entityType: 'NotificationTemplate' }, async (tx, audit) => {
    if (!validation.ok) return { template: null, userErrors: validation.errors };
    const t = validation.value;
    const { before, after } = await upsertTemplate(tx, { id: uuidv7(), ...t, by: identity.userId, at: ctx.now() });
    audit.entity(after.id);
    const shown = (r: NotificationTemplateRow | undefined) =>
      r ? { kind: r.kind, channel: r.channel, language: r.language, subject: r.subject, body: r.body } : null;
    audit.changes(shown(before), shown(after) ?? {});
    return { template: after, userErrors: [] };
  });
}
