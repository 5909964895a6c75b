import { emit } from '@crm/events';
import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { SetMonitoringCadenceInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { bandOf, findCadence, replaceCadence } from '../db/monitoring.store.ts';
import type { MonitoringCadenceRow } from '../db/schema.ts';
import { validateCadence } from '../domain/monitoring.ts';

export type MonitoringCadenceResult = { bands: MonitoringCadenceRow[] | null; userErrors: UserError[] };

/** The subject (message key) of MonitoringCadenceChanged: the table is one aggregate. */
export const MONITORING_CADENCE_SUBJECT = 'monitoring-cadence';

/**
 * Replaces the monitoring cadence (validateCadence: every class from 0, each band once, 1-730
 * days). One transaction: the table, the audit record with the table before and after, and
 * MonitoringCadenceChanged carrying the whole new table (credit's review due dates follow it).
 * Open planned tasks keep their due time until their loan's next risk-class change; the next ones
 * are planned with it.
 */
export async function setMonitoringCadence(ctx: EngagementContext, input: SetMonitoringCadenceInput): Promise<MonitoringCadenceResult> {
  const identity = requireIdentity(ctx);
  // the Decimal scalar gives exact decimals: the rules take their text
  const validation = validateCadence({ bands: input.bands.map((b) => ({ ...b, minPrincipal: b.minPrincipal.toFixed() })) });
  return runCommand(ctx, { action: 'setMonitoringCadence', entityType: 'MonitoringCadence', entityId: 'engagement' }, async (tx, audit) => {
    if (!validation.ok) return { bands: null, userErrors: validation.errors };
    const before = await findCadence(tx);
    await replaceCadence(tx, validation.value);
    const after = await findCadence(tx);
    const text = (rows: MonitoringCadenceRow[]) =>
      rows.map((r) => `${r.risk_class} from ${r.min_principal}: visit every ${r.visit_every_days} d, review every ${r.review_every_days} d`).join('; ');
    audit.changes({ bands: text(before) }, { bands: text(after) });
    const now = ctx.now();
    await emit(tx, 'MonitoringCadenceChanged', {
      subject: MONITORING_CADENCE_SUBJECT,
      time: now,
      data: { bands: after.map(bandOf), changedBy: identity.userId, changedAt: now.toISOString() },
    });
    return { bands: after, userErrors: [] };
  });
}
