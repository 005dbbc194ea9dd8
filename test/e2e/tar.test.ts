// The one tar writer, checked by independent readers (Python's tarfile, umoci) on a store path made
// to hold the awkward cases.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { longshore, nixBuild, tmp } from '../helpers/nix.js';
import { listTar, umociUnpack, type TarMember } from '../helpers/oci.js';
import { loadImageFile } from '../../src/image/schema.js';

const LONG = 'd'.repeat(60) + '/' + 'f'.repeat(120);
const ODD = 'ünïcødé-名前.txt';

// A store path with a symlink loop, a hard link, a long name, a non-ASCII name, an empty file and dir.
const awkward = `pkgs.runCommand "awkward" { } ''
  mkdir -p $out/lib $out/empty $out/${LONG.split('/')[0]}
  ln -s .. $out/lib/posix
  echo shared > $out/lib/original
  ln $out/lib/original $out/lib/hardlink
  echo long > $out/${LONG}
  echo odd > "$out/${ODD}"
  : > $out/lib/zero
  echo tool > $out/lib/tool
''`;

let image: string;
let members: TarMember[];
let rootfs: string;
let storePath: string;

before(async () => {
  image = await nixBuild(`let a = ${awkward}; in longshore.buildImage {
    name = "awkward";
    copyToRoot = a;
    perms = [ { path = a; regex = "^/lib/tool$"; mode = "4755"; uid = 7; gid = 8; uname = "seven"; gname = "eight"; }
              { path = a; regex = "^/empty$"; mode = "1777"; } ];
    symlinks = [ { path = "/usr/bin/env-link"; target = "/lib/tool"; } ];
  }`);
  const img = loadImageFile(image);
  storePath = img.layers[0].paths.find((p) => p.endsWith('-awkward'))!;
  const dir = join(tmp(), 'oci');
  const r = await longshore(['copy', '-q', image, `oci:${dir}:t`]);
  assert.equal(r.exitCode, 0, r.all);
  members = await listTar(join(dir, 'blobs/sha256', img.layers[0].digest.slice(7)));
  rootfs = await umociUnpack(`${dir}:t`, join(tmp(), 'bundle'));
});

const member = (name: string): TarMember => {
  const m = members.find((x) => x.name.replace(/\/$/, '') === name);
  assert.ok(m, `no tar member ${name}`);
  return m;
};

describe('tar writer', () => {
  test('entries are sorted depth-first, mtime fixed, owned by root unless perms say otherwise', () => {
    const names = members.map((m) => m.name);
    assert.equal(names[0], '.');
    assert.ok(names.indexOf('nix') < names.indexOf('nix/store'));
    // depth-first with children sorted: compare path components in order
    const byComponents = (a: string, b: string): number => {
      const x = a === '.' ? [] : a.split('/');
      const y = b === '.' ? [] : b.split('/');
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return x.length - y.length;
    };
    assert.deepEqual([...names].sort(byComponents), names);
    for (const m of members) assert.equal(m.mtime, 1, m.name);
    const parts = names.map((n) => n.split('/'));
    for (let i = 1; i < parts.length; i++) {
      // every entry's parent directory came earlier
      const parent = parts[i].slice(0, -1).join('/');
      if (parent) assert.ok(names.slice(0, i).includes(parent), `${names[i]} before its parent`);
    }
    for (const m of members) if (!m.name.endsWith('lib/tool')) assert.equal(m.uid, 0, m.name);
  });

  test('/, /nix and /nix/store are 0755 directories', () => {
    for (const n of ['.', 'nix', 'nix/store']) {
      assert.equal(member(n).type, 'dir');
      assert.equal(member(n).mode, 0o755);
    }
  });

  test('symlinks are stored, never followed: a posix -> .. loop stays one entry', () => {
    const m = member(`${storePath.slice(1)}/lib/posix`);
    assert.equal(m.type, 'symlink');
    assert.equal(m.linkname, '..');
    assert.ok(!members.some((x) => x.name.includes('/posix/')));
    assert.equal(readlinkSync(join(rootfs, storePath.slice(1), 'lib/posix')), '..');
  });

  test('hard links become regular files with their full content', () => {
    const m = member(`${storePath.slice(1)}/lib/hardlink`);
    assert.equal(m.type, 'file');
    assert.equal(m.size, 7);
    assert.equal(readFileSync(join(rootfs, storePath.slice(1), 'lib/hardlink'), 'utf8'), 'shared\n');
  });

  test('long and non-ASCII names go through PAX and come back intact', () => {
    const long = member(`${storePath.slice(1)}/${LONG}`);
    const odd = member(`${storePath.slice(1)}/${ODD}`);
    assert.equal(odd.pax.path, `${storePath.slice(1)}/${ODD}`);
    assert.ok(long.name.length > 100);
    assert.equal(readFileSync(join(rootfs, storePath.slice(1), ODD), 'utf8'), 'odd\n');
    assert.equal(readFileSync(join(rootfs, storePath.slice(1), LONG), 'utf8'), 'long\n');
  });

  test('perms set setuid, sticky bits and owners, on the entries their regex matches', () => {
    const tool = member('lib/tool'); // copyToRoot puts the content at /
    assert.equal(tool.mode, 0o4755);
    assert.equal(tool.uid, 7);
    assert.equal(tool.gid, 8);
    const st = lstatSync(join(rootfs, 'lib/tool'));
    assert.equal(st.mode & 0o7777, 0o4755);
    assert.equal(st.uid, 7);
    assert.equal(member('empty').mode, 0o1777);
    // the regex is matched against the image path: the same file inside the store path is untouched
    assert.equal(member(`${storePath.slice(1)}/lib/tool`).uid, 0);
  });

  test('declared symlinks and their implicit parents', () => {
    assert.equal(member('usr/bin/env-link').type, 'symlink');
    assert.equal(member('usr/bin/env-link').linkname, '/lib/tool');
    assert.equal(member('usr').mode, 0o755);
  });
});
