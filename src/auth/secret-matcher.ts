import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares presented secrets with a configured one in constant time. Both sides are hashed
 * first, so neither the comparison time nor an early length check reveals anything about the
 * secret.
 */
export class SecretMatcher {
  private readonly digest: Buffer;

  constructor(secret: string) {
    this.digest = sha256(secret);
  }

  /** True when `presented` equals the secret. */
  matches(presented: string): boolean {
    return timingSafeEqual(sha256(presented), this.digest);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
