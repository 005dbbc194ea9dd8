// Which tar entries a layer holds, in which order, with which attributes, and which conflicts are
// refused. Uses copyToRoot directories and declared entries in temporary directories (layer
// `paths` must be in /nix/store, so only that check is tested for them).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compareNames, planLayer, type PlanEntry } from '../../src/tar/plan.js';
import type { DeclaredEntry, LayerContent, PermRule } from '../../src/image/schema.js';
import { UserError, type ErrorCode } from '../../src/util/errors.js';
import { nameFromBytes, nameToBytes } from '../../src/util/names.js';

let root: string;
let umask: number;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'longshore-plan-'));
  // Modes below are those of files made under umask 022, whatever this machine's umask is.
  umask = process.umask(0o022);
});
after(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh directory with the given tree: "name/" a directory, "name -> target" a symlink, else a file with that content. */
function tree(spec: Record<string, string | null>): string {
  const dir = join(root, `t${n++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(spec)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    if (name.endsWith('/')) mkdirSync(p, { recursive: true });
    else if (content?.startsWith('-> ')) symlinkSync(content.slice(3), p);
    else writeFileSync(p, content ?? '');
  }
  return dir;
}

const content = (c: Partial<LayerContent>): LayerContent => ({ paths: [], copyToRoot: [], perms: [], entries: [], ...c });
const names = (plan: PlanEntry[]) => plan.map((e) => e.name);
const byName = (plan: PlanEntry[], name: string) => plan.find((e) => e.name === name) ?? assert.fail(`no entry ${name} in ${names(plan).join(' ')}`);
function fails(c: LayerContent, re: RegExp, code?: ErrorCode, hint?: RegExp, opts = {}): void {
  assert.throws(() => planLayer(c, opts), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, re);
    if (code) assert.equal(e.code, code);
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  });
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('compareNames', () => {
  test('"." first, then depth-first with "/" before every other character', () => {
    const sorted = ['ab', 'a.c', 'a-b', 'a/b/c', 'a/b', 'a', '.', 'a/b-c', 'a/b/c/d', 'b', 'A'].sort(compareNames);
    assert.deepEqual(sorted, ['.', 'A', 'a', 'a/b', 'a/b/c', 'a/b/c/d', 'a/b-c', 'a-b', 'a.c', 'ab', 'b']);
    assert.equal(compareNames('x', 'x'), 0);
  });
});

describe('planLayer with copyToRoot', () => {
  test('the root, implicit parents and every entry, sorted depth-first, with modes from the files', () => {
    const dir = tree({ 'bin/app': '#!/bin/sh\n', 'bin/app-helper': 'x', 'bin.d/x': 'y', 'etc/conf': 'k=v', 'lib/libx.so': '-> libx.so.1', 'lib/libx.so.1': 'ELF' });
    chmodSync(join(dir, 'bin/app'), 0o4755);
    chmodSync(join(dir, 'etc'), 0o750);
    const plan = planLayer(content({ copyToRoot: [dir] }));
    assert.deepEqual(names(plan), ['.', 'bin', 'bin/app', 'bin/app-helper', 'bin.d', 'bin.d/x', 'etc', 'etc/conf', 'lib', 'lib/libx.so', 'lib/libx.so.1']);
    assert.deepEqual(byName(plan, '.'), { name: '.', type: 'directory', mode: 0o755, uid: 0, gid: 0, uname: '', gname: '', size: 0, origin: 'implicit' });
    const app = byName(plan, 'bin/app');
    assert.deepEqual([app.type, app.mode, app.size, app.source, app.origin], ['file', 0o4755, 10, join(dir, 'bin/app'), `copyToRoot:${dir}`]);
    assert.deepEqual([byName(plan, 'etc').type, byName(plan, 'etc').mode], ['directory', 0o750]);
    const link = byName(plan, 'lib/libx.so');
    assert.deepEqual([link.type, link.mode, link.linkname, link.size], ['symlink', 0o777, 'libx.so.1', 0]);
    // No /nix/store entries without store paths.
    assert.ok(!names(plan).includes('nix'));
  });

  test('symlinks are not followed, even a loop or one pointing outside', () => {
    const dir = tree({ 'lib/posix': '-> ..', 'escape': '-> /etc/passwd', 'dangling': '-> nowhere' });
    const plan = planLayer(content({ copyToRoot: [dir] }));
    assert.deepEqual(names(plan), ['.', 'dangling', 'escape', 'lib', 'lib/posix']);
    assert.equal(byName(plan, 'lib/posix').linkname, '..');
  });

  test('two copyToRoot trees merge; the same entry twice is fine, a path provided differently is a conflict naming what differs', () => {
    const a = tree({ 'bin/a': 'a', 'share/': null });
    const b = tree({ 'bin/b': 'b', 'share/': null });
    assert.deepEqual(names(planLayer(content({ copyToRoot: [a, b] }))), ['.', 'bin', 'bin/a', 'bin/b', 'share']);
    const c = tree({ 'bin/a': 'other' });
    fails(
      content({ copyToRoot: [a, c] }),
      new RegExp(`^/bin/a is provided twice, with a different content \\(1 vs 5 bytes\\): by copyToRoot ${a}, as in the store; and by copyToRoot ${c}, as in the store$`),
      'LAYER_CONFLICT',
      /^keep only one of the two in copyToRoot$/,
    );
    // The same bytes from another file are the same entry; the first source provides it.
    const d = tree({ 'bin/a': 'a' });
    const merged = planLayer(content({ copyToRoot: [a, d] }));
    assert.equal(byName(merged, 'bin/a').origin, `copyToRoot:${a}`);
    // The same size, other bytes.
    fails(content({ copyToRoot: [a, tree({ 'bin/a': 'z' })] }), /^\/bin\/a is provided twice, with a different content \(same size, other bytes\)/);
    // Directories with different modes: the fix is to declare the directory once.
    const e = tree({ 'share/': null });
    chmodSync(join(e, 'share'), 0o700);
    fails(content({ copyToRoot: [a, e] }), /^\/share is provided twice, with a different mode \(0755 vs 0700\): /, 'LAYER_CONFLICT', /declare \/share once, e\.g\. directories = \[ \{ path = "\/share"; mode = "0755"; \} \]/);
    // The same symlink twice is the same entry.
    assert.deepEqual(names(planLayer(content({ copyToRoot: [tree({ l: '-> t' }), tree({ l: '-> t' })] }))), ['.', 'l']);
    fails(content({ copyToRoot: [tree({ l: '-> t' }), tree({ l: '-> u' })] }), /^\/l is provided twice, with a different link target \(t vs u\)/, 'LAYER_CONFLICT', /declare \/l once in symlinks/);
  });

  test('a file where another tree has a directory is a conflict of type', () => {
    fails(content({ copyToRoot: [tree({ 'etc/x': '1' }), tree({ etc: 'file' })] }), /^\/etc is provided twice, with a different type \(directory vs file\)/);
  });

  test('a declared directory settles what two copyToRoot trees disagree on', () => {
    const a = tree({ 'bin/a': 'a' });
    const b = tree({ 'bin/b': 'b' });
    chmodSync(join(b, 'bin'), 0o555);
    fails(content({ copyToRoot: [a, b] }), /^\/bin is provided twice, with a different mode \(0755 vs 0555\)/);
    const plan = planLayer(content({ copyToRoot: [a, b], entries: [{ path: '/bin', type: 'directory', mode: '0711', by: 'directories[0]' }] }));
    assert.deepEqual(names(plan), ['.', 'bin', 'bin/a', 'bin/b']);
    assert.deepEqual([byName(plan, 'bin').mode, byName(plan, 'bin').origin, byName(plan, 'bin').by], [0o711, 'declared', 'directories[0]']);
  });

  test('a copyToRoot entry must be a directory, or a symlink to one (an alias)', () => {
    const f = join(tree({ f: 'x' }), 'f');
    fails(content({ copyToRoot: [f] }), new RegExp(`^copyToRoot entry ${f} is a file, not a directory: copyToRoot puts the contents of a directory at /$`), 'INVALID_CONFIG', /put the file in a directory/);
    fails(content({ copyToRoot: [join(root, 'gone')] }), /is missing \(garbage-collected\?\)/, 'STORE_PATH_MISSING');
    // An alias: its target's contents go to /, under the alias's name (perms and fingerprints use it).
    const real = tree({ 'bin/tool': 't', 'etc/conf': 'c' });
    const alias = join(tree({}), 'alias');
    symlinkSync(real, alias);
    const plan = planLayer(content({ copyToRoot: [alias], perms: [{ path: alias, regex: '^/bin/tool$', mode: '0700', scope: 'root' }] }));
    assert.deepEqual(names(plan), ['.', 'bin', 'bin/tool', 'etc', 'etc/conf']);
    assert.deepEqual([byName(plan, 'bin/tool').origin, byName(plan, 'bin/tool').source, byName(plan, 'bin/tool').mode], [`copyToRoot:${alias}`, join(real, 'bin/tool'), 0o700]);
    // An alias of an alias, and a relative target.
    const alias2 = join(tree({}), 'alias2');
    symlinkSync(`../${alias.split('/').slice(-2).join('/')}`, alias2);
    assert.deepEqual(names(planLayer(content({ copyToRoot: [alias2] }))), names(plan));
    // A symlink to a file, or to nothing.
    const toFile = join(tree({}), 'to-file');
    symlinkSync(f, toFile);
    fails(content({ copyToRoot: [toFile] }), new RegExp(`^copyToRoot entry ${esc(toFile)} is a symlink to ${esc(f)}, which is a file, not a directory: `), 'INVALID_CONFIG');
    const dangling = join(tree({}), 'dangling');
    symlinkSync(join(root, 'nowhere'), dangling);
    fails(content({ copyToRoot: [dangling] }), new RegExp(`^copyToRoot entry ${esc(dangling)} is a symlink to ${esc(join(root, 'nowhere'))}, which cannot be resolved \\(ENOENT\\)`), 'INVALID_CONFIG');
  });

  test('sockets, FIFOs and devices cannot go into a layer', () => {
    const dir = tree({});
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    fails(content({ copyToRoot: [dir] }), new RegExp(`^${join(dir, 'pipe')}: unsupported file type`));
  });

  test('names and link targets that are not UTF-8 are planned as their bytes', () => {
    const dir = tree({});
    const latin1 = Buffer.from('file-\xe4.txt', 'latin1');
    mkdirSync(Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x64, 0xff, 0xfe])]));
    writeFileSync(Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x64, 0xff, 0xfe, 0x2f]), latin1]), 'x');
    symlinkSync(Buffer.from('ziel-\xfc', 'latin1'), Buffer.concat([Buffer.from(dir + '/'), Buffer.from('link-\xe9', 'latin1')]));
    writeFileSync(join(dir, 'ünï'), 'utf8');
    const plan = planLayer(content({ copyToRoot: [dir] }));
    const bytes = plan.map((e) => nameToBytes(e.name).toString('latin1'));
    assert.deepEqual(bytes, ['.', 'd\xff\xfe', 'd\xff\xfe/file-\xe4.txt', 'link-\xe9', Buffer.from('ünï').toString('latin1')]);
    const file = plan[2];
    assert.deepEqual([file.type, file.size, nameToBytes(file.source!).equals(Buffer.concat([Buffer.from(dir + '/d\xff\xfe/', 'latin1'), latin1]))], ['file', 1, true]);
    assert.ok(nameToBytes(byName(plan, nameFromBytes(Buffer.from('link-\xe9', 'latin1'))).linkname!).equals(Buffer.from('ziel-\xfc', 'latin1')));
  });

  test('at build time, a ".wh." name is refused: OCI tools take it for a whiteout', () => {
    const dir = tree({ 'etc/.wh.passwd': 'x' });
    assert.deepEqual(names(planLayer(content({ copyToRoot: [dir] }))), ['.', 'etc', 'etc/.wh.passwd']);
    fails(content({ copyToRoot: [dir] }), new RegExp(`^${esc(dir)}/etc/\\.wh\\.passwd: a file named "\\.wh\\.\\*" cannot go into an OCI layer`), 'LAYER_CONTENT', undefined, { build: true });
    fails(content({ entries: [{ path: '/.wh..wh..opq', type: 'directory', by: 'directories[0]' }] }), /^directories\[0\] \(\/\.wh\.\.wh\.\.opq\): a file named/, 'LAYER_CONTENT', undefined, { build: true });
  });

  test('layer paths must be in /nix/store', () => {
    fails(content({ paths: [tree({ a: 'x' })] }), /^layer path \/.* is not in \/nix\/store$/);
  });
});

describe('perms', () => {
  const perm = (p: Partial<PermRule>): PermRule => ({ path: '', regex: '.*', ...p });

  test('apply to entries from their store path whose image path matches the (unanchored) regex', () => {
    const dir = tree({ 'bin/tool': 't', 'bin/other': 'o', 'etc/shadow': 's' });
    const other = tree({ 'usr/tool2': 't' });
    const plan = planLayer(
      content({
        copyToRoot: [dir, other],
        perms: [
          perm({ path: dir, regex: 'tool', mode: '4711', uid: 0, gid: 0 }),
          perm({ path: dir, regex: '^/etc/shadow$', mode: '0600', uid: 5, gid: 42, uname: 'shadow', gname: 'shadowg' }),
          // Another source's path: never applies to `dir`.
          perm({ path: '/nix/store/xyz', regex: '.*', mode: '0777' }),
        ],
      }),
    );
    assert.equal(byName(plan, 'bin/tool').mode, 0o4711);
    assert.equal(byName(plan, 'bin/other').mode, 0o644);
    assert.equal(byName(plan, 'usr/tool2').mode, 0o644);
    const s = byName(plan, 'etc/shadow');
    assert.deepEqual([s.mode, s.uid, s.gid, s.uname, s.gname], [0o600, 5, 42, 'shadow', 'shadowg']);
  });

  test('later rules win; the root of a copyToRoot tree is "/"', () => {
    const dir = tree({ 'a/b': 'x' });
    const plan = planLayer(content({ copyToRoot: [dir], perms: [perm({ path: dir, regex: '^/a', mode: '0700' }), perm({ path: dir, regex: '/b$', mode: '0400' })] }));
    assert.equal(byName(plan, 'a').mode, 0o700);
    assert.equal(byName(plan, 'a/b').mode, 0o400);
  });

  test('a rule scoped to the copy at / ("root", what build-layers sets for copyToRoot entries) applies there', () => {
    const dir = tree({ 'bin/tool': 't' });
    const plan = planLayer(content({ copyToRoot: [dir], perms: [perm({ path: dir, mode: '0777', uid: 1000, scope: 'root' })] }));
    assert.deepEqual([byName(plan, 'bin/tool').mode, byName(plan, 'bin/tool').uid, byName(plan, 'bin/tool').rules], [0o777, 1000, [0]]);
  });

  test('a conflict caused by a rule names the rule, what it set, and how to narrow it', () => {
    const a = tree({ 'bin/a': 'a' });
    const b = tree({ 'bin/b': 'b' });
    chmodSync(join(a, 'bin'), 0o555);
    chmodSync(join(b, 'bin'), 0o555);
    fails(
      content({ copyToRoot: [a, b], perms: [perm({ path: a, regex: '.*', mode: '0755', uid: 65534, gid: 65534 })] }),
      new RegExp(
        `^/bin is provided twice, with a different mode \\(0755 vs 0555\\) and owner \\(65534:65534 vs 0:0\\): ` +
          `by copyToRoot ${a}, with attributes set by perms\\[0\\] \\(regex "\\.\\*": mode 0755, uid 65534, gid 65534\\); and by copyToRoot ${b}, as in the store$`,
      ),
      'LAYER_CONFLICT',
      /^narrow the regex of perms\[0\] \("\.\*"\) so that it does not match "\/bin"; or declare \/bin once, e\.g\. directories = \[ \{ path = "\/bin"; mode = "0555"; \} \]: a declared directory replaces what copyToRoot entries provide$/,
    );
    // The example in the hint keeps the attributes no rule changed, whichever side has them.
    fails(content({ copyToRoot: [a, b], perms: [perm({ path: b, regex: '.*', mode: '0755' })] }), /^\/bin is provided twice, with a different mode \(0555 vs 0755\)/, 'LAYER_CONFLICT', /directories = \[ \{ path = "\/bin"; mode = "0555"; \} \]/);
    // A rule made by the library is named by what made it.
    fails(content({ copyToRoot: [a, b], perms: [perm({ path: b, regex: '^/bin$', uid: 5, by: 'initializeNixDatabase' })] }), /by copyToRoot \S+, with attributes set by initializeNixDatabase's perms rule \(regex "\^\/bin\$": uid 5\)$/);
  });

  test('bad rules are reported with their index', () => {
    fails(content({ perms: [perm({ path: '/nix/store/x', regex: '(' })] }), /^perms\[0\]: invalid regex "\(":/);
    fails(content({ perms: [perm({ path: '/x' }), perm({ path: '/x', mode: '0999' })] }), /^perms\[1\]: mode "0999" is not an octal string like "0755" or "1777"$/);
    fails(content({ perms: [{ regex: '.*' } as PermRule] }), /^perms\[0\]: "path" must be a store path$/);
  });
});

describe('declared entries', () => {
  const decl = (d: Partial<DeclaredEntry> & { path: string }): DeclaredEntry => ({ type: 'file', ...d });

  test('files, directories and symlinks with their defaults, and implicit parents', () => {
    const plan = planLayer(
      content({
        entries: [
          decl({ path: '/etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' }),
          decl({ path: '/tmp', type: 'directory', mode: '1777' }),
          decl({ path: '/home/alice', type: 'directory', uid: 1000, gid: 100, uname: 'alice' }),
          decl({ path: '/usr/bin/env', type: 'symlink', target: '/bin/env' }),
        ],
      }),
    );
    assert.deepEqual(names(plan), ['.', 'etc', 'etc/passwd', 'home', 'home/alice', 'tmp', 'usr', 'usr/bin', 'usr/bin/env']);
    const p = byName(plan, 'etc/passwd');
    assert.deepEqual([p.type, p.mode, p.size, p.content?.toString(), p.origin], ['file', 0o644, 26, 'root:x:0:0::/root:/bin/sh\n', 'declared']);
    assert.equal(byName(plan, 'tmp').mode, 0o1777);
    assert.deepEqual([byName(plan, 'home/alice').mode, byName(plan, 'home/alice').uid, byName(plan, 'home/alice').uname], [0o755, 1000, 'alice']);
    assert.deepEqual([byName(plan, 'usr/bin/env').mode, byName(plan, 'usr/bin/env').linkname], [0o777, '/bin/env']);
    assert.deepEqual([byName(plan, 'usr/bin').origin, byName(plan, 'usr/bin').mode], ['implicit', 0o755]);
    // A trailing slash is dropped; UTF-8 content is counted in bytes.
    const q = planLayer(content({ entries: [decl({ path: '/srv/', type: 'directory' }), decl({ path: '/motd', content: 'héllo' })] }));
    assert.deepEqual(names(q), ['.', 'motd', 'srv']);
    assert.equal(byName(q, 'motd').size, 6);
  });

  test('declared entries win over copyToRoot, and may declare a directory copyToRoot also has', () => {
    const dir = tree({ 'etc/passwd': 'from-tree', 'etc/other': 'o' });
    const plan = planLayer(content({ copyToRoot: [dir], entries: [decl({ path: '/etc/passwd', content: 'declared' }), decl({ path: '/etc', type: 'directory', mode: '0700' })] }));
    assert.equal(byName(plan, 'etc/passwd').content?.toString(), 'declared');
    assert.equal(byName(plan, 'etc/passwd').source, undefined);
    assert.equal(byName(plan, 'etc').mode, 0o700);
    assert.equal(byName(plan, 'etc/other').origin, `copyToRoot:${dir}`);
  });

  test('the same entry declared twice is fine; with different content or attributes it is refused', () => {
    const a = decl({ path: '/etc/hosts', content: '127.0.0.1 localhost\n' });
    assert.equal(planLayer(content({ entries: [a, { ...a }] })).filter((e) => e.name === 'etc/hosts').length, 1);
    fails(content({ entries: [a, { ...a, content: '::1 localhost\n' }] }), /^\/etc\/hosts is declared twice with different content$/);
    fails(content({ entries: [a, { ...a, mode: '0600' }] }), /declared twice/);
    const d = decl({ path: '/data', type: 'directory' });
    fails(content({ entries: [d, { ...d, uid: 1 }] }), /^\/data is declared twice/);
  });

  test('nothing may live under a file or a symlink', () => {
    fails(content({ entries: [decl({ path: '/etc', content: 'x' }), decl({ path: '/etc/passwd', content: 'y' })] }), /^\/etc\/passwd lies under \/etc, which is a file \(from a declared entry\)$/);
    const dir = tree({ lib: '-> lib64' });
    fails(content({ copyToRoot: [dir], entries: [decl({ path: '/lib/ld.so', content: '' })] }), new RegExp(`^/lib/ld\\.so lies under /lib, which is a symlink \\(from copyToRoot ${dir}\\)$`));
  });

  test('paths must be absolute and normalised; types, modes and targets are checked', () => {
    fails(content({ entries: [decl({ path: 'etc/x' })] }), /^declared entry 0 \(etc\/x\): path must be absolute and not "\/"$/);
    fails(content({ entries: [decl({ path: '/' , type: 'directory' })] }), /path must be absolute and not "\/"/);
    for (const p of ['/a/../b', '/a/./b', '/a//b']) fails(content({ entries: [decl({ path: p })] }), /path must be normalised \(no "\.", "\.\." or "\/\/"\)/);
    fails(content({ entries: [decl({ path: '/a' }), decl({ path: '/d', type: 'fifo' as 'file' })] }), /^declared entry 1 \(\/d\): type must be file, directory or symlink$/);
    fails(content({ entries: [decl({ path: '/l', type: 'symlink' })] }), /^declared entry 0 \(\/l\): symlink needs a target$/);
    fails(content({ entries: [decl({ path: '/f', mode: 'rwx' })] }), /^declared entry 0 \(\/f\): mode "rwx" is not an octal string/);
    fails(content({ entries: [decl({ path: '/f', mode: '17777' })] }), /mode "17777" is not an octal string/);
  });
});
