import type { UserError } from '@crm/service-kit';
import type { ConsultationRow } from '../db/service-centre.tables.ts';

export type ConsultationResult = { consultation: ConsultationRow | null; userErrors: UserError[] };

/** The audited fields of a consultation (the question, answer and reason are free text and stay out). */
export const auditedConsultation = (c: ConsultationRow) => ({
  status: c.status,
  expertUserId: c.expert_user_id,
  dueAt: c.due_at,
  answeredAt: c.answered_at,
  cancelledAt: c.cancelled_at,
});
