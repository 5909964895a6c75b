import { invalid, type UserError, type Validation, valid } from '@crm/service-kit';

export type DocumentCategory = 'BASIC' | 'DEVELOPMENT' | 'PRODUCT_SERVICE';

export interface DocumentInput {
  category: DocumentCategory;
  documentType: string;
  title: string;
  storageRef: string;
  contentType?: string | null;
  sizeBytes?: number | null;
}

export interface DocumentMetadata {
  category: DocumentCategory;
  /** Upper-case code, e.g. IDENTITY, INCOME_PROOF, VISIT_PLAN. */
  documentType: string;
  title: string;
  storageRef: string;
  contentType: string | null;
  sizeBytes: number | null;
}

/** A customer-file entry: metadata and where the file is stored (the blob is kept elsewhere). */
export function validateDocument(input: DocumentInput): Validation<DocumentMetadata> {
  const errors: UserError[] = [];
  const text = (field: 'documentType' | 'title' | 'storageRef', max: number) => {
    const v = input[field].trim();
    if (!v) errors.push({ field, message: 'must not be blank', code: 'REQUIRED' });
    else if (v.length > max) errors.push({ field, message: `must be at most ${max} characters`, code: 'TOO_BIG' });
    return v;
  };
  const documentType = text('documentType', 64)
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  const title = text('title', 200);
  const storageRef = text('storageRef', 1000);
  const sizeBytes = input.sizeBytes ?? null;
  if (sizeBytes !== null && sizeBytes < 0) errors.push({ field: 'sizeBytes', message: 'cannot be negative', code: 'TOO_SMALL' });
  if (errors.length) return invalid(errors);
  return valid({ category: input.category, documentType, title, storageRef, contentType: input.contentType?.trim() || null, sizeBytes });
}
