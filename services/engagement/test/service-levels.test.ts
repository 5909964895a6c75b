import { describe, expect, it } from 'vitest';
import {
  type ContactHoursRule,
  contactOfTaskType,
  fitDueIntoContactHours,
  hoursRefusal,
  limitRefusal,
  nextContactHoursStart,
  validateContactRules,
  withinContactHours,
} from '../src/domain/contact-limits.ts';
import {
  applyServiceLevelChange,
  effectiveServiceLevel,
  nextCallbackDue,
  raisePriority,
  type ServiceLevel,
  scaleComplaintSla,
  shortenDue,
} from '../src/domain/service-levels.ts';
import { compareWorklist } from '../src/domain/tasks.ts';
import { compareWorklistRank, worklistRank } from '../src/domain/worklist.ts';

const row = (kind: 'GRADE' | 'CARE', code: string, over: Partial<ServiceLevel> = {}): ServiceLevel => ({
  kind,
  code,
  branchId: null,
  taskPriorityFloor: 'LOW',
  taskDuePercent: 100,
  complaintSlaPercent: 100,
  worklistPoints: 0,
  callbackEveryDays: null,
  homeVisit: false,
  ...over,
});

const TABLE: ServiceLevel[] = [
  row('GRADE', 'VIP', { taskPriorityFloor: 'HIGH', taskDuePercent: 50, complaintSlaPercent: 50, worklistPoints: 25 }),
  row('GRADE', 'PREMIUM', { taskPriorityFloor: 'NORMAL', taskDuePercent: 75, complaintSlaPercent: 75, worklistPoints: 15 }),
  row('GRADE', 'BASIC'),
  row('CARE', 'ELDERLY', {
    taskPriorityFloor: 'HIGH',
    taskDuePercent: 50,
    complaintSlaPercent: 50,
    worklistPoints: 20,
    callbackEveryDays: 30,
    homeVisit: true,
  }),
  row('CARE', 'LOW_LITERACY', { taskPriorityFloor: 'NORMAL', complaintSlaPercent: 75, worklistPoints: 10, callbackEveryDays: 60 }),
  // BR-9 treats its VIPs even faster and calls its low-literacy customers every 20 days
  row('GRADE', 'VIP', { branchId: 'BR-9', taskPriorityFloor: 'URGENT', taskDuePercent: 25, complaintSlaPercent: 40, worklistPoints: 20 }),
  row('CARE', 'LOW_LITERACY', { branchId: 'BR-9', taskPriorityFloor: 'NORMAL', worklistPoints: 5, callbackEveryDays: 20 }),
];

describe('service levels by grade and care need', () => {
  it('combines a grade and needs into the most favourable level, a branch row replacing the default one', () => {
    expect(effectiveServiceLevel(TABLE, { branchId: 'BR-1', grade: null, careNeeds: [] })).toEqual({
      grade: null,
      careNeeds: [],
      taskPriorityFloor: 'LOW',
      taskDuePercent: 100,
      complaintSlaPercent: 100,
      valuePoints: 0,
      carePoints: 0,
      callbackEveryDays: null,
      homeVisit: false,
    });
    expect(effectiveServiceLevel(TABLE, { branchId: 'BR-1', grade: 'PREMIUM', careNeeds: ['LOW_LITERACY', 'ELDERLY'] })).toEqual({
      grade: 'PREMIUM',
      careNeeds: ['ELDERLY', 'LOW_LITERACY'],
      taskPriorityFloor: 'HIGH',
      taskDuePercent: 50,
      complaintSlaPercent: 50,
      valuePoints: 15,
      carePoints: 20,
      callbackEveryDays: 30,
      homeVisit: true,
    });
    expect(effectiveServiceLevel(TABLE, { branchId: 'BR-9', grade: 'VIP', careNeeds: ['LOW_LITERACY'] })).toMatchObject({
      taskPriorityFloor: 'URGENT',
      taskDuePercent: 25,
      complaintSlaPercent: 40,
      valuePoints: 20,
      carePoints: 5,
      callbackEveryDays: 20,
      homeVisit: false,
    });
    // a need the table does not know adds nothing
    expect(effectiveServiceLevel(TABLE, { branchId: null, grade: 'STANDARD', careNeeds: ['HEARING_IMPAIRED'] })).toMatchObject({
      valuePoints: 0,
      carePoints: 0,
    });
  });

  it('raises priorities to the floor, shortens planned lead times and scales complaint SLAs', () => {
    expect(raisePriority('NORMAL', 'HIGH')).toBe('HIGH');
    expect(raisePriority('URGENT', 'HIGH')).toBe('URGENT');
    const from = new Date('2026-11-23T10:00:00Z');
    // 7 days at 50 %: 3.5 days
    expect(shortenDue(new Date('2026-11-30T10:00:00Z'), from, 50)).toEqual(new Date('2026-11-26T22:00:00Z'));
    // whole minutes, rounded down: 25 minutes at 75 % = 18.75 -> 18
    expect(shortenDue(new Date('2026-11-23T10:25:00Z'), from, 75)).toEqual(new Date('2026-11-23T10:18:00Z'));
    // a due time already passed stays
    expect(shortenDue(new Date('2026-11-20T00:00:00Z'), from, 50)).toEqual(new Date('2026-11-20T00:00:00Z'));
    expect(scaleComplaintSla({ acknowledgeHours: 24, resolveDays: 10 }, 50)).toEqual({ acknowledgeHours: 12, resolveDays: 5 });
    expect(scaleComplaintSla({ acknowledgeHours: 4, resolveDays: 5 }, 75)).toEqual({ acknowledgeHours: 3, resolveDays: 3.75 });
    expect(nextCallbackDue(new Date('2026-11-01T09:00:00Z'), 30, new Date('2026-11-24T00:00:00Z'))).toEqual(new Date('2026-12-01T09:00:00Z'));
    expect(nextCallbackDue(new Date('2026-09-01T09:00:00Z'), 30, new Date('2026-11-24T00:00:00Z'))).toEqual(new Date('2026-11-24T00:00:00Z'));
  });

  it('checks a change of a row: ranges, and call-backs and home visits for needs only', () => {
    const vip = TABLE[0] as ServiceLevel;
    const ok = applyServiceLevelChange(vip, { branchId: 'BR-1', kind: 'GRADE', code: 'VIP', taskDuePercent: 40 });
    expect(ok).toEqual({ ok: true, value: { ...vip, branchId: 'BR-1', taskDuePercent: 40 } });
    const bad = applyServiceLevelChange(vip, {
      branchId: null,
      kind: 'GRADE',
      code: 'VIP',
      taskDuePercent: 5,
      complaintSlaPercent: 101,
      worklistPoints: 26,
      callbackEveryDays: 10,
      homeVisit: true,
    });
    expect(bad.ok ? [] : bad.errors.map((e) => [e.field, e.code])).toEqual([
      ['taskDuePercent', 'OUT_OF_RANGE'],
      ['complaintSlaPercent', 'OUT_OF_RANGE'],
      ['worklistPoints', 'OUT_OF_RANGE'],
      ['callbackEveryDays', 'NOT_ALLOWED'],
      ['homeVisit', 'NOT_ALLOWED'],
    ]);
    const elderly = TABLE[3] as ServiceLevel;
    const care = applyServiceLevelChange(elderly, { branchId: null, kind: 'CARE', code: 'ELDERLY', worklistPoints: 21, callbackEveryDays: null });
    expect(care.ok ? [] : care.errors.map((e) => [e.field, e.code])).toEqual([['worklistPoints', 'OUT_OF_RANGE']]);
    const off = applyServiceLevelChange(elderly, { branchId: null, kind: 'CARE', code: 'ELDERLY', callbackEveryDays: null });
    expect(off.ok && off.value.callbackEveryDays).toBeNull();
  });
});

describe('contact rules', () => {
  const weekdays: ContactHoursRule = { purpose: 'COLLECTION_REMINDER', days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '20:00', timeZone: 'UTC' };
  const lagos: ContactHoursRule = { ...weekdays, timeZone: 'Africa/Lagos' }; // UTC+1, no daylight saving
  const paris: ContactHoursRule = { ...weekdays, timeZone: 'Europe/Paris' };

  it('allows contact within the days and local hours of the purpose, both ends included', () => {
    expect(withinContactHours(weekdays, new Date('2026-11-23T08:00:00Z'))).toBe(true); // Monday
    expect(withinContactHours(weekdays, new Date('2026-11-23T20:00:59Z'))).toBe(true);
    expect(withinContactHours(weekdays, new Date('2026-11-23T20:01:00Z'))).toBe(false);
    expect(withinContactHours(weekdays, new Date('2026-11-22T12:00:00Z'))).toBe(false); // Sunday
    // 07:30 UTC is 08:30 in Lagos; 19:30 UTC is 20:30 there
    expect(withinContactHours(lagos, new Date('2026-11-23T07:30:00Z'))).toBe(true);
    expect(withinContactHours(lagos, new Date('2026-11-23T19:30:00Z'))).toBe(false);
    // Paris in summer is UTC+2: 06:30 UTC is 08:30
    expect(withinContactHours(paris, new Date('2026-07-01T06:30:00Z'))).toBe(true);
    expect(withinContactHours(paris, new Date('2026-12-01T06:30:00Z'))).toBe(false);
    expect(nextContactHoursStart(weekdays, new Date('2026-11-21T21:00:00Z'))).toEqual(new Date('2026-11-23T08:00:00Z')); // Saturday night -> Monday
    expect(nextContactHoursStart(lagos, new Date('2026-11-23T05:00:00Z'))).toEqual(new Date('2026-11-23T07:00:00Z'));
    const refused = hoursRefusal(weekdays, new Date('2026-11-22T12:00:00Z'));
    expect(refused).toMatchObject({ code: 'OUTSIDE_CONTACT_HOURS', rule: 'COLLECTION_REMINDER hours', nextAllowedAt: new Date('2026-11-23T08:00:00Z') });
    expect(hoursRefusal(weekdays, new Date('2026-11-23T12:00:00Z'))).toBeNull();
    expect(hoursRefusal(undefined, new Date('2026-11-22T12:00:00Z'))).toBeNull();
  });

  it('fits a planned due time into the allowed hours: back to the last window end, else forward to the next', () => {
    const planned = new Date('2026-11-23T10:00:00Z'); // Monday morning
    // midnight after Tuesday -> Tuesday 20:00
    expect(fitDueIntoContactHours(weekdays, new Date('2026-11-25T00:00:00Z'), planned)).toEqual(new Date('2026-11-24T20:00:00Z'));
    // within the hours: unchanged
    expect(fitDueIntoContactHours(weekdays, new Date('2026-11-24T15:00:00Z'), planned)).toEqual(new Date('2026-11-24T15:00:00Z'));
    // Monday midnight, planned at 21:00 on Sunday... the window before is Saturday's: before the planning, so forward to Monday 20:00
    expect(fitDueIntoContactHours(weekdays, new Date('2026-11-23T00:00:00Z'), new Date('2026-11-22T21:00:00Z'))).toEqual(new Date('2026-11-23T20:00:00Z'));
    // planned at 21:00 for the same night: the next window's end
    expect(fitDueIntoContactHours(weekdays, new Date('2026-11-24T00:00:00Z'), new Date('2026-11-23T21:00:00Z'))).toEqual(new Date('2026-11-24T20:00:00Z'));
    expect(fitDueIntoContactHours(lagos, new Date('2026-11-25T00:00:00Z'), planned)).toEqual(new Date('2026-11-24T19:00:00Z'));
  });

  it('refuses a contact over a limit and says when the window allows it again', () => {
    const rule = { channel: 'PHONE' as const, purpose: 'COLLECTION_REMINDER' as const, maxContacts: 2, periodDays: 1 };
    const at = new Date('2026-11-23T15:00:00Z');
    expect(limitRefusal(rule, [new Date('2026-11-23T09:00:00Z')], at)).toBeNull();
    const refused = limitRefusal(rule, [new Date('2026-11-23T09:00:00Z'), new Date('2026-11-23T11:00:00Z')], at);
    expect(refused).toMatchObject({
      code: 'CONTACT_LIMIT_REACHED',
      rule: 'PHONE/COLLECTION_REMINDER 2 per 1 day',
      nextAllowedAt: new Date('2026-11-24T09:00:00Z'),
    });
    expect(contactOfTaskType('COLLECTION_REMINDER')).toEqual({ channel: 'PHONE', purpose: 'COLLECTION_REMINDER' });
    expect(contactOfTaskType('CARE', true)).toEqual({ channel: 'VISIT', purpose: 'CARE' });
    expect(contactOfTaskType('CREDIT_REVIEW')).toBeNull();
  });

  it('checks a replacement of the rules field by field', () => {
    const current = { limits: [], hours: [] };
    const bad = validateContactRules(
      {
        limits: [
          { channel: 'PHONE', purpose: 'MARKETING', maxContacts: 0, periodDays: 400 },
          { channel: 'PHONE', purpose: 'MARKETING', maxContacts: 1, periodDays: 1 },
        ],
        hours: [{ purpose: 'COLLECTION_REMINDER', days: [0, 3], from: '8:00', to: '07:00', timeZone: 'Mars/Olympus' }],
      },
      current,
    );
    expect(bad.ok ? [] : bad.errors.map((e) => [e.field, e.code])).toEqual([
      ['limits.0.maxContacts', 'OUT_OF_RANGE'],
      ['limits.0.periodDays', 'OUT_OF_RANGE'],
      ['limits.1', 'DUPLICATE_RULE'],
      ['hours.0.days', 'OUT_OF_RANGE'],
      ['hours.0.from', 'INVALID_FORMAT'],
      ['hours.0.timeZone', 'INVALID_VALUE'],
    ]);
    const good = validateContactRules({ hours: [{ purpose: 'MARKETING', days: [5, 1, 1], from: '09:00', to: '18:00' }] }, current);
    expect(good).toEqual({ ok: true, value: { limits: [], hours: [{ purpose: 'MARKETING', days: [1, 5], from: '09:00', to: '18:00', timeZone: 'UTC' }] } });
  });
});

describe('the worklist rank', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const plain = {
    worstBucket: 'CURRENT' as const,
    daysPastDue: 0,
    churnLevel: null,
    churnScore: null,
    grade: null,
    valuePoints: 0,
    careNeeds: [],
    carePoints: 0,
  };

  it('keeps the old order for customers without arrears, churn risk, grade or needs: overdue, priority, due time', () => {
    const t = (id: string, priority: 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT', due: string) => ({ id, priority, dueAt: new Date(due) });
    const tasks = [
      t('a', 'URGENT', '2026-11-24T09:00:00Z'),
      t('b', 'LOW', '2026-11-22T09:00:00Z'),
      t('c', 'HIGH', '2026-11-23T11:00:00Z'),
      t('d', 'NORMAL', '2026-11-23T13:00:00Z'),
      t('e', 'URGENT', '2026-11-23T18:00:00Z'),
      t('f', 'LOW', '2026-11-22T09:00:00Z'),
    ];
    const ranked = tasks.map((x) => ({ ...x, score: worklistRank({ ...plain, dueAt: x.dueAt, priority: x.priority }, now).score }));
    const byRank = [...ranked].sort(compareWorklistRank).map((x) => x.id);
    expect(byRank).toEqual(['c', 'b', 'f', 'e', 'a', 'd']);
    expect(byRank).toEqual([...tasks].sort((x, y) => compareWorklist(x, y, now)).map((x) => x.id));
  });

  it('explains each factor; risk, churn, value and care order tasks within a priority but never above a more urgent one', () => {
    const due = new Date('2026-11-24T09:00:00Z');
    const everything = worklistRank(
      {
        dueAt: due,
        priority: 'NORMAL',
        worstBucket: 'DPD_90_PLUS',
        daysPastDue: 120,
        churnLevel: 'HIGH',
        churnScore: '72.50',
        grade: 'VIP',
        valuePoints: 25,
        careNeeds: ['ELDERLY'],
        carePoints: 20,
      },
      now,
    );
    expect(everything).toEqual({
      score: 195,
      factors: [
        { factor: 'DUE', points: 0, reason: `due ${due.toISOString()} (earlier due times first among equal scores)` },
        { factor: 'PRIORITY', points: 100, reason: 'priority NORMAL' },
        { factor: 'RISK', points: 30, reason: 'a loan 120 days past due (DPD_90_PLUS)' },
        { factor: 'CHURN', points: 20, reason: 'churn risk HIGH (72.50)' },
        { factor: 'VALUE', points: 25, reason: 'grade VIP' },
        { factor: 'CARE', points: 20, reason: 'special care: ELDERLY' },
      ],
    });
    expect(everything.score).toBeLessThan(worklistRank({ ...plain, dueAt: due, priority: 'HIGH' }, now).score);
    expect(worklistRank({ ...plain, dueAt: new Date('2026-11-23T11:00:00Z'), priority: 'LOW' }, now).factors[0]).toEqual({
      factor: 'DUE',
      points: 1000,
      reason: 'overdue since 2026-11-23T11:00:00.000Z',
    });
  });
});
