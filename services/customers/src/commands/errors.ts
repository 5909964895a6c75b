import type { UserError } from '@crm/service-kit';

/** The user error of every command that names a customer this service does not know. */
export const customerNotFound = (field = 'customerId'): UserError => ({ field, message: 'No customer has this id', code: 'CUSTOMER_NOT_FOUND' });
