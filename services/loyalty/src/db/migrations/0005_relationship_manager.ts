import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // The customer's relationship manager (from CustomerRegistered and RelationshipManagerAssigned):
  // loan officers see the members assigned to them wherever they are.
  await db.schema.alterTable('loyalty_account').addColumn('relationship_manager_id', 'text').execute();
  await db.schema.createIndex('loyalty_account_manager_idx').on('loyalty_account').columns(['relationship_manager_id']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('loyalty_account_manager_idx').execute();
  await db.schema.alterTable('loyalty_account').dropColumn('relationship_manager_id').execute();
}
