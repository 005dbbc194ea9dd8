// File names are bytes. longshore holds them as strings so that sorting, perms regexes and messages
// work as they always did: a name that is valid UTF-8 is its usual string, and each byte that is not
// part of valid UTF-8 becomes the lone surrogate U+DC00 + byte (Python's "surrogateescape"). Valid
// UTF-8 never decodes to a lone surrogate, so the mapping is one to one and nameToBytes undoes it.

/** Where `b` decodes as UTF-8 at `i`: the sequence's length, or 0 when the byte there starts none. */
function sequenceAt(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  let len: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) len = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c === 0xe0) lo = 0xa0; // overlong
    if (c === 0xed) hi = 0x9f; // UTF-16 surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c === 0xf0) lo = 0x90; // overlong
    if (c === 0xf4) hi = 0x8f; // beyond U+10FFFF
  } else return 0;
  if (i + len > b.length) return 0;
  if (b[i + 1] < lo || b[i + 1] > hi) return 0;
  for (let k = 2; k < len; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return 0;
  return len;
}

/** A file name (or link target) read as bytes, as longshore holds it. */
export function nameFromBytes(b: Buffer): string {
  const s = b.toString('utf8');
  // Node's decoder replaces every invalid sequence with U+FFFD: without one, the bytes were valid.
  if (!s.includes('\uFFFD')) return s;
  let out = '';
  let start = 0; // of the valid run not yet copied
  for (let i = 0; i < b.length; ) {
    const n = sequenceAt(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > start) out += b.toString('utf8', start, i);
    out += String.fromCharCode(0xdc00 + b[i]);
    start = ++i;
  }
  if (start < b.length) out += b.toString('utf8', start);
  return out;
}

/** The bytes of a name nameFromBytes gave (for a well-formed string, its UTF-8). */
export function nameToBytes(s: string): Buffer {
  if (s.isWellFormed()) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const v = s.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) {
        i++; // a pair: plain UTF-8
        continue;
      }
    }
    if (u >= 0xdc80 && u <= 0xdcff) {
      if (i > start) parts.push(Buffer.from(s.slice(start, i), 'utf8'));
      parts.push(Buffer.of(u - 0xdc00));
      start = i + 1;
    }
    // Any other lone surrogate cannot come from nameFromBytes; Buffer.from writes U+FFFD for it.
  }
  if (start < s.length) parts.push(Buffer.from(s.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** A path for node:fs: the string itself when it is plain UTF-8, else its bytes. */
export const fsPath = (s: string): string | Buffer => (s.isWellFormed() ? s : nameToBytes(s));

/** A name for a message: the bytes that are not UTF-8 as \xNN. */
export const showName = (s: string): string => (s.isWellFormed() ? s : s.replace(/[\uDC80-\uDCFF]/gu, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16)}`));
