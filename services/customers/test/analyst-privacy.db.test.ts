import { pseudonym } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { customersService } from '../src/service.ts';
import { branchManager, given } from './given.ts';

/**
 * Analysts get pseudonymised identity everywhere, the same in lists, aggregates, segment member
 * lists and the references other subgraphs resolve (what exports and reports are built from):
 * no names, national or registration ids, full birth dates, contact details or free-text notes.
 */
const SECRETS = [
  'Zainab',
  'Okonkwo-Secret',
  'CM99887766',
  '1979-03-14',
  '+237 699 12 34 56',
  'zainab@example.org',
  '12 Rue Cachée',
  'Hidden Employer Ltd',
  'hears poorly on the left side',
  'moved after a private dispute',
  'Secret Trading SARL',
  'RC/DLA/2020/B/4242',
  'Jean Representative',
];

const LIST_FIELDS = /* GraphQL */ `
  id kind status displayName branchId tags occupationOnly: individual { occupation birthYear }
  individual { firstName lastName birthDate nationalId nationalIdMasked employer }
  enterprise { legalName registrationNumber legalRepresentative industry }
  contact { phone email address { line city } preferredChannel }
  specialCare { flags note priority }
  managerHistory { managerId reason }
`;

describe('analysts see pseudonyms in every list and aggregate of customers', () => {
  let svc: TestService<DB>;
  const ids: string[] = [];
  let segmentId = '';

  beforeAll(async () => {
    svc = await startTestService(customersService);
    const make = given(svc);
    const person = await make.customer({
      tags: ['privacy-check'],
      individual: {
        firstName: 'Zainab',
        lastName: 'Okonkwo-Secret',
        birthDate: '1979-03-14',
        nationalId: 'CM99887766',
        occupation: 'Trader',
        employer: 'Hidden Employer Ltd',
      },
      contact: { phone: '+237 699 12 34 56', email: 'zainab@example.org', address: { region: 'Littoral', city: 'Douala', line: '12 Rue Cachée' } },
    });
    const company = await make.customer({
      kind: 'ENTERPRISE',
      tags: ['privacy-check'],
      individual: undefined,
      enterprise: {
        legalName: 'Secret Trading SARL',
        registrationNumber: 'RC/DLA/2020/B/4242',
        industry: 'RETAIL',
        legalRepresentative: 'Jean Representative',
      },
    });
    ids.push(person, company);
    const officer = staff.officer;
    const special = await svc.graphql(
      `mutation($input: SetCustomerSpecialCareInput!) { setCustomerSpecialCare(input: $input) { userErrors { code } } }`,
      { input: { customerId: person, flags: ['HEARING_IMPAIRED'], note: 'hears poorly on the left side' } },
      officer,
    );
    expect(special.errors).toBeUndefined();
    const assigned = await svc.graphql(
      `mutation($input: AssignRelationshipManagerInput!) { assignRelationshipManager(input: $input) { userErrors { code } } }`,
      { input: { customerId: person, managerId: 'officer-5', reason: 'moved after a private dispute' } },
      branchManager,
    );
    expect(assigned.errors).toBeUndefined();
    const seg = await svc.graphql<{ createCustomerSegment: { segment: { id: string } | null } }>(
      `mutation($input: CreateCustomerSegmentInput!) { createCustomerSegment(input: $input) { segment { id } userErrors { code } } }`,
      { input: { name: 'privacy members', rule: { attribute: 'tags', op: 'contains', value: 'privacy-check' } } },
      staff.analyst,
    );
    segmentId = seg.data?.createCustomerSegment.segment?.id ?? '';
    expect(segmentId).not.toBe('');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const leaks = (value: unknown) => {
    const text = JSON.stringify(value);
    return SECRETS.filter((s) => text.includes(s));
  };

  it('the sanity check: staff who may read identity do see these values', async () => {
    const res = await svc.graphql(`{ customers(filter: { tag: "privacy-check" }, first: 10) { edges { node { ${LIST_FIELDS} } } } }`, {}, branchManager);
    expect(leaks(res.data).sort()).toEqual([...SECRETS].sort());
  });

  it('customer lists with their counts: pseudonyms, nothing identifying in data or errors', async () => {
    const res = await svc.graphql<{ customers: { totalCount: number; edges: { node: { id: string; displayName: string } }[] } }>(
      `{ customers(filter: { tag: "privacy-check" }, first: 10) { totalCount edges { node { ${LIST_FIELDS} } } } }`,
      {},
      staff.analyst,
    );
    expect(res.data?.customers.totalCount).toBe(2);
    expect(res.data?.customers.edges.map((e) => e.node.displayName).sort()).toEqual(ids.map((id) => pseudonym(id)).sort());
    expect(leaks(res)).toEqual([]);
    expect(res.errors?.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  });

  it('segment member lists and counts: pseudonyms only', async () => {
    const res = await svc.graphql<{ segment: { customerCount: number; members: { edges: { node: { id: string; displayName: string } }[] } } }>(
      `query($id: ID!) { segment(id: $id) { customerCount members(first: 10) { edges { node { ${LIST_FIELDS} } } } } }`,
      { id: segmentId },
      staff.analyst,
    );
    expect(res.data?.segment.customerCount).toBe(2);
    for (const e of res.data?.segment.members.edges ?? []) expect(e.node.displayName).toBe(pseudonym(e.node.id));
    expect(leaks(res)).toEqual([]);
    const all = await svc.graphql(`{ segments { id name members(first: 50) { edges { node { ${LIST_FIELDS} } } } } }`, {}, staff.analyst);
    expect(leaks(all)).toEqual([]);
  });

  it('references resolved for other subgraphs (leaderboards, exports through the gateway): the same pseudonyms', async () => {
    const res = await svc.graphql<{ _entities: { id: string; displayName: string }[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { ${LIST_FIELDS} } } }`,
      { reps: ids.map((id) => ({ __typename: 'Customer', id })) },
      staff.analyst,
    );
    expect(res.data?._entities.map((c) => c.displayName)).toEqual(ids.map((id) => pseudonym(id)));
    expect(leaks(res)).toEqual([]);
  });

  it('a name search, which would unmask a pseudonym, is refused', async () => {
    const res = await svc.graphql(`{ customers(filter: { nameContains: "Zainab" }) { totalCount } }`, {}, staff.analyst);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
  });
});
