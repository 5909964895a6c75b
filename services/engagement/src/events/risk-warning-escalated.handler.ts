import type { EventHandler } from '@crm/events';
import { escalateRiskWarningReview } from '../commands/escalate-risk-warning-review.ts';
import type { DB } from '../db/schema.ts';

/** An escalated warning makes its open review task urgent; without one, an urgent review due within a day. */
export const onRiskWarningEscalated: EventHandler<DB, 'RiskWarningEscalated'> = (tx, event) => escalateRiskWarningReview(tx, event.data, event.id);
