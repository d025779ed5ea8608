import { describe, expect, it } from 'vitest';
import { factsBody, initialValues, updateBody } from './actionForms';
import { errorsByField } from './actionsApi';

const action = {
  ref: 'A14',
  title: 'License 60 practitioners',
  status: 'in_progress',
  lead_rag: 'amber',
  slippage: false,
  revised_due: null,
  status_reason: '',
  completed_on: null,
  impact: null,
  impact_evidence: '',
  version: 7,
};

describe('the update form sends what the card would', () => {
  it('starts from the action and sends the note, the status and the version', () => {
    const values = { ...initialValues(action), note: '45 of 60' };
    expect(updateBody(values, action)).toEqual({ note: '45 of 60', status: 'in_progress', version: 7 });
  });

  it('sends a changed rating, a new date with its reason, and nothing of completion while open', () => {
    const values = { ...initialValues(action), note: 'n', rag: 'red', revised_due: '2027-03-31', revised_reason: 'GP cover', evidence: 'x' };
    expect(updateBody(values, action)).toEqual({
      note: 'n',
      status: 'in_progress',
      rag: 'red',
      revised_due: '2027-03-31',
      revised_reason: 'GP cover',
      version: 7,
    });
  });

  it('sends the completion with its impact and evidence', () => {
    const values = { ...initialValues(action), note: 'done', status: 'complete', impact: 'evidenced', evidence: '58 of 60' };
    const body = updateBody(values, action);
    expect(body).toMatchObject({ status: 'complete', impact: 'evidenced', evidence: '58 of 60', completed_on: '' });
    expect(body).not.toHaveProperty('drop_reason');
  });
});

describe('the facts form', () => {
  const stored = { text: 'T', group: 'NSIG', priority: 'P4', source: 'SP', lead: 'P09', agency: 'RCH', due: '2026-12-31' };

  it('sends only the changes of an edit', () => {
    expect(factsBody({ ...stored, due: '2027-01-29', reference: '' }, stored)).toEqual({ due: '2027-01-29' });
  });

  it('sends everything for a new action', () => {
    expect(factsBody({ ...stored, reference: '' }, null)).toEqual({ ...stored, reference: '' });
  });
});

describe('field errors', () => {
  it('are keyed by the field, the first message each', () => {
    const problem = {
      type: 'x',
      title: 't',
      status: 422,
      errors: [
        { field: 'body.due', message: 'is required' },
        { field: 'due', message: 'second' },
        { field: 'group', message: 'unknown' },
      ],
    };
    expect(errorsByField(problem)).toEqual({ due: 'is required', group: 'unknown' });
    expect(errorsByField(null)).toEqual({});
  });
});
