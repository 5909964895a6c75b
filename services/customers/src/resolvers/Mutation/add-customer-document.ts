import { requireIdentity } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockCustomer } from '../../db/customer.store.ts';
import { findDocumentByIdempotencyKey, insertDocument } from '../../db/document.store.ts';
import type { CustomerDocumentRow } from '../../db/schema.ts';
import { validateDocument } from '../../domain/document.ts';
import { customerNotFound } from './errors.ts';

/** Adds a document's metadata and storage reference to the customer file (the blob lives elsewhere). */
export const addCustomerDocument: MutationResolvers['addCustomerDocument'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  if (input.idempotencyKey) {
    const existing = await findDocumentByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) {
      await ctx.loaders.customer.load(existing.customer_id); // FORBIDDEN outside the caller's scope
      return { document: existing, userErrors: [] };
    }
  }
  const validation = validateDocument(input);
  if (!validation.ok) return { document: null, userErrors: validation.errors };
  const d = validation.document;
  const row: CustomerDocumentRow = {
    id: uuidv7(),
    customer_id: input.customerId,
    category: d.category,
    document_type: d.documentType,
    title: d.title,
    storage_ref: d.storageRef,
    content_type: d.contentType,
    size_bytes: d.sizeBytes === null ? null : String(d.sizeBytes),
    idempotency_key: input.idempotencyKey ?? null,
    added_by: identity.userId,
    added_at: ctx.now(),
  };
  const found = await ctx.db.transaction().execute(async (tx) => {
    if (!(await lockCustomer(tx, ctx.scope, input.customerId))) return false;
    await insertDocument(tx, row);
    return true;
  });
  if (!found) return { document: null, userErrors: [customerNotFound()] };
  return { document: row, userErrors: [] };
};
