import { runCommand, type UserError } from '@crm/service-kit';
import type { SetLoanProductReminderDaysInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findProductByCode, setProductReminderDays } from '../db/product.store.ts';
import { reminderDaysError } from '../domain/reminders.ts';

/**
 * Sets a product's due-reminder lead (issue 15): from the next end-of-day run, its loans' unpaid
 * instalments get their InstalmentDue that many days before the due date (once each; an
 * instalment already reminded of is not reminded again). Configuration: audited, no event.
 */
export async function setLoanProductReminderDays(
  ctx: CreditContext,
  input: SetLoanProductReminderDaysInput,
): Promise<{ productId: string | null; userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'setLoanProductReminderDays', entityType: 'LoanProduct' }, async (tx, audit) => {
    const product = await findProductByCode(tx, input.productCode.trim());
    if (!product)
      return { productId: null, userErrors: [{ field: 'productCode', code: 'PRODUCT_NOT_FOUND', message: `No loan product ${input.productCode}` }] };
    audit.entity(product.id);
    const error = reminderDaysError(input.dueReminderDays);
    if (error) return { productId: null, userErrors: [error] };
    await setProductReminderDays(tx, product.id, input.dueReminderDays);
    audit.changes({ dueReminderDays: product.due_reminder_days }, { dueReminderDays: input.dueReminderDays });
    return { productId: product.id, userErrors: [] };
  });
}
