import { SecretMatcher } from '../../../src/auth/secret-matcher';

describe('SecretMatcher', () => {
  const matcher = new SecretMatcher('correct horse battery staple');

  it('matches only the exact secret', () => {
    expect(matcher.matches('correct horse battery staple')).toBe(true);
    for (const wrong of [
      '',
      'correct',
      'correct horse battery staple ',
      'Correct horse battery staple',
    ]) {
      expect(matcher.matches(wrong)).toBe(false);
    }
  });

  it('compares strings of any length without throwing (timingSafeEqual needs equal lengths)', () => {
    expect(matcher.matches('x'.repeat(10_000))).toBe(false);
  });
});
