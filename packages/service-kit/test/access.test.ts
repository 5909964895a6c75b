import { createRequire } from 'node:module';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_DIRECTIVES_SDL, applyAccessRules, checkTextInput, fieldsWithoutRoleRule } from '../src/access.ts';
import { type AuditTables, auditTableMigration, findAuditTrail, RequestAudit } from '../src/audit.ts';
import { identityFromClaims, TokenRejected } from '../src/auth.ts';
import { runCommand } from '../src/command.ts';
import type { Database } from '../src/db.ts';
import { maskPersonalData, pseudonym } from '../src/privacy.ts';
import { inScope, inScopeSql, scopeOf } from '../src/scope.ts';
import { openTestDatabase } from '../src/testing/index.ts';

// Apollo's buildSubgraphSchema uses the CommonJS copy of graphql-js: execute with the same copy.
const { graphql } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

interface DB extends AuditTables {
  note: { id: string; branch_id: string; manager_id: string | null; text: string };
}

describe('access rules, scope and audit', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('access', {
      '0000': auditTableMigration,
      '0001': {
        // biome-ignore lint/suspicious/noExplicitAny: migration against an untyped database
        up: async (db: import('kysely').Kysely<any>) => {
          await db.schema
            .createTable('note')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('branch_id', 'text', (c) => c.notNull())
            .addColumn('manager_id', 'text')
            .addColumn('text', 'text', (c) => c.notNull())
            .execute();
        },
      },
    });
    await database.db
      .insertInto('note')
      .values([
        { id: 'n1', branch_id: 'DKR', manager_id: 'lo-1', text: 'a' },
        { id: 'n2', branch_id: 'THS', manager_id: 'lo-1', text: 'b' },
        { id: 'n3', branch_id: 'THS', manager_id: 'lo-9', text: 'c' },
      ])
      .execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it('scopes by role: branch-bound roles see their branch, loan officers also their own customers, others all', async () => {
    const ids = async (identity: Parameters<typeof scopeOf>[0]) =>
      (
        await database.db
          .selectFrom('note')
          .select('id')
          .where(inScopeSql(scopeOf(identity), 'note.branch_id', 'note.manager_id'))
          .orderBy('id')
          .execute()
      ).map((r) => r.id);
    expect(await ids({ userId: 'bm-1', roles: ['branch_manager'], branchId: 'DKR' })).toEqual(['n1']);
    expect(await ids({ userId: 'lo-1', roles: ['loan_officer'], branchId: 'DKR' })).toEqual(['n1', 'n2']);
    expect(await ids({ userId: 'sa-1', roles: ['service_agent'] })).toEqual([]);
    expect(await ids({ userId: 'ro-1', roles: ['risk_officer'] })).toEqual(['n1', 'n2', 'n3']);
    expect(inScope(scopeOf({ userId: 'bm', roles: ['branch_manager'], branchId: 'DKR' }), { branchId: 'THS' })).toBe(false);
  });

  it('keeps the audit log append-only and writes a command and its audit record in one transaction', async () => {
    const audit = new RequestAudit(database.db, {
      service: 'test',
      identity: { userId: 'u1', roles: ['branch_manager'], branchId: 'DKR' },
      correlationId: 'c-1',
    });
    const result = await runCommand({ db: database.db, audit }, { action: 'editNote', entityType: 'Note', entityId: 'n1' }, async (tx, a) => {
      await tx.updateTable('note').set({ text: 'a2' }).where('id', '=', 'n1').execute();
      a.changes({ text: 'a', branch: 'DKR' }, { text: 'a2', branch: 'DKR' });
      return { userErrors: [] };
    });
    expect(result.userErrors).toEqual([]);
    await expect(
      runCommand({ db: database.db, audit }, { action: 'editNote', entityType: 'Note', entityId: 'n2' }, async (tx) => {
        await tx.updateTable('note').set({ text: 'lost' }).where('id', '=', 'n2').execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await database.db.selectFrom('note').select('text').where('id', '=', 'n2').executeTakeFirstOrThrow()).text).toBe('b');
    const trail = await findAuditTrail(database.db, { actorId: 'u1' }, { first: 10 });
    expect(trail.edges.map((e) => [e.node.action, e.node.entity_id, e.node.outcome])).toEqual([
      ['editNote', 'n2', 'FAILED'],
      ['editNote', 'n1', 'SUCCEEDED'],
    ]);
    expect(trail.edges[1]?.node.changes).toEqual([{ field: 'text', before: 'a', after: 'a2' }]);
    expect(trail.edges[1]?.node.correlation_id).toBe('c-1');
    await expect(sql`update audit_log set outcome = 'SUCCEEDED'`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('enforces @allow and @sensitive on a schema, nulling only the forbidden field, and lists rootless fields', async () => {
    const typeDefs = parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      ${ACCESS_DIRECTIVES_SDL}
      type Query {
        person: Person @allow(roles: ["analyst", "loan_officer"])
        open: String
      }
      type Mutation { rename(name: String!): String @allow(roles: ["branch_manager"]) }
      type Person { id: ID! name: String @sensitive(data: "personalIdentity") nationalId: String @sensitive(data: "nationalId") }
    `);
    const schema = applyAccessRules(
      buildSubgraphSchema({
        typeDefs,
        resolvers: {
          Query: { person: () => ({ id: 'p1', name: 'Awa', nationalId: '1234567' }), open: () => 'x' },
          Mutation: { rename: (_: unknown, { name }: { name: string }) => name },
        },
      }),
    );
    expect(fieldsWithoutRoleRule(schema)).toEqual(['Query.open']);
    const audit = (identity: Parameters<typeof scopeOf>[0]) => new RequestAudit(database.db, { service: 'test', identity, correlationId: null });
    const run = async (source: string, identity: Parameters<typeof scopeOf>[0], variableValues?: Record<string, unknown>) =>
      graphql({ schema, source, contextValue: { identity, correlationId: 'c', audit: audit(identity) }, ...(variableValues ? { variableValues } : {}) });
    const analyst = { userId: 'an-1', roles: ['analyst' as const] };
    const seen = await run('{ person { id name nationalId } }', analyst);
    expect(seen.data).toEqual({ person: { id: 'p1', name: null, nationalId: null } });
    expect(seen.errors?.map((e) => [e.path?.join('.'), e.extensions.code])).toEqual([
      ['person.name', 'FORBIDDEN'],
      ['person.nationalId', 'FORBIDDEN'],
    ]);
    const officer = { userId: 'lo-7', roles: ['loan_officer' as const], branchId: 'DKR' };
    const officerAudit = audit(officer);
    const read = await graphql({ schema, source: '{ person { nationalId } }', contextValue: { identity: officer, correlationId: 'c', audit: officerAudit } });
    expect(read.data).toEqual({ person: { nationalId: '1234567' } });
    await officerAudit.flushReads();
    const reads = await findAuditTrail(database.db, { actorId: 'lo-7' }, { first: 5 });
    expect(reads.edges.map((e) => [e.node.kind, e.node.action, e.node.entity_id])).toEqual([['READ', 'read:Person.nationalId', 'p1']]);

    const refused = await run('mutation { rename(name: "x") }', officer);
    expect(refused.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    const bad = await run('mutation ($n: String!) { rename(name: $n) }', { userId: 'bm-1', roles: ['branch_manager'] }, { n: 'a\u0000b' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const trail = await findAuditTrail(database.db, { action: 'rename' }, { first: 5 });
    expect(trail.edges.map((e) => [e.node.actor_id, e.node.outcome])).toEqual([
      ['bm-1', 'REJECTED'],
      ['lo-7', 'FORBIDDEN'],
    ]);
  });

  it('checks text input: control characters, unpaired surrogates, length', () => {
    expect(() => checkTextInput({ a: { b: ['ok', 'x\u0000'] } }, 'input')).toThrow(GraphQLError);
    expect(() => checkTextInput('\uD800', 'name')).toThrow(/unpaired surrogate/);
    expect(() => checkTextInput('x'.repeat(4001), 'name')).toThrow(/longer than/);
    expect(() => checkTextInput('Ndèye 🌍\nline two\ttab', 'name')).not.toThrow();
  });

  it('refuses tokens without a known role; masks personal data; pseudonyms are stable', () => {
    expect(() => identityFromClaims({ sub: 'u', roles: ['root'] }, { rolesClaim: 'roles', branchClaim: 'branch' })).toThrow(TokenRejected);
    expect(
      identityFromClaims({ sub: 'u', realm_access: { roles: ['analyst', 'uma'] }, office: 'DKR' }, { rolesClaim: 'realm_access.roles', branchClaim: 'office' }),
    ).toEqual({
      userId: 'u',
      roles: ['analyst'],
      branchId: 'DKR',
    });
    expect(maskPersonalData({ nationalId: '1234567890', amount: '10.00', nested: [{ phone: '+221770000000' }] })).toEqual({
      nationalId: '********90',
      amount: '10.00',
      nested: [{ phone: '********00' }],
    });
    expect(pseudonym('c-1')).toBe(pseudonym('c-1'));
    expect(pseudonym('c-1')).not.toBe(pseudonym('c-2'));
    expect(pseudonym('c-1')).toMatch(/^Customer [0-9A-F]{4}-[0-9A-F]{4}$/);
  });
});
