import { describe, expect, it } from 'vitest';
import { addMonths, isMonth, lastDayOf, monthTitle, monthWeeks } from './calendarApi';

describe('the calendar month', () => {
  it('starts its weeks on Monday and leaves days outside the month empty', () => {
    const weeks = monthWeeks('2027-02');
    expect(weeks).toHaveLength(4); // 1 February 2027 is a Monday, and it has 28 days
    expect(weeks[0][0]).toBe('2027-02-01');
    expect(weeks[3][6]).toBe('2027-02-28');
    const march = monthWeeks('2027-03');
    expect(march[0].slice(0, 2)).toEqual(['2027-03-01', '2027-03-02']);
    const august = monthWeeks('2027-08'); // 1 August 2027 is a Sunday
    expect(august[0].slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(august[0][6]).toBe('2027-08-01');
    expect(august.every((week) => week.length === 7)).toBe(true);
  });

  it('moves across years and knows its last day', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2027-01', -1)).toBe('2026-12');
    expect(lastDayOf('2028-02')).toBe('2028-02-29');
    expect(monthTitle('2027-02')).toBe('February 2027');
  });

  it('takes only a real month from the address', () => {
    expect(isMonth('2027-02')).toBe(true);
    for (const bad of ['2027-13', '2027-2', 'x', '', null, '1999-12', '9999-01']) expect(isMonth(bad)).toBe(false);
  });
});
