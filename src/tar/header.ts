// Tar headers (POSIX ustar, plus a PAX extended header for names and link targets ustar cannot
// hold), written straight into the caller's buffer: the writer lays out a whole layer in a few large
// blocks instead of streaming thousands of small pieces. The layout is byte-for-byte the one
// tar-stream's packer produces, which earlier layers were digested with; test/tar/header.test.ts holds the
// two to that for everything tar-stream can express. Names and link targets are held as
// src/util/names.ts decodes them; one that is not valid UTF-8 (which tar-stream cannot write) goes
// into PAX as its raw bytes, after a `hdrcharset=BINARY` record, as POSIX specifies.
import { nameToBytes } from '../util/names.js';

export interface TarHeader {
  name: string; // directories end in "/"
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  mtime: number; // seconds
  linkname?: string;
}

const TYPEFLAG = { file: 0x30, symlink: 0x32, directory: 0x35 } as const;
const PAX_TYPEFLAG = 0x78; // 'x'
const BLOCK = 512;
/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = 2 * BLOCK;

export const padding = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

/** Splits a name into ustar's prefix and name fields, or null when it does not fit. */
function ustarSplit(name: string): [string, string] | null {
  let prefix = '';
  while (name.length > 100) {
    const i = name.indexOf('/');
    if (i === -1) return null;
    prefix += prefix ? '/' + name.slice(0, i) : name.slice(0, i);
    name = name.slice(i + 1);
  }
  return prefix.length > 155 ? null : [prefix, name];
}

/** A PAX record: "<len> <key>=<value>\n", where len counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const len = Buffer.byteLength(body);
  let digits = String(len).length;
  if (len + digits >= 10 ** digits) digits++;
  return `${len + digits}${body}`;
}

/** The same record with a value of raw bytes. */
function paxRecordBytes(key: string, value: Buffer): Buffer {
  const len = key.length + value.length + 3; // " ", "=" and "\n"
  let digits = String(len).length;
  if (len + digits >= 10 ** digits) digits++;
  return Buffer.concat([Buffer.from(`${len + digits} ${key}=`, 'latin1'), value, Buffer.from('\n', 'latin1')]);
}

interface Plan {
  split: [string, string] | null;
  pax?: Buffer;
}

// Owners beyond ustar's six octal digits go into PAX too (tar-stream would write 777777).
const MAX_ID = 0o777777;
const printable = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

function planHeader(h: TarHeader): Plan {
  const bigIds = h.uid > MAX_ID || h.gid > MAX_ID;
  // Non-ASCII names and link targets go into a PAX record, which is UTF-8 by definition.
  const ascii = printable(h.name) && (h.linkname === undefined || printable(h.linkname));
  const split = !ascii || bigIds || (h.linkname !== undefined && h.linkname.length > 100) ? null : ustarSplit(h.name);
  if (split) return { split };
  const ids = bigIds ? paxRecord('uid', String(h.uid)) + paxRecord('gid', String(h.gid)) : '';
  if (h.name.isWellFormed() && (!h.linkname || h.linkname.isWellFormed())) {
    let records = paxRecord('path', h.name);
    if (h.linkname) records += paxRecord('linkpath', h.linkname);
    return { split: null, pax: Buffer.from(records + ids, 'utf8') };
  }
  // A name or target that is not UTF-8: its bytes as they are, marked as such (POSIX's hdrcharset;
  // GNU tar and Go's archive/tar take path and linkpath as bytes either way).
  const records = [Buffer.from(paxRecord('hdrcharset', 'BINARY'), 'latin1'), paxRecordBytes('path', nameToBytes(h.name))];
  if (h.linkname) records.push(paxRecordBytes('linkpath', nameToBytes(h.linkname)));
  records.push(Buffer.from(ids, 'latin1'));
  return { split: null, pax: Buffer.concat(records) };
}

/** Bytes writeHeader will write for `h`. */
export function headerLength(h: TarHeader): number {
  const p = planHeader(h);
  return p.pax ? 2 * BLOCK + p.pax.length + padding(p.pax.length) : BLOCK;
}

function octal(buf: Buffer, off: number, value: number, digits: number): void {
  const s = value.toString(8);
  buf.write(s.length > digits ? '7'.repeat(digits) + ' ' : '0'.repeat(digits - s.length) + s + ' ', off, 'latin1');
}

function sizeField(buf: Buffer, off: number, size: number): void {
  if (size.toString(8).length <= 11) return octal(buf, off, size, 11);
  // GNU base-256 for sizes of 8 GiB and more.
  buf[off] = 0x80;
  for (let i = 11; i > 0; i--) {
    buf[off + i] = size % 256;
    size = Math.floor(size / 256);
  }
}

function text(buf: Buffer, off: number, s: string, max: number): void {
  if (s) buf.write(s, off, max, 'utf8');
}

function ustar(buf: Buffer, off: number, h: TarHeader, prefix: string, name: string, typeflag: number, size: number, linkname: string | undefined): void {
  buf.fill(0, off, off + BLOCK);
  text(buf, off, name, 100);
  octal(buf, off + 100, h.mode & 0o7777, 6);
  octal(buf, off + 108, h.uid, 6);
  octal(buf, off + 116, h.gid, 6);
  sizeField(buf, off + 124, size);
  octal(buf, off + 136, h.mtime, 11);
  buf[off + 156] = typeflag;
  if (linkname) text(buf, off + 157, linkname, 100);
  buf.write('ustar\x0000', off + 257, 'latin1');
  text(buf, off + 265, h.uname, 32);
  text(buf, off + 297, h.gname, 32);
  octal(buf, off + 329, 0, 6);
  octal(buf, off + 337, 0, 6);
  if (prefix) text(buf, off + 345, prefix, 155);
  let sum = 8 * 0x20;
  for (let i = off; i < off + 148; i++) sum += buf[i];
  for (let i = off + 156; i < off + BLOCK; i++) sum += buf[i];
  octal(buf, off + 148, sum, 6);
}

/** Writes the header of `h` (and its PAX record when needed) at `off`; returns the new offset. */
export function writeHeader(h: TarHeader, buf: Buffer, off: number): number {
  const p = planHeader(h);
  const typeflag = TYPEFLAG[h.type];
  if (!p.pax) {
    ustar(buf, off, h, p.split![0], p.split![1], typeflag, h.size, h.linkname);
    return off + BLOCK;
  }
  // The PAX header, then the entry itself under the placeholder name; readers take the real one from PAX.
  const link = h.linkname ? 'PaxHeader' : undefined;
  ustar(buf, off, h, '', 'PaxHeader', PAX_TYPEFLAG, p.pax.length, link);
  off += BLOCK;
  off += p.pax.copy(buf, off);
  const pad = padding(p.pax.length);
  buf.fill(0, off, off + pad);
  off += pad;
  ustar(buf, off, h, '', 'PaxHeader', typeflag, h.size, link);
  return off + BLOCK;
}
