// The hand-written header encoder against tar-stream's packer, which digested every layer before it:
// the same entry must give the same bytes, or layer digests built by earlier versions would change.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import tar from 'tar-stream';
import { headerLength, padding, writeHeader, type TarHeader } from '../../src/tar/header.js';

function ours(h: TarHeader, body: Buffer): Buffer {
  const buf = Buffer.alloc(headerLength(h) + body.length + padding(body.length) + 1024, 0xee);
  let off = writeHeader(h, buf, 0);
  assert.equal(off, headerLength(h), 'headerLength matches what writeHeader wrote');
  off += body.copy(buf, off);
  buf.fill(0, off);
  return buf;
}

async function tarStream(h: TarHeader, body: Buffer): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((res) => pack.on('end', () => res()));
  const header: Partial<tar.Header> & { name: string; pax?: Record<string, string> } = {
    name: h.name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, uname: h.uname, gname: h.gname,
    mtime: new Date(h.mtime * 1000), size: h.size,
  };
  if (h.linkname !== undefined) header.linkname = h.linkname;
  // The old writer's mapping: non-printable or non-ASCII text asked tar-stream for a PAX record.
  if (![h.name, h.linkname ?? ''].every((t) => /^[\x20-\x7e]*$/.test(t))) header.pax = {};
  pack.entry(header as tar.Header, body);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const base = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: 1 } as const;
const file = (name: string, body: string, extra: Partial<TarHeader> = {}): [TarHeader, Buffer] => {
  const b = Buffer.from(body);
  return [{ ...base, name, type: 'file', size: b.length, ...extra }, b];
};
const link = (name: string, linkname: string, extra: Partial<TarHeader> = {}): [TarHeader, Buffer] =>
  [{ ...base, name, type: 'symlink', mode: 0o777, size: 0, linkname, ...extra }, Buffer.alloc(0)];

const cases: Record<string, [TarHeader, Buffer]> = {
  'root directory': [{ ...base, name: './', type: 'directory', mode: 0o755, size: 0 }, Buffer.alloc(0)],
  'plain file': file('nix/store/abc-hello/bin/hello', 'hello\n', { mode: 0o555 }),
  'empty file': file('nix/store/abc-x/zero', ''),
  'file of exactly 512 bytes': file('a', 'x'.repeat(512)),
  'setuid file with named owners': file('lib/tool', 'tool', { mode: 0o4755, uid: 7, gid: 8, uname: 'seven', gname: 'eight' }),
  'sticky directory': [{ ...base, name: 'tmp/', type: 'directory', mode: 0o1777, size: 0 }, Buffer.alloc(0)],
  'name of exactly 100 bytes': file('n'.repeat(100), 'x'),
  // With its "/", a 100-byte directory name is 101 bytes: all of it goes to the prefix, the name field stays empty.
  'directory name of 100 bytes plus "/"': [{ ...base, name: 'd'.repeat(100) + '/', type: 'directory', mode: 0o755, size: 0 }, Buffer.alloc(0)],
  'long name split into prefix': file('d'.repeat(60) + '/' + 'f'.repeat(90), 'long'),
  'long name with no split (PAX)': file('d'.repeat(60) + '/' + 'f'.repeat(120), 'long'),
  'path longer than prefix + name (PAX)': file(('p'.repeat(50) + '/').repeat(6) + 'leaf', 'deep'),
  'non-ASCII name (PAX)': file('ünïcødé-名前.txt', 'odd'),
  'symlink': link('lib/posix', '..'),
  'symlink with a 100-byte target': link('t100', 't'.repeat(100)),
  'symlink with a long target (PAX)': link('long-link', 'x/'.repeat(80)),
  'symlink with a non-ASCII target (PAX)': link('odd-link', 'ünïcødé'),
  // " path=<name>\n" is 98 bytes: with its length's two digits it would be 100, so the length takes three.
  'PAX record whose length gains a digit': file('é' + 'z'.repeat(89), 'x'),
};

describe('tar header encoder', () => {
  for (const [what, [h, body]] of Object.entries(cases)) {
    test(`${what}: same bytes as tar-stream`, async () => {
      assert.deepEqual(ours(h, body), await tarStream(h, body));
    });
  }

  test('owners beyond six octal digits survive through PAX (Python tarfile reads them back)', () => {
    const [h, body] = file('big-ids', 'x', { uid: 3_000_000, gid: 4_000_001 });
    const bytes = ours(h, body);
    const out = execFileSync('python3', ['-c', 'import sys,tarfile,io\nfor m in tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read())): print(m.name, m.uid, m.gid)'], { input: bytes }).toString();
    assert.equal(out.trim(), 'big-ids 3000000 4000001');
  });

  describe('names and link targets that are not UTF-8 (tar-stream cannot write them)', () => {
    // Names as src/util/names.ts holds them: the byte 0xE4 is U+DCE4.
    const latin1Name = 'nix/store/abc-x/file-\uDCE4.txt';
    const cases: [string, TarHeader, Buffer][] = [
      ['a file name', { ...base, name: latin1Name, type: 'file', size: 3 }, Buffer.from('abc')],
      ['a link target', { ...base, name: 'link', type: 'symlink', mode: 0o777, size: 0, linkname: 'ziel-\uDCFC' }, Buffer.alloc(0)],
      ['both, with big owners', { ...base, name: 'l-\uDCE9', type: 'symlink', mode: 0o777, size: 0, linkname: 't-\uDCE9', uid: 3_000_000, gid: 7 }, Buffer.alloc(0)],
      ['a long name', { ...base, name: 'd/'.repeat(70) + '\uDCFF', type: 'directory', mode: 0o755, size: 0 }, Buffer.alloc(0)],
    ];
    const raw = (s: string) => Buffer.from(s.replace(/[\uDC80-\uDCFF]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xdc00)), 'latin1');

    test('PAX records of the raw bytes, after hdrcharset=BINARY', () => {
      const bytes = ours(cases[0][1], cases[0][2]);
      const name = raw(latin1Name);
      const records = Buffer.concat([Buffer.from('21 hdrcharset=BINARY\n'), Buffer.from(`${name.length + 9} path=`), name, Buffer.from('\n')]);
      assert.equal(bytes.subarray(512, 512 + records.length).toString('latin1'), records.toString('latin1'));
      assert.equal(bytes[156], 0x78);
      assert.equal(bytes.readUInt8(512 + records.length), 0, 'the record block is zero-padded');
    });

    test('Python tarfile and GNU tar read back the same bytes', () => {
      const all = Buffer.concat([...cases.map(([, h, b]) => ours(h, b).subarray(0, headerLength(h) + b.length + padding(b.length))), Buffer.alloc(1024)]);
      const py = execFileSync('python3', ['-c', 'import sys,tarfile,io\nfor m in tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), encoding="utf-8", errors="surrogateescape"): sys.stdout.buffer.write(m.name.encode("utf-8","surrogateescape")+b"|"+m.linkname.encode("utf-8","surrogateescape")+b"|"+str(m.uid).encode()+b"\\n")'], { input: all });
      const expected = cases.map(([, h]) => Buffer.concat([raw(h.name.replace(/\/$/, '')), Buffer.from('|'), raw(h.linkname ?? ''), Buffer.from(`|${h.uid}\n`)]));
      assert.equal(py.toString('latin1'), Buffer.concat(expected).toString('latin1'));
      const gnu = execFileSync('tar', ['--warning=no-unknown-keyword', '--quoting-style=literal', '-tf', '-'], { input: all });
      assert.equal(gnu.toString('latin1'), cases.map(([, h]) => raw(h.name).toString('latin1') + '\n').join(''));
    });
  });

  test('sizes of 8 GiB and more use base-256, which Python tarfile reads', () => {
    const h: TarHeader = { ...base, name: 'huge', type: 'file', size: 9 * 2 ** 30 };
    const buf = Buffer.alloc(headerLength(h));
    writeHeader(h, buf, 0);
    const out = execFileSync('python3', ['-c', 'import sys,tarfile\nprint(tarfile.TarInfo.frombuf(sys.stdin.buffer.read(512), "utf-8", "strict").size)'], { input: buf }).toString();
    assert.equal(Number(out.trim()), 9 * 2 ** 30);
  });
});
