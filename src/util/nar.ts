// The NAR hash of a directory, as Nix computes a recursive fixed-output derivation's hash, and Nix's
// hash notations (SRI, base16, Nix's base32, base64). pullImage's fetch checks its own output with
// it, so that a wrong `sha256` fails with a message saying which hash to set, rather than with Nix's
// bare mismatch. The serialisation is Nix's (nix-store --dump): strings as a 64-bit little-endian
// length and the bytes padded with zeros to 8; directory entries sorted by name (byte order);
// regular files with an "executable" marker when the owner may execute them; symlinks by target.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

function str(h: Hash, s: string | Buffer): void {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(b.length));
  h.update(len);
  h.update(b);
  if (b.length % 8) h.update(Buffer.alloc(8 - (b.length % 8)));
}

async function node(h: Hash, path: string): Promise<void> {
  const st = await lstat(path);
  str(h, '(');
  str(h, 'type');
  if (st.isSymbolicLink()) {
    str(h, 'symlink');
    str(h, 'target');
    str(h, await readlink(path, { encoding: 'buffer' }));
  } else if (st.isDirectory()) {
    str(h, 'directory');
    const names = (await readdir(path, { encoding: 'buffer' })).sort(Buffer.compare);
    for (const name of names) {
      str(h, 'entry');
      str(h, '(');
      str(h, 'name');
      str(h, name);
      str(h, 'node');
      await node(h, join(path, name.toString('utf8')));
      str(h, ')');
    }
  } else if (st.isFile()) {
    str(h, 'regular');
    if (st.mode & 0o100) {
      str(h, 'executable');
      str(h, '');
    }
    str(h, 'contents');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(st.size));
    h.update(len);
    let n = 0;
    for await (const chunk of createReadStream(path)) {
      h.update(chunk as Buffer);
      n += (chunk as Buffer).length;
    }
    if (n !== st.size) throw new Error(`${path} changed while it was hashed`);
    if (n % 8) h.update(Buffer.alloc(8 - (n % 8)));
  } else {
    throw new Error(`${path}: Nix cannot store this kind of file`);
  }
  str(h, ')');
}

/** The sha256 of the NAR serialisation of `path` (what `nix hash path` prints, as bytes). */
export async function narSha256(path: string): Promise<Buffer> {
  const h = createHash('sha256');
  str(h, 'nix-archive-1');
  await node(h, path);
  return h.digest();
}

const BASE32 = '0123456789abcdfghijklmnpqrsvwxyz';

/** Nix's base32 (its own alphabet, least significant bits last). */
export function toNixBase32(bytes: Buffer): string {
  const len = Math.floor((bytes.length * 8 - 1) / 5) + 1;
  let s = '';
  for (let n = len - 1; n >= 0; n--) {
    const b = n * 5;
    const i = b >> 3;
    const j = b % 8;
    const c = (bytes[i] >> j) | (i + 1 < bytes.length ? bytes[i + 1] << (8 - j) : 0);
    s += BASE32[c & 0x1f];
  }
  return s;
}

function fromNixBase32(s: string, size: number): Buffer | undefined {
  const out = Buffer.alloc(size);
  for (let n = 0; n < s.length; n++) {
    const digit = BASE32.indexOf(s[s.length - n - 1]);
    if (digit < 0) return undefined;
    const b = n * 5;
    const i = b >> 3;
    const j = b % 8;
    out[i] |= (digit << j) & 0xff;
    const carry = digit >> (8 - j);
    if (i + 1 < size) out[i + 1] |= carry;
    else if (carry) return undefined;
  }
  return out;
}

/** "sha256-<base64>", the notation Nix prints. */
export const toSri = (sha256: Buffer): string => `sha256-${sha256.toString('base64')}`;

/**
 * A sha256 in any notation Nix takes for outputHash: SRI ("sha256-…"), or base16 (64 digits), Nix's
 * base32 (52 characters) or base64 (44 characters), each optionally after "sha256:". Undefined when
 * it is none of these (another algorithm, a typo).
 */
export function parseSha256(text: string): Buffer | undefined {
  const t = text.trim();
  const sri = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(t);
  if (sri) return Buffer.from(sri[1], 'base64');
  const body = t.startsWith('sha256:') ? t.slice(7) : t;
  if (/^[0-9a-fA-F]{64}$/.test(body)) return Buffer.from(body, 'hex');
  if (body.length === 52) return fromNixBase32(body, 32);
  if (/^[A-Za-z0-9+/]{43}=$/.test(body)) return Buffer.from(body, 'base64');
  return undefined;
}
