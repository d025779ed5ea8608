import { describe, expect, it } from 'vitest';
import { fileNameFrom } from './download';

describe('fileNameFrom', () => {
  it('prefers the RFC 6266 extended name', () => {
    expect(fileNameFrom(`attachment; filename="register.xlsx"; filename*=UTF-8''register-2026-12-04.xlsx`, 'x')).toBe(
      'register-2026-12-04.xlsx',
    );
  });
  it('reads a plain name', () => {
    expect(fileNameFrom('attachment; filename="bookings-T1.csv"', 'x')).toBe('bookings-T1.csv');
  });
  it('falls back without a header', () => {
    expect(fileNameFrom(null, 'register.csv')).toBe('register.csv');
  });
});
