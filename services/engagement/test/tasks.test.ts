import { describe, expect, it } from 'vitest';
import { isOverdue, welcomeTask } from '../src/domain/tasks.ts';

describe('task rules', () => {
  it('plans the welcome call for the relationship manager three days after registration', () => {
    const plan = welcomeTask({ customerId: 'c1', displayName: 'Fatou Sow', relationshipManagerId: 'rm-3', registeredAt: '2026-02-27T09:30:00.000Z' });
    expect(plan).toEqual({
      customerId: 'c1',
      type: 'WELCOME',
      title: 'Welcome call to Fatou Sow',
      assigneeId: 'rm-3',
      priority: 'NORMAL',
      dueAt: new Date('2026-03-02T09:30:00.000Z'),
      dedupeKey: 'WELCOME:c1',
    });
  });

  it('counts only open work past its due time as overdue', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const due = new Date('2026-11-23T11:59:59Z');
    expect(isOverdue({ status: 'OPEN', dueAt: due }, now)).toBe(true);
    expect(isOverdue({ status: 'IN_PROGRESS', dueAt: due }, now)).toBe(true);
    expect(isOverdue({ status: 'DONE', dueAt: due }, now)).toBe(false);
    expect(isOverdue({ status: 'OPEN', dueAt: now }, now)).toBe(false);
  });
});
