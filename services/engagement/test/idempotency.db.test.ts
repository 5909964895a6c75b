import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { engagementService } from '../src/service.ts';
import { given } from './given.ts';

type Payload = { id: string } | null;
type Answer = { userErrors: { field: string; code: string }[] } & Record<string, Payload | unknown>;

/** Creating mutations with an idempotency key: two identical requests sent together create one record. */
describe('idempotent creation under concurrency', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(engagementService);
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const twice = async (mutation: string, field: string, input: Record<string, unknown>) => {
    const [a, b] = await Promise.all([
      svc.graphql<Record<string, Answer>>(mutation, { input }, staff.officer),
      svc.graphql<Record<string, Answer>>(mutation, { input }, staff.officer),
    ]);
    return [a, b].map((r) => {
      expect(r.errors).toBeUndefined();
      const answer = r.data?.[field];
      expect(answer?.userErrors).toEqual([]);
      return answer;
    });
  };

  it('creates one welcome task for the same registration delivered under two event ids', async () => {
    const first = await g.registration('idem-welcome');
    const second = await g.registration('idem-welcome');
    expect(second.event.id).not.toBe(first.event.id);
    const tasks = await svc.db.selectFrom('task').select(['dedupe_key']).where('customer_id', '=', 'idem-welcome').where('type', '=', 'WELCOME').execute();
    expect(tasks).toEqual([{ dedupe_key: 'WELCOME:idem-welcome' }]);
  });

  it('logs one interaction for the same request sent twice at once, and answers both with it', async () => {
    const c = await g.customer('idem-1');
    const LOG = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } userErrors { field code } } }`;
    const input = { customerId: c, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'SERVICE', summary: 'called', idempotencyKey: 'idem-log-1' };
    const answers = await twice(LOG, 'logInteraction', input);
    const rows = await svc.db.selectFrom('interaction').select('id').where('customer_id', '=', c).execute();
    expect(rows).toHaveLength(1);
    expect(answers.map((a) => (a?.interaction as Payload)?.id)).toEqual([rows[0]?.id, rows[0]?.id]);
    expect((await g.outboxTypes(c)).filter((t) => t === 'InteractionLogged')).toHaveLength(1);
  });

  it('receives one complaint for the same request sent twice at once', async () => {
    const c = await g.customer('idem-2');
    const RECEIVE = `mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { complaint { id } userErrors { field code } } }`;
    const input = {
      customerId: c,
      kind: 'COMPLAINT',
      category: 'FEES',
      severity: 'LOW',
      channel: 'BRANCH',
      description: 'fee charged twice',
      idempotencyKey: 'idem-cmp-1',
    };
    const answers = await twice(RECEIVE, 'receiveComplaint', input);
    const rows = await svc.db.selectFrom('complaint').select('id').where('customer_id', '=', c).execute();
    expect(rows).toHaveLength(1);
    expect(answers.map((a) => (a?.complaint as Payload)?.id)).toEqual([rows[0]?.id, rows[0]?.id]);
  });
});
