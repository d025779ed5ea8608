import { describe, expect, it } from 'vitest';
import { placesLeft, sessionWhen, sessionWhere } from './trainingFormat';

describe('how a training session is said', () => {
  it('gives the day and times in London time, summer and winter', () => {
    expect(sessionWhen({ starts_at: '2026-12-09T10:00:00Z', ends_at: '2026-12-09T12:30:00Z' })).toBe('Wed, 9 Dec 2026, 10:00–12:30');
    expect(sessionWhen({ starts_at: '2027-06-15T08:30:00Z', ends_at: '2027-06-15T11:00:00Z' })).toBe('Tue, 15 Jun 2027, 09:30–12:00');
  });

  it('names the mode in words, with the venue when there is one', () => {
    expect(sessionWhere({ mode: 'online', venue: '' })).toBe('Online (Teams)');
    expect(sessionWhere({ mode: 'in_person', venue: 'Riverside Civic Centre' })).toBe('In person, Riverside Civic Centre');
    expect(sessionWhere({ mode: 'something_new', venue: '' })).toBe('something_new');
  });

  it('says unlimited places in words', () => {
    expect(placesLeft({ places_left: null })).toBe('Unlimited');
    expect(placesLeft({ places_left: 0 })).toBe('0');
  });
});
