import { describe, expect, it } from 'vitest';
import { FORBIDDEN, NOT_ON_ROSTER, ProblemError, problemFrom, problemKind, problemOf } from './problem';

describe('problemFrom', () => {
  it('keeps the fields of a problem document', () => {
    const problem = problemFrom(422, {
      type: 'https://partnership-bot/problems/validation',
      title: 'Some fields need attention',
      status: 422,
      detail: 'Check the highlighted fields.',
      errors: [{ field: 'due', message: 'Give a date' }],
    });
    expect(problem).toEqual({
      type: 'https://partnership-bot/problems/validation',
      title: 'Some fields need attention',
      status: 422,
      detail: 'Check the highlighted fields.',
      errors: [{ field: 'due', message: 'Give a date' }],
    });
  });
  it('uses the response status, not the body status', () => {
    expect(problemFrom(404, { status: 200, title: 'x' }).status).toBe(404);
  });
  it('gives a plain title when the body is not a problem (an HTML page, nothing)', () => {
    expect(problemFrom(502, null)).toEqual({ type: 'about:blank', title: 'The server had a problem', status: 502 });
    expect(problemFrom(0, '<html>').title).toBe('The desk could not reach the server');
  });
  it('drops malformed field errors', () => {
    expect(problemFrom(422, { errors: [null, 'x', { field: 'a' }] }).errors).toBeUndefined();
    expect(problemFrom(422, { errors: 'bad' }).errors).toBeUndefined();
  });
});

describe('problemKind', () => {
  it('401 means sign in again', () => {
    expect(problemKind(problemFrom(401, {}))).toBe('sign-in');
  });
  it('403 not-on-roster gets the how-to-be-added page', () => {
    expect(problemKind(problemFrom(403, { type: NOT_ON_ROSTER }))).toBe('not-on-roster');
  });
  it('any other 403 is not allowed', () => {
    expect(problemKind(problemFrom(403, { type: FORBIDDEN }))).toBe('forbidden');
    expect(problemKind(problemFrom(403, {}))).toBe('forbidden');
  });
  it('the not-on-roster type on another status is a plain error', () => {
    expect(problemKind(problemFrom(400, { type: NOT_ON_ROSTER }))).toBe('error');
  });
  it('ProblemError carries the detail as its message', () => {
    const error = new ProblemError(problemFrom(403, { type: NOT_ON_ROSTER, detail: 'Ask the business team.' }));
    expect(error.message).toBe('Ask the business team.');
    expect(error.kind).toBe('not-on-roster');
  });
});

describe('problemOf', () => {
  it("keeps a ProblemError's own problem", () => {
    const problem = problemFrom(404, { title: 'No such action' });
    expect(problemOf(new ProblemError(problem))).toBe(problem);
  });
  it('treats anything else as no answer, showing none of its text', () => {
    const problem = problemOf(new TypeError('secret stack'));
    expect(problem.status).toBe(0);
    expect(problem.title).toBe('The desk could not reach the server');
  });
});
