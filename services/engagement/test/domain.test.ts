import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { birthdayKeysOn, fitsCapacity } from '../src/domain/care.ts';
import { churnLevel, churnScore, churnSignalValues, isChurnLevelChange } from '../src/domain/churn.ts';
import { checkComplaintTransition, resolvedWithinSla, slaCutoff, slaDeadlines, validateResolution } from '../src/domain/complaints.ts';
import { isNewerConsent, requiredConsent } from '../src/domain/consent.ts';
import { isLowScore, MAX_QUESTION_CHOICES, MAX_SURVEY_QUESTIONS, npsBand, validateAnswers, validateSurveyDefinition } from '../src/domain/surveys.ts';
import { bucketOfDaysPastDue, checkTaskTransition, collectionTask, compareWorklist, postLoanVisitTask, priorityFromSeverity } from '../src/domain/tasks.ts';

describe('consent rules', () => {
  it('needs the contact consent for marketing and care only, and never lets an older change win', () => {
    expect(requiredConsent('MARKETING')).toBe('MARKETING_CONTACT');
    expect(requiredConsent('CARE')).toBe('MARKETING_CONTACT');
    expect(requiredConsent('COLLECTION_REMINDER')).toBeNull();
    expect(isNewerConsent(null, new Date('2026-01-01'))).toBe(true);
    expect(isNewerConsent(new Date('2026-02-01'), new Date('2026-01-01'))).toBe(false);
  });
});

describe('task rules', () => {
  it('allows only legal moves: done and cancelled are final', () => {
    expect(checkTaskTransition('OPEN', 'IN_PROGRESS')).toBeNull();
    expect(checkTaskTransition('IN_PROGRESS', 'DONE')).toBeNull();
    expect(checkTaskTransition('CANCELLED', 'DONE')?.code).toBe('INVALID_TASK_TRANSITION');
    expect(checkTaskTransition('DONE', 'CANCELLED')?.code).toBe('INVALID_TASK_TRANSITION');
    expect(checkTaskTransition('IN_PROGRESS', 'OPEN')?.code).toBe('INVALID_TASK_TRANSITION');
  });

  it('keys collection reminders by loan and bucket, prioritised by bucket', () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91].map(bucketOfDaysPastDue)).toEqual([
      'CURRENT',
      'DPD_1_30',
      'DPD_1_30',
      'DPD_31_60',
      'DPD_31_60',
      'DPD_61_90',
      'DPD_61_90',
      'DPD_90_PLUS',
    ]);
    const plan = collectionTask({ customerId: 'c', loanId: 'L', bucket: 'DPD_31_60', daysPastDue: 35, asOf: '2026-11-23', assigneeId: 'rm' });
    expect(plan).toMatchObject({ dedupeKey: 'COLLECTION:L:DPD_31_60', priority: 'HIGH', dueAt: new Date('2026-11-24T00:00:00Z') });
    expect(collectionTask({ customerId: 'c', loanId: 'L', bucket: 'CURRENT', daysPastDue: 0, asOf: '2026-11-23', assigneeId: null })).toBeNull();
    expect(postLoanVisitTask({ customerId: 'c', loanId: 'L', disbursedOn: '2026-12-28', days: 7, assigneeId: null }).dueAt).toEqual(
      new Date('2027-01-05T00:00:00Z'),
    );
    expect((['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const).map(priorityFromSeverity)).toEqual(['LOW', 'NORMAL', 'HIGH', 'URGENT']);
  });

  it('orders the worklist overdue first, then priority, then due time', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const t = (id: string, priority: 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT', due: string) => ({ id, priority, dueAt: new Date(due) });
    const tasks = [
      t('a', 'URGENT', '2026-11-24T09:00:00Z'),
      t('b', 'LOW', '2026-11-22T09:00:00Z'),
      t('c', 'HIGH', '2026-11-23T11:00:00Z'),
      t('d', 'NORMAL', '2026-11-23T13:00:00Z'),
      t('e', 'URGENT', '2026-11-23T18:00:00Z'),
      t('f', 'LOW', '2026-11-22T09:00:00Z'),
    ];
    expect(tasks.sort((x, y) => compareWorklist(x, y, now)).map((x) => x.id)).toEqual(['c', 'b', 'f', 'e', 'a', 'd']);
  });
});

describe('complaint SLA clock and workflow', () => {
  it('runs both deadlines from receipt and judges the resolution against the resolve deadline', () => {
    const received = new Date('2026-11-20T22:30:00Z');
    expect(slaDeadlines(received, { acknowledgeHours: 4, resolveDays: 5 })).toEqual({
      acknowledgeDueAt: new Date('2026-11-21T02:30:00Z'),
      resolveDueAt: new Date('2026-11-25T22:30:00Z'),
    });
    expect(resolvedWithinSla(new Date('2026-11-25T22:30:00Z'), new Date('2026-11-25T22:30:00Z'))).toBe(true);
    expect(resolvedWithinSla(new Date('2026-11-25T22:30:01Z'), new Date('2026-11-25T22:30:00Z'))).toBe(false);
    expect(slaCutoff(new Date('2026-11-24T00:00:00Z'), new Date('2026-11-23T15:00:00Z'))).toEqual(new Date('2026-11-23T15:00:00Z'));
    expect(slaCutoff(new Date('2026-11-22T00:00:00Z'), new Date('2026-11-23T15:00:00Z'))).toEqual(new Date('2026-11-22T00:00:00Z'));
  });

  it('refuses skipping steps and accepts reopening', () => {
    expect(checkComplaintTransition('RECEIVED', 'RESOLVED')?.code).toBe('INVALID_COMPLAINT_TRANSITION');
    expect(checkComplaintTransition('CLOSED', 'IN_PROGRESS')?.code).toBe('INVALID_COMPLAINT_TRANSITION');
    expect(checkComplaintTransition('CLOSED', 'REOPENED')).toBeNull();
    expect(checkComplaintTransition('REOPENED', 'RESOLVED')).toBeNull();
  });

  it('rounds compensation to the currency minor unit with ROUND_HALF_EVEN', () => {
    const ok = (compensation: string, currency: string) => {
      const r = validateResolution({ resolution: 'x', compensation: new Decimal(compensation), currency });
      return r.ok ? r.value.compensation : null;
    };
    expect(ok('10.125', 'USD')).toBe('10.12'); // tie -> even
    expect(ok('10.135', 'USD')).toBe('10.14'); // tie -> even
    expect(ok('1500.5', 'XOF')).toBe('1500'); // XOF has no minor unit; tie -> even
    expect(ok('1501.5', 'XOF')).toBe('1502');
  });
});

describe('survey scores', () => {
  it('bands NPS, flags low scores and refuses out-of-range answers', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsBand)).toEqual(['DETRACTOR', 'DETRACTOR', 'PASSIVE', 'PASSIVE', 'PROMOTER', 'PROMOTER']);
    expect(isLowScore({ npsScore: 6, csatScore: null })).toBe(true);
    expect(isLowScore({ npsScore: 7, csatScore: 3 })).toBe(false);
    expect(isLowScore({ npsScore: null, csatScore: 2 })).toBe(true);
    const qs = [
      { code: 'n', kind: 'NPS' as const, text: 'n', choices: [] },
      { code: 'c', kind: 'CSAT' as const, text: 'c', choices: [] },
    ];
    const bad = validateAnswers(qs, [
      { code: 'n', score: -1 },
      { code: 'c', score: 6 },
    ]);
    expect(bad.ok ? [] : bad.errors.map((e) => [e.field, e.code])).toEqual([
      ['answers.0.score', 'SCORE_OUT_OF_RANGE'],
      ['answers.1.score', 'SCORE_OUT_OF_RANGE'],
    ]);
    const good = validateAnswers(qs, [
      { code: 'n', score: 0 },
      { code: 'c', score: 5 },
    ]);
    expect(good.ok && [good.value.npsScore, good.value.csatScore]).toEqual([0, 5]);
  });
});

describe('survey definitions (bounded lists)', () => {
  const question = (i: number, choices: string[] | null = null) => ({
    code: `q${i}`,
    kind: choices ? ('CHOICE' as const) : ('TEXT' as const),
    text: `Q${i}?`,
    choices,
  });
  const codes = (r: ReturnType<typeof validateSurveyDefinition>) => (r.ok ? [] : r.errors.map((e) => [e.field, e.code]));

  it(`takes up to ${MAX_SURVEY_QUESTIONS} questions and ${MAX_QUESTION_CHOICES} options a question, and refuses more as TOO_BIG`, () => {
    const options = (n: number) => Array.from({ length: n }, (_, i) => `option ${i}`);
    const most = Array.from({ length: MAX_SURVEY_QUESTIONS }, (_, i) => question(i, i === 0 ? options(MAX_QUESTION_CHOICES) : null));
    expect(validateSurveyDefinition({ name: 'Most', questions: most }).ok).toBe(true);
    expect(codes(validateSurveyDefinition({ name: 'Too many', questions: [...most, question(MAX_SURVEY_QUESTIONS)] }))).toEqual([['questions', 'TOO_BIG']]);
    expect(codes(validateSurveyDefinition({ name: 'Too many options', questions: [question(0, options(MAX_QUESTION_CHOICES + 1))] }))).toEqual([
      ['questions.0.choices', 'TOO_BIG'],
    ]);
  });
});

describe('churn score', () => {
  const weights = [
    { code: 'OVERDUE_INSTALMENTS', weight: '25' },
    { code: 'COMPLAINTS', weight: '20' },
    { code: 'INTERACTION_DECLINE', weight: '15' },
    { code: 'LOW_SURVEY_SCORE', weight: '15' },
    { code: 'LOAN_CLOSED_NO_RENEWAL', weight: '15' },
    { code: 'DORMANCY', weight: '10' },
  ];
  const thresholds = [
    { level: 'LOW' as const, min_score: '0' },
    { level: 'MEDIUM' as const, min_score: '30' },
    { level: 'HIGH' as const, min_score: '60' },
  ];
  const base = {
    recentInteractions: 2,
    previousInteractions: 2,
    complaints: 0,
    lowScores: 0,
    worstBucketRank: 0,
    activeLoans: 1,
    lastClosedOn: null,
    lastInteractionOn: '2026-11-01',
  };

  it('sums weight x strength and explains every signal', () => {
    // 1 complaint: 1/3 = 0.3333 x 20 = 6.666; DPD 1-30: 0.4 x 25 = 10; contacts 3 -> 1: 2/3 = 0.6667 x 15 = 10.0005 => 26.6665 -> 26.67
    const values = churnSignalValues({ ...base, complaints: 1, worstBucketRank: 1, previousInteractions: 3, recentInteractions: 1 }, '2026-11-23');
    const { score, signals } = churnScore(values, weights);
    expect(score.toFixed(2)).toBe('26.67');
    expect(signals.find((s) => s.code === 'INTERACTION_DECLINE')).toEqual({ code: 'INTERACTION_DECLINE', weight: '15.00', value: '0.6667' });
    expect(churnLevel(score, thresholds)).toBe('LOW');
  });

  it('counts a closed loan without renewal after 30 days, and dormancy after 180 days without contact', () => {
    const closed = { ...base, activeLoans: 0, worstBucketRank: null, lastClosedOn: '2026-10-24', lastInteractionOn: '2026-05-27' };
    const v = churnSignalValues(closed, '2026-11-23');
    expect([v.LOAN_CLOSED_NO_RENEWAL?.toFixed(0), v.DORMANCY?.toFixed(0)]).toEqual(['1', '1']);
    const recent = churnSignalValues({ ...closed, lastClosedOn: '2026-10-25', lastInteractionOn: '2026-05-28' }, '2026-11-23');
    expect([recent.LOAN_CLOSED_NO_RENEWAL?.toFixed(0), recent.DORMANCY?.toFixed(0)]).toEqual(['0', '0']);
  });

  it('maps scores to levels at the thresholds and announces only changes', () => {
    expect(['29.99', '30', '59.99', '60', '100'].map((s) => churnLevel(new Decimal(s), thresholds))).toEqual(['LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH']);
    expect(isChurnLevelChange(null, 'LOW')).toBe(false);
    expect(isChurnLevelChange(null, 'HIGH')).toBe(true);
    expect(isChurnLevelChange('HIGH', 'HIGH')).toBe(false);
  });
});

describe('care rules', () => {
  it('greets leap-day birthdays on 28 February of common years and checks capacity', () => {
    expect(birthdayKeysOn('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(birthdayKeysOn('2028-02-28')).toEqual(['02-28']);
    expect(birthdayKeysOn('2100-02-28')).toEqual(['02-28', '02-29']);
    expect(fitsCapacity(2, 1, 1)).toBe(true);
    expect(fitsCapacity(2, 1, 2)).toBe(false);
    expect(fitsCapacity(null, 1000, 1)).toBe(true);
  });
});
