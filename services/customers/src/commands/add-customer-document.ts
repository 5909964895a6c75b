import { emit } from '@crm/events';
import { findIdempotentReplay, type Identity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { AddCustomerDocumentInput } from '../__generated__/resolvers-types.ts';
import type { CustomersContext } from '../context.ts';
import { lockCustomer } from '../db/customer.store.ts';
import { findDocumentByIdempotencyKey, insertDocument } from '../db/document.store.ts';
import type { CustomerDocumentRow } from '../db/schema.ts';
import { validateDocument } from '../domain/document.ts';
import { customerNotFound } from './errors.ts';

export type AddCustomerDocumentResult = { document: CustomerDocumentRow; userErrors: [] } | { document: null; userErrors: UserError[] };

/** Adds a document's metadata and storage reference to the customer file (the blob lives elsewhere). */
export function addCustomerDocument(ctx: CustomersContext, identity: Identity, input: AddCustomerDocumentInput): Promise<AddCustomerDocumentResult> {
  return runCommand(
    ctx,
    { action: 'addCustomerDocument', entityType: 'Customer', entityId: input.customerId },
    async (tx, audit): Promise<AddCustomerDocumentResult> => {
      // the replay check in the writing transaction: a second identical request waits, then replays
      const existing = await findIdempotentReplay(tx, 'customer_document', input.idempotencyKey, (key) => findDocumentByIdempotencyKey(tx, key));
      if (existing) {
        audit.entity(existing.customer_id);
        await lockCustomer(tx, ctx.scope, existing.customer_id); // FORBIDDEN outside the caller's scope
        audit.detail({ documentId: existing.id, replayed: true });
        return { document: existing, userErrors: [] };
      }
      const validation = validateDocument(input);
      if (!validation.ok) return { document: null, userErrors: validation.errors };
      const d = validation.value;
      if (!(await lockCustomer(tx, ctx.scope, input.customerId))) return { document: null, userErrors: [customerNotFound()] };
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
      await insertDocument(tx, row);
      audit.detail({ documentId: row.id });
      audit.changes(null, { documentId: row.id, category: row.category, documentType: row.document_type });
      await emit(tx, 'CustomerDocumentAdded', {
        subject: row.customer_id,
        time: row.added_at,
        data: {
          documentId: row.id,
          customerId: row.customer_id,
          category: row.category,
          documentType: row.document_type,
          contentType: row.content_type,
          addedBy: row.added_by,
          addedAt: row.added_at.toISOString(),
        },
      });
      return { document: row, userErrors: [] };
    },
  );
}
