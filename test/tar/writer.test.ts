// The deterministic tar writer on temporary directories: the stream and the build-time digest agree,
// the archive reads back as planned, the bytes depend only on the layer's content, and a file that
// changes under the writer is caught.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { digestLayer, layerTarStream, MTIME_SECONDS, WRITER_VERSION } from '../../src/tar/writer.js';
import type { DeclaredEntry, LayerContent } from '../../src/image/schema.js';
import { UserError } from '../../src/util/errors.js';

let root: string;
let umask: number;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'longshore-writer-'));
  umask = process.umask(0o022);
});
after(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh directory: "name -> target" makes a symlink, a Buffer or string a file. */
function tree(spec: Record<string, string | Buffer>): string {
  const dir = join(root, `t${n++}`);
  mkdirSync(dir);
  for (const [name, c] of Object.entries(spec)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    if (typeof c === 'string' && c.startsWith('-> ')) symlinkSync(c.slice(3), p);
    else writeFileSync(p, c);
  }
  return dir;
}

const layer = (c: Partial<LayerContent>): LayerContent => ({ paths: [], copyToRoot: [], perms: [], entries: [], ...c });
const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

async function bytesOf(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer)); // copied: a chunk must stand on its own
  return Buffer.concat(chunks);
}

interface Entry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  linkname?: string | null;
  body: Buffer;
}
/** Reads a tar back with tar-stream, an independent reader. */
async function entries(bytes: Buffer): Promise<Entry[]> {
  const ex = tar.extract();
  const out: Entry[] = [];
  const done = new Promise<void>((res, rej) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        out.push({
          name: h.name, type: h.type ?? '', mode: h.mode ?? -1, uid: h.uid ?? -1, gid: h.gid ?? -1, uname: h.uname ?? '', gname: h.gname ?? '',
          mtime: (h.mtime?.getTime() ?? -1) / 1000, linkname: h.linkname, body: Buffer.concat(chunks),
        });
        next();
      });
    });
    ex.on('finish', () => res());
    ex.on('error', rej);
  });
  ex.end(bytes);
  await done;
  return out;
}

describe('tar writer', () => {
  const decl: DeclaredEntry[] = [
    { path: '/etc/passwd', type: 'file', content: 'root:x:0:0::/root:/bin/sh\n' },
    { path: '/tmp', type: 'directory', mode: '1777' },
    { path: '/home/ü', type: 'directory', uid: 1000, gid: 100, uname: 'ü', gname: 'users' },
  ];

  test('the stream is the tar digestLayer measured: same diffID, same size, 512-aligned, two zero blocks at the end', async () => {
    const dir = tree({ 'bin/app': '#!/bin/sh\necho hi\n', 'lib/x.so': '-> x.so.1', 'lib/x.so.1': randomBytes(3000) });
    const c = layer({ copyToRoot: [dir], entries: decl });
    const d = digestLayer(c);
    const bytes = await bytesOf(layerTarStream(c));
    assert.equal(sha(bytes), d.diffID);
    assert.equal(bytes.length, d.size);
    assert.equal(bytes.length % 512, 0);
    assert.ok(bytes.subarray(-1024).equals(Buffer.alloc(1024)));
  });

  test('the archive reads back with every planned entry, fixed mtime and root owner by default', async () => {
    const dir = tree({ 'bin/app': '#!/bin/sh\necho hi\n', 'lib/x.so': '-> x.so.1', 'lib/x.so.1': 'ELF' });
    chmodSync(join(dir, 'bin/app'), 0o755);
    const got = await entries(await bytesOf(layerTarStream(layer({ copyToRoot: [dir], entries: decl }))));
    assert.deepEqual(
      got.map((e) => [e.name, e.type, e.mode.toString(8)]),
      [
        ['./', 'directory', '755'],
        ['bin/', 'directory', '755'],
        ['bin/app', 'file', '755'],
        ['etc/', 'directory', '755'],
        ['etc/passwd', 'file', '644'],
        ['home/', 'directory', '755'],
        ['home/ü/', 'directory', '755'],
        ['lib/', 'directory', '755'],
        ['lib/x.so', 'symlink', '777'],
        ['lib/x.so.1', 'file', '644'],
        ['tmp/', 'directory', '1777'],
      ],
    );
    for (const e of got) assert.equal(e.mtime, MTIME_SECONDS, e.name);
    const by = Object.fromEntries(got.map((e) => [e.name, e]));
    assert.equal(by['bin/app'].body.toString(), '#!/bin/sh\necho hi\n');
    assert.equal(by['etc/passwd'].body.toString(), 'root:x:0:0::/root:/bin/sh\n');
    assert.equal(by['lib/x.so'].linkname, 'x.so.1');
    assert.deepEqual([by['bin/app'].uid, by['bin/app'].gid, by['bin/app'].uname], [0, 0, '']);
    assert.deepEqual([by['home/ü/'].uid, by['home/ü/'].gid, by['home/ü/'].uname, by['home/ü/'].gname], [1000, 100, 'ü', 'users']);
  });

  test('files larger than the writer\'s 1 MiB blocks come through whole', async () => {
    const big = randomBytes((5 << 19) + 123); // 2.5 MiB and a bit: crosses blocks, needs padding
    const dir = tree({ 'a-small': 'x', 'big.bin': big, 'z-after': 'tail' });
    const c = layer({ copyToRoot: [dir] });
    const bytes = await bytesOf(layerTarStream(c));
    assert.equal(sha(bytes), digestLayer(c).diffID);
    const by = Object.fromEntries((await entries(bytes)).map((e) => [e.name, e]));
    assert.ok(by['big.bin'].body.equals(big));
    assert.equal(by['z-after'].body.toString(), 'tail');
  });

  test('the bytes depend on the content only: not on where copyToRoot lives, nor on file times', () => {
    const spec = { 'bin/app': 'app', 'share/doc': 'doc' };
    const a = tree(spec);
    const b = tree(spec);
    utimesSync(join(b, 'bin/app'), new Date(2020, 1, 1), new Date(2021, 1, 1));
    const da = digestLayer(layer({ copyToRoot: [a] }));
    const db = digestLayer(layer({ copyToRoot: [b] }));
    assert.equal(da.diffID, db.diffID);
    assert.equal(da.sources[`copyToRoot:${a}`], db.sources[`copyToRoot:${b}`]);
    // One byte more changes the digest.
    appendFileSync(join(b, 'share/doc'), '!');
    assert.notEqual(digestLayer(layer({ copyToRoot: [b] })).diffID, da.diffID);
  });

  test('source fingerprints: one per source (implicit entries count as declared), over metadata and inline content only', () => {
    const dir = tree({ 'f': 'aaaa' });
    const c = layer({ copyToRoot: [dir], entries: [{ path: '/etc/motd', type: 'file', content: 'hi' }] });
    const before = digestLayer(c);
    assert.deepEqual(Object.keys(before.sources), [`copyToRoot:${dir}`, 'declared']);
    for (const v of Object.values(before.sources)) assert.match(v, /^sha256:[0-9a-f]{64}$/);

    // Same size, other bytes: the diffID changes, the metadata fingerprint does not.
    writeFileSync(join(dir, 'f'), 'bbbb');
    const sameSize = digestLayer(c);
    assert.notEqual(sameSize.diffID, before.diffID);
    assert.deepEqual(sameSize.sources, before.sources);

    // Another size or mode: that source's fingerprint changes, the other's does not.
    chmodSync(join(dir, 'f'), 0o600);
    const mode = digestLayer(c);
    assert.notEqual(mode.sources[`copyToRoot:${dir}`], before.sources[`copyToRoot:${dir}`]);
    assert.equal(mode.sources.declared, before.sources.declared);

    // Declared content is inline, so it is in the fingerprint, even at the same size.
    const other = digestLayer({ ...c, entries: [{ path: '/etc/motd', type: 'file', content: 'ho' }] });
    assert.notEqual(other.sources.declared, mode.sources.declared);
    assert.equal(other.sources[`copyToRoot:${dir}`], mode.sources[`copyToRoot:${dir}`]);
  });

  test('names that are not UTF-8: the stream is what digestLayer measured, and fingerprints tell such names apart', async () => {
    const dir = tree({});
    const at = (name: string) => Buffer.concat([Buffer.from(dir + '/'), Buffer.from(name, 'latin1')]);
    writeFileSync(at('file-\xe4.txt'), 'latin-1');
    symlinkSync(Buffer.from('ziel-\xfc', 'latin1'), at('link-\xe9'));
    const c = layer({ copyToRoot: [dir] });
    const d = digestLayer(c);
    const bytes = await bytesOf(layerTarStream(c));
    assert.equal(sha(bytes), d.diffID);
    const listed = execFileSync('tar', ['--warning=no-unknown-keyword', '--quoting-style=literal', '-tvf', '-'], { input: bytes }).toString('latin1');
    assert.match(listed, /file-\xe4\.txt\n/);
    assert.match(listed, /link-\xe9 -> ziel-\xfc\n/);
    // Another byte in the same place: another fingerprint (a lossy decoding would hash both alike).
    rmSync(at('file-\xe4.txt'));
    writeFileSync(at('file-\xe5.txt'), 'latin-1');
    assert.notEqual(digestLayer(c).sources[`copyToRoot:${dir}`], d.sources[`copyToRoot:${dir}`]);
  });

  test(`the bytes ${WRITER_VERSION} wrote before: a fixture digested by the writer of 3917d95 (before names as bytes and scoped perms)`, () => {
    // Images built earlier are verified against these bytes at copy time: any change here needs a new WRITER_VERSION.
    const spec: Record<string, string> = {
      'bin/app': '#!/bin/sh\necho hi\n', 'bin/tool': 'tool', 'lib/libx.so': '-> libx.so.1', 'lib/libx.so.1': 'ELF'.repeat(400),
      'lib/posix': '-> ..', ['d'.repeat(60) + '/' + 'f'.repeat(120)]: 'long', ['p'.repeat(50) + '/' + 'q'.repeat(90)]: 'split',
      'ünïcødé-名前.txt': 'odd', 'odd-link': '-> ünïcødé', ['x/'.repeat(60) + 'deep']: 'deep', 'empty/x': '', 'etc/zero': '',
      'tab\there': 'ctl', 'nl\nname': 'newline',
    };
    const dir = tree(spec);
    rmSync(join(dir, 'empty/x'));
    chmodSync(join(dir, 'bin/app'), 0o755);
    chmodSync(join(dir, 'empty'), 0o700);
    const d = digestLayer({
      paths: [], copyToRoot: [dir],
      // Rules without `scope`, as every layer record had them.
      perms: [{ path: dir, regex: '^/bin/tool$', mode: '4755', uid: 7, gid: 8, uname: 'seven', gname: 'eight' }, { path: dir, regex: '^/empty$', mode: '1777', uid: 3000000 }],
      entries: [
        { path: '/etc/passwd', type: 'file', content: 'root:x:0:0::/root:/bin/sh\n' },
        { path: '/tmp', type: 'directory', mode: '1777' },
        { path: '/home/ü', type: 'directory', uid: 1000, gid: 100, uname: 'ü', gname: 'users' },
        { path: '/usr/bin/env', type: 'symlink', target: '/bin/env' },
      ],
    });
    assert.deepEqual([d.diffID, d.size], ['sha256:1b8720f2f521075408b99cfe7c62d75a6f37f30a7931015911f3a794b5ea0c99', 58880]);
  });

  test('an empty layer is the root directory and the end-of-archive blocks', async () => {
    const d = digestLayer(layer({}));
    assert.equal(d.size, 512 + 1024);
    const got = await entries(await bytesOf(layerTarStream(layer({}))));
    assert.deepEqual(got.map((e) => e.name), ['./']);
  });

  describe('a source that changes under the writer', () => {
    /** Reads the first chunk, runs `change`, then reads the rest: the error the stream ends with. */
    async function changeMidway(change: (dir: string) => void): Promise<unknown> {
      // 3 MiB before "b": the stream reads at most one 1 MiB block ahead of the consumer.
      const dir = tree({ 'a-big': randomBytes(3 << 20), b: 'small' });
      const s = layerTarStream(layer({ copyToRoot: [dir] }));
      const it = s[Symbol.asyncIterator]();
      assert.equal((await it.next()).done, false);
      change(dir);
      try {
        while (!(await it.next()).done);
      } catch (e) {
        return e;
      }
      return assert.fail('the stream ended without an error');
    }

    test('a file that grew or shrank since it was planned', async () => {
      const e = await changeMidway((dir) => writeFileSync(join(dir, 'b'), 'much longer than before'));
      assert.ok(e instanceof UserError);
      assert.match(e.message, /\/b changed while longshore was reading it \(was 5 bytes\); is something writing into \/nix\/store\?$/);
    });

    test('a file that vanished', async () => {
      const e = await changeMidway((dir) => rmSync(join(dir, 'b')));
      assert.ok(e instanceof UserError);
      assert.equal(e.code, 'STORE_PATH_CHANGED');
      assert.match(e.message, /\/b vanished while longshore was reading the layer; is something deleting from \/nix\/store/);
    });
  });

  test('a layer that cannot be planned fails the stream, not the caller synchronously', async () => {
    const s = layerTarStream(layer({ copyToRoot: [join(root, 'gone')] }));
    await assert.rejects(bytesOf(s), (e: unknown) => e instanceof UserError && /is missing/.test(e.message));
    assert.throws(() => digestLayer(layer({ copyToRoot: [join(root, 'gone')] })), /is missing/);
  });
});
