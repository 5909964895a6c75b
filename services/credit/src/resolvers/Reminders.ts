import type { LoanProductResolvers } from '../__generated__/resolvers-types.ts';

/** What src/schema/reminders-visits.graphql adds to LoanProduct (issue 15). */
export const LoanProductReminders: Pick<LoanProductResolvers, 'dueReminderDays'> = {
  dueReminderDays: (p) => p.due_reminder_days,
};
