import { describe, expect, it } from 'vitest';
import { expiryOf, referralCodeFrom } from '../src/domain/points.ts';

describe('points rules', () => {
  it('expires earned points 24 months later, clamping to the end of a shorter month', () => {
    expect(expiryOf(new Date('2026-11-23T10:00:00Z'))).toEqual(new Date('2028-11-23T10:00:00Z'));
    expect(expiryOf(new Date('2024-02-29T00:00:00Z'))).toEqual(new Date('2026-02-28T00:00:00Z'));
    expect(expiryOf(new Date('2026-01-31T00:00:00Z'), 1)).toEqual(new Date('2026-02-28T00:00:00Z'));
  });

  it('makes 8-character referral codes without look-alike characters', () => {
    const code = referralCodeFrom(new Uint8Array([0, 1, 2, 3, 30, 31, 32, 255]));
    expect(code).toBe('ABCD89A9');
    expect(code).not.toMatch(/[01OI]/);
  });
});
