import type { UserError } from '@crm/service-kit';

/** The user errors the service centre's and expert help's commands share. */
export const enquiryNotFound = (id: string): UserError => ({ field: 'enquiryId', code: 'ENQUIRY_NOT_FOUND', message: `No enquiry with id ${id}` });
export const enquiryChanged: UserError = { field: 'enquiryId', code: 'ENQUIRY_CHANGED', message: 'The enquiry changed meanwhile; reload it and try again' };
export const leadNotFound = (id: string): UserError => ({ field: 'leadId', code: 'LEAD_NOT_FOUND', message: `No lead with id ${id}` });
export const leadChanged: UserError = {
  field: 'leadId',
  code: 'LEAD_CHANGED',
  message: 'The lead changed meanwhile (it may have converted); reload it and try again',
};
export const consultationNotFound = (id: string): UserError => ({
  field: 'consultationId',
  code: 'CONSULTATION_NOT_FOUND',
  message: `No consultation with id ${id}`,
});
export const consultationChanged: UserError = {
  field: 'consultationId',
  code: 'CONSULTATION_CHANGED',
  message: 'The consultation changed meanwhile; reload it and try again',
};
