import { createHash } from 'node:crypto';
import { assert, ModelFormatError } from '../engine/errors';

/**
 * The checksum of a model file covers its exact bytes. The encoder writes the document without
 * its `sha256` member as `JSON.stringify(doc, null, 2)` (text C, ending in `"\n}"`), then
 * replaces that closing `"\n}"` with the trailer below, where HEX = lowercase hex SHA-256 of C's
 * UTF-8 bytes. To verify: drop the 83-byte trailer, append `"\n}"`, hash, compare. Any changed,
 * missing or added byte anywhere in the file therefore fails verification.
 */
const TRAILER_HEAD = ',\n  "sha256": "';
const TRAILER_TAIL = '"\n}\n';
const HEX_LENGTH = 64;
/** Bytes of the trailer (all ASCII). */
export const TRAILER_LENGTH = TRAILER_HEAD.length + HEX_LENGTH + TRAILER_TAIL.length;
const CLOSING = '\n}';
const HEX = /^[0-9a-f]{64}$/;

/** Lowercase hex SHA-256 of `text`'s UTF-8 bytes. */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Seals a pretty-printed document (text C) into the file bytes: C with the `sha256` member
 * appended as its last member, and a final newline.
 */
export function sealDocument(text: string): { bytes: Uint8Array; sha256: string } {
  assert(text.endsWith(CLOSING), () => 'sealDocument expects JSON.stringify(doc, null, 2)');
  const sha256 = sha256Hex(text);
  const file = `${text.slice(0, -CLOSING.length)}${TRAILER_HEAD}${sha256}${TRAILER_TAIL}`;
  return { bytes: new TextEncoder().encode(file), sha256 };
}

/**
 * Checks the trailer's exact shape and the checksum of everything before it.
 *
 * @returns the verified checksum (hex)
 * @throws ModelFormatError "truncated: ..." when the trailer is missing or cut, "checksum
 *   mismatch: ..." when the content does not hash to the recorded value.
 */
export function verifyChecksum(bytes: Uint8Array): string {
  const n = bytes.length;
  const trailer = n >= TRAILER_LENGTH ? Buffer.from(bytes.subarray(n - TRAILER_LENGTH)) : null;
  const text = trailer?.toString('latin1') ?? '';
  if (
    trailer === null ||
    !text.startsWith(TRAILER_HEAD) ||
    !text.endsWith(TRAILER_TAIL) ||
    !HEX.test(text.slice(TRAILER_HEAD.length, TRAILER_HEAD.length + HEX_LENGTH))
  ) {
    const cut = n > 0 && bytes[n - 1] !== 0x0a ? 'truncated: ' : '';
    throw new ModelFormatError(
      `${cut}the file must end with the sha256 member and a newline ` +
        `(',\\n  "sha256": "<64 lowercase hex>"\\n}\\n'), as the encoder writes it`,
    );
  }
  const recorded = text.slice(TRAILER_HEAD.length, TRAILER_HEAD.length + HEX_LENGTH);
  const computed = createHash('sha256')
    .update(bytes.subarray(0, n - TRAILER_LENGTH))
    .update(CLOSING)
    .digest('hex');
  if (computed !== recorded) {
    throw new ModelFormatError(
      `checksum mismatch: file is corrupt or was modified (recorded sha256 ${recorded}, ` +
        `content hashes to ${computed})`,
    );
  }
  return recorded;
}
