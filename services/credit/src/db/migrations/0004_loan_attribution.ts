import type { Kysely } from 'kysely';

/** Who applied for, disbursed and wrote off each loan (four eyes and attribution). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('loan').addColumn('applied_by', 'text').execute();
  await db.schema.alterTable('loan').addColumn('disbursed_by', 'text').execute();
  await db.schema.alterTable('loan').addColumn('written_off_by', 'text').execute();
  await db.schema.createIndex('customer_replica_scope_idx').on('customer_replica').columns(['branch_id', 'relationship_manager_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('customer_replica_scope_idx').execute();
  await db.schema.alterTable('loan').dropColumn('written_off_by').execute();
  await db.schema.alterTable('loan').dropColumn('disbursed_by').execute();
  await db.schema.alterTable('loan').dropColumn('applied_by').execute();
}
