import type { UserError, Validation } from '@crm/service-kit';
import type { SurveyAnswer, SurveyQuestion, SurveyQuestionKind } from './types.ts';

/** NPS bands: promoters answer 9-10, detractors 0-6, passives 7-8. */
export const NPS_PROMOTER_MIN = 9;
export const NPS_DETRACTOR_MAX = 6;
/** A score at or under these opens a service-recovery task. */
export const LOW_NPS_MAX = 6;
export const LOW_CSAT_MAX = 2;

const SCORE_RANGE: Partial<Record<SurveyQuestionKind, [number, number]>> = { NPS: [0, 10], CSAT: [1, 5] };

export function npsBand(score: number): 'PROMOTER' | 'PASSIVE' | 'DETRACTOR' {
  if (score >= NPS_PROMOTER_MIN) return 'PROMOTER';
  if (score <= NPS_DETRACTOR_MAX) return 'DETRACTOR';
  return 'PASSIVE';
}

/** Low satisfaction: an NPS of 6 or less, or a CSAT of 2 or less. */
export function isLowScore(scores: { npsScore: number | null; csatScore: number | null }): boolean {
  return (scores.npsScore !== null && scores.npsScore <= LOW_NPS_MAX) || (scores.csatScore !== null && scores.csatScore <= LOW_CSAT_MAX);
}

export interface SurveyDefinition {
  name: string;
  questions: SurveyQuestion[];
}

/** A survey's questions and a CHOICE question's options are lists, not connections: these bounds keep them small. */
export const MAX_SURVEY_QUESTIONS = 50;
export const MAX_QUESTION_CHOICES = 20;

/**
 * A survey has a name and 1 to MAX_SURVEY_QUESTIONS questions with unique codes; at most one NPS
 * and one CSAT question; 2 to MAX_QUESTION_CHOICES different choices for CHOICE.
 */
export function validateSurveyDefinition(input: {
  name: string;
  questions: readonly { code: string; kind: SurveyQuestionKind; text: string; choices?: readonly string[] | null }[];
}): Validation<SurveyDefinition> {
  const errors: UserError[] = [];
  const name = input.name.trim();
  if (!name) errors.push({ field: 'name', code: 'TOO_SMALL', message: 'must not be blank' });
  if (!input.questions.length) errors.push({ field: 'questions', code: 'TOO_SMALL', message: 'needs at least one question' });
  if (input.questions.length > MAX_SURVEY_QUESTIONS)
    errors.push({ field: 'questions', code: 'TOO_BIG', message: `a survey has at most ${MAX_SURVEY_QUESTIONS} questions` });
  const codes = new Set<string>();
  const questions: SurveyQuestion[] = [];
  input.questions.forEach((q, i) => {
    const code = q.code.trim();
    const text = q.text.trim();
    if (!code) errors.push({ field: `questions.${i}.code`, code: 'TOO_SMALL', message: 'must not be blank' });
    else if (codes.has(code)) errors.push({ field: `questions.${i}.code`, code: 'DUPLICATE_QUESTION', message: `code ${code} is used twice` });
    codes.add(code);
    if (!text) errors.push({ field: `questions.${i}.text`, code: 'TOO_SMALL', message: 'must not be blank' });
    const choices = (q.choices ?? []).map((c) => c.trim()).filter(Boolean);
    if (q.kind === 'CHOICE' && new Set(choices).size < 2)
      errors.push({ field: `questions.${i}.choices`, code: 'TOO_SMALL', message: 'a choice question needs two different options' });
    if (choices.length > MAX_QUESTION_CHOICES)
      errors.push({ field: `questions.${i}.choices`, code: 'TOO_BIG', message: `a question has at most ${MAX_QUESTION_CHOICES} options` });
    questions.push({ code, kind: q.kind, text, choices: q.kind === 'CHOICE' ? choices : [] });
  });
  for (const kind of ['NPS', 'CSAT'] as const) {
    if (input.questions.filter((q) => q.kind === kind).length > 1)
      errors.push({ field: 'questions', code: `MORE_THAN_ONE_${kind}`, message: `a survey has at most one ${kind} question` });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: { name, questions } };
}

export interface ScoredAnswers {
  answers: SurveyAnswer[];
  npsScore: number | null;
  csatScore: number | null;
}

/** Checks answers against the questions: known codes, each once, scores in range, choices among the options. */
export function validateAnswers(
  questions: readonly SurveyQuestion[],
  input: readonly { code: string; score?: number | null; choice?: string | null; text?: string | null }[],
): Validation<ScoredAnswers> {
  const errors: UserError[] = [];
  const byCode = new Map(questions.map((q) => [q.code, q]));
  const seen = new Set<string>();
  const answers: SurveyAnswer[] = [];
  let npsScore: number | null = null;
  let csatScore: number | null = null;
  if (!input.length) errors.push({ field: 'answers', code: 'TOO_SMALL', message: 'needs at least one answer' });
  const fail = (field: string, code: string, message: string) => errors.push({ field, code, message });
  for (const [i, a] of input.entries()) {
    const q = byCode.get(a.code);
    if (!q) {
      fail(`answers.${i}.code`, 'UNKNOWN_QUESTION', `the survey has no question ${a.code}`);
      continue;
    }
    if (seen.has(a.code)) {
      fail(`answers.${i}.code`, 'DUPLICATE_ANSWER', `question ${a.code} is answered twice`);
      continue;
    }
    seen.add(a.code);
    const range = SCORE_RANGE[q.kind];
    if (range) {
      const score = a.score;
      if (score === null || score === undefined) fail(`answers.${i}.score`, 'REQUIRED', `a ${q.kind} answer needs a score`);
      else if (!Number.isInteger(score) || score < range[0] || score > range[1]) {
        fail(`answers.${i}.score`, 'SCORE_OUT_OF_RANGE', `a ${q.kind} score is between ${range[0]} and ${range[1]}`);
      } else {
        if (q.kind === 'NPS') npsScore = score;
        else csatScore = score;
        answers.push({ code: q.code, score, choice: null, text: null });
      }
    } else if (q.kind === 'CHOICE') {
      if (!a.choice || !q.choices.includes(a.choice)) fail(`answers.${i}.choice`, 'UNKNOWN_CHOICE', `choose one of ${q.choices.join(', ')}`);
      else answers.push({ code: q.code, score: null, choice: a.choice, text: null });
    } else {
      const text = a.text?.trim() ?? '';
      if (text.length > 4000) fail(`answers.${i}.text`, 'TOO_BIG', 'must be at most 4000 characters');
      else answers.push({ code: q.code, score: null, choice: null, text: text || null });
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: { answers, npsScore, csatScore } };
}
