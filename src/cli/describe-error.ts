const FS_CODES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

/**
 * One-line description of a caught error: a plain phrase for common file-system codes,
 * otherwise the message. (Checks shape, not `instanceof`, which fails across VM realms.)
 */
export function describeError(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const code = 'code' in e ? String(e.code) : '';
    if (code in FS_CODES) return FS_CODES[code];
    if ('message' in e) return String(e.message);
  }
  return String(e);
}
