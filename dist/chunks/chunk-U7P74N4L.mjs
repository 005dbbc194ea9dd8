import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/util/names.ts
function sequenceAt(b, i) {
  const c = b[i];
  if (c < 128) return 1;
  let len;
  let lo = 128;
  let hi = 191;
  if (c >= 194 && c <= 223) len = 2;
  else if (c >= 224 && c <= 239) {
    len = 3;
    if (c === 224) lo = 160;
    if (c === 237) hi = 159;
  } else if (c >= 240 && c <= 244) {
    len = 4;
    if (c === 240) lo = 144;
    if (c === 244) hi = 143;
  } else return 0;
  if (i + len > b.length) return 0;
  if (b[i + 1] < lo || b[i + 1] > hi) return 0;
  for (let k = 2; k < len; k++) if (b[i + k] < 128 || b[i + k] > 191) return 0;
  return len;
}
function nameFromBytes(b) {
  const s = b.toString("utf8");
  if (!s.includes("\uFFFD")) return s;
  let out = "";
  let start = 0;
  for (let i = 0; i < b.length; ) {
    const n = sequenceAt(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > start) out += b.toString("utf8", start, i);
    out += String.fromCharCode(56320 + b[i]);
    start = ++i;
  }
  if (start < b.length) out += b.toString("utf8", start);
  return out;
}
function nameToBytes(s) {
  if (s.isWellFormed()) return Buffer.from(s, "utf8");
  const parts = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 55296 && u <= 56319 && i + 1 < s.length) {
      const v = s.charCodeAt(i + 1);
      if (v >= 56320 && v <= 57343) {
        i++;
        continue;
      }
    }
    if (u >= 56448 && u <= 56575) {
      if (i > start) parts.push(Buffer.from(s.slice(start, i), "utf8"));
      parts.push(Buffer.of(u - 56320));
      start = i + 1;
    }
  }
  if (start < s.length) parts.push(Buffer.from(s.slice(start), "utf8"));
  return Buffer.concat(parts);
}
var fsPath = (s) => s.isWellFormed() ? s : nameToBytes(s);
var showName = (s) => s.isWellFormed() ? s : s.replace(/[\uDC80-\uDCFF]/gu, (c) => `\\x${(c.charCodeAt(0) - 56320).toString(16)}`);

// src/tar/header.ts
var TYPEFLAG = { file: 48, symlink: 50, directory: 53 };
var PAX_TYPEFLAG = 120;
var BLOCK = 512;
var END_OF_ARCHIVE = 2 * BLOCK;
var padding = (n) => (BLOCK - n % BLOCK) % BLOCK;
function ustarSplit(name) {
  let prefix = "";
  while (name.length > 100) {
    const i = name.indexOf("/");
    if (i === -1) return null;
    prefix += prefix ? "/" + name.slice(0, i) : name.slice(0, i);
    name = name.slice(i + 1);
  }
  return prefix.length > 155 ? null : [prefix, name];
}
function paxRecord(key, value) {
  const body = ` ${key}=${value}
`;
  const len = Buffer.byteLength(body);
  let digits = String(len).length;
  if (len + digits >= 10 ** digits) digits++;
  return `${len + digits}${body}`;
}
function paxRecordBytes(key, value) {
  const len = key.length + value.length + 3;
  let digits = String(len).length;
  if (len + digits >= 10 ** digits) digits++;
  return Buffer.concat([Buffer.from(`${len + digits} ${key}=`, "latin1"), value, Buffer.from("\n", "latin1")]);
}
var MAX_ID = 262143;
var printable = (s) => /^[\x20-\x7e]*$/.test(s);
function planHeader(h) {
  const bigIds = h.uid > MAX_ID || h.gid > MAX_ID;
  const ascii = printable(h.name) && (h.linkname === void 0 || printable(h.linkname));
  const split = !ascii || bigIds || h.linkname !== void 0 && h.linkname.length > 100 ? null : ustarSplit(h.name);
  if (split) return { split };
  const ids = bigIds ? paxRecord("uid", String(h.uid)) + paxRecord("gid", String(h.gid)) : "";
  if (h.name.isWellFormed() && (!h.linkname || h.linkname.isWellFormed())) {
    let records2 = paxRecord("path", h.name);
    if (h.linkname) records2 += paxRecord("linkpath", h.linkname);
    return { split: null, pax: Buffer.from(records2 + ids, "utf8") };
  }
  const records = [Buffer.from(paxRecord("hdrcharset", "BINARY"), "latin1"), paxRecordBytes("path", nameToBytes(h.name))];
  if (h.linkname) records.push(paxRecordBytes("linkpath", nameToBytes(h.linkname)));
  records.push(Buffer.from(ids, "latin1"));
  return { split: null, pax: Buffer.concat(records) };
}
function headerLength(h) {
  const p = planHeader(h);
  return p.pax ? 2 * BLOCK + p.pax.length + padding(p.pax.length) : BLOCK;
}
function octal(buf, off, value, digits) {
  const s = value.toString(8);
  buf.write(s.length > digits ? "7".repeat(digits) + " " : "0".repeat(digits - s.length) + s + " ", off, "latin1");
}
function sizeField(buf, off, size) {
  if (size.toString(8).length <= 11) return octal(buf, off, size, 11);
  buf[off] = 128;
  for (let i = 11; i > 0; i--) {
    buf[off + i] = size % 256;
    size = Math.floor(size / 256);
  }
}
function text(buf, off, s, max) {
  if (s) buf.write(s, off, max, "utf8");
}
function ustar(buf, off, h, prefix, name, typeflag, size, linkname) {
  buf.fill(0, off, off + BLOCK);
  text(buf, off, name, 100);
  octal(buf, off + 100, h.mode & 4095, 6);
  octal(buf, off + 108, h.uid, 6);
  octal(buf, off + 116, h.gid, 6);
  sizeField(buf, off + 124, size);
  octal(buf, off + 136, h.mtime, 11);
  buf[off + 156] = typeflag;
  if (linkname) text(buf, off + 157, linkname, 100);
  buf.write("ustar\x0000", off + 257, "latin1");
  text(buf, off + 265, h.uname, 32);
  text(buf, off + 297, h.gname, 32);
  octal(buf, off + 329, 0, 6);
  octal(buf, off + 337, 0, 6);
  if (prefix) text(buf, off + 345, prefix, 155);
  let sum = 8 * 32;
  for (let i = off; i < off + 148; i++) sum += buf[i];
  for (let i = off + 156; i < off + BLOCK; i++) sum += buf[i];
  octal(buf, off + 148, sum, 6);
}
function writeHeader(h, buf, off) {
  const p = planHeader(h);
  const typeflag = TYPEFLAG[h.type];
  if (!p.pax) {
    ustar(buf, off, h, p.split[0], p.split[1], typeflag, h.size, h.linkname);
    return off + BLOCK;
  }
  const link = h.linkname ? "PaxHeader" : void 0;
  ustar(buf, off, h, "", "PaxHeader", PAX_TYPEFLAG, p.pax.length, link);
  off += BLOCK;
  off += p.pax.copy(buf, off);
  const pad = padding(p.pax.length);
  buf.fill(0, off, off + pad);
  off += pad;
  ustar(buf, off, h, "", "PaxHeader", typeflag, h.size, link);
  return off + BLOCK;
}

export {
  nameFromBytes,
  nameToBytes,
  fsPath,
  showName,
  END_OF_ARCHIVE,
  padding,
  headerLength,
  writeHeader
};
