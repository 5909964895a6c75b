export { creditService } from '@crm/credit';
export { customersService } from '@crm/customers';
export { engagementService } from '@crm/engagement';
export { loyaltyService } from '@crm/loyalty';
