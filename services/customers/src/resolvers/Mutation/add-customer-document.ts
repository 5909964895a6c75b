import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { addCustomerDocument as command } from '../../commands/add-customer-document.ts';

/** Adds a document's metadata and storage reference to the customer file (the blob lives elsewhere). */
export const addCustomerDocument: MutationResolvers['addCustomerDocument'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const { document, userErrors } = await command(ctx, identity, input);
  return { document, userErrors };
};
