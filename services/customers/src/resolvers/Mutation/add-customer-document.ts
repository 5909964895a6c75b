import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockCustomer } from '../../db/customer.store.ts';
import { findDocumentByIdempotencyKey, insertDocument } from '../../db/document.store.ts';
import type { CustomerDocumentRow } from '../../db/schema.ts';
import { customerNotFound } from './errors.ts';

/** Adds a document's metadata and storage reference to the customer file (the blob lives elsewhere). */
export const addCustomerDocument: MutationResolvers['addCustomerDocument'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent');
  if (input.idempotencyKey) {
    const existing = await findDocumentByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { document: existing, userErrors: [] };
  }
  const errors: UserError[] = [];
  const text = (field: 'documentType' | 'title' | 'storageRef', max: number) => {
    const v = input[field].trim();
    if (!v) errors.push({ field, message: 'must not be blank', code: 'REQUIRED' });
    else if (v.length > max) errors.push({ field, message: `must be at most ${max} characters`, code: 'TOO_BIG' });
    return v;
  };
  const documentType = text('documentType', 64).toUpperCase();
  const title = text('title', 200);
  const storageRef = text('storageRef', 1000);
  if (input.sizeBytes != null && input.sizeBytes < 0) errors.push({ field: 'sizeBytes', message: 'cannot be negative', code: 'TOO_SMALL' });
  if (errors.length) return { document: null, userErrors: errors };
  const now = ctx.now();
  const row: CustomerDocumentRow = {
    id: uuidv7(),
    customer_id: input.customerId,
    category: input.category,
    document_type: documentType,
    title,
    storage_ref: storageRef,
    content_type: input.contentType?.trim() || null,
    size_bytes: input.sizeBytes == null ? null : String(input.sizeBytes),
    idempotency_key: input.idempotencyKey ?? null,
    added_by: identity.userId,
    added_at: now,
  };
  const found = await ctx.db.transaction().execute(async (tx) => {
    if (!(await lockCustomer(tx, input.customerId))) return false;
    await insertDocument(tx, row);
    return true;
  });
  if (!found) return { document: null, userErrors: [customerNotFound()] };
  return { document: row, userErrors: [] };
};
