// Every transport's NAME and TAG parsing against the shared table (test/reference/names.ts), through
// the CLI's own entry point: parseDestination, which loads each transport module on first use. Parsing
// connects to nothing. `longshore lock` goes through parseSourceRef.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDestination } from '../../src/dest/parse.js';
import { parseSourceRef } from '../../src/commands/lock.js';
import { InvalidReferenceError } from '../../src/reference/reference.js';
import { NAMES, TAGS } from '../reference/names.js';

/** Resolves true when the reference parses, false when it is refused as an invalid reference. */
async function accepts(f: () => unknown): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    assert.ok(e instanceof InvalidReferenceError, `expected an InvalidReferenceError, got ${String(e)}`);
    return false;
  }
}

const dest = (ref: string) => () => parseDestination(ref, {});
const lock = (ref: string) => () => parseSourceRef(ref);

const show = (s: string) => (s.length > 40 ? `${JSON.stringify(s.slice(0, 30))}… (${s.length} characters)` : JSON.stringify(s));

/** Each destination a NAME can appear in, as NAME:TAG and as NAME alone. */
const withName = (name: string): [string, () => unknown][] => [
  [`docker://${name}:v1`, dest(`docker://${name}:v1`)],
  [`docker://${name}`, dest(`docker://${name}`)],
  [`docker-daemon:${name}:v1`, dest(`docker-daemon:${name}:v1`)],
  [`docker-daemon:${name}`, dest(`docker-daemon:${name}`)],
  [`podman:${name}:v1`, dest(`podman:${name}:v1`)],
  [`podman:${name}`, dest(`podman:${name}`)],
  [`containers-storage:${name}:v1`, dest(`containers-storage:${name}:v1`)],
  // containers-storage: with no NAME at all takes the image's own (tested below).
  ...(name ? [[`containers-storage:${name}`, dest(`containers-storage:${name}`)] as [string, () => unknown]] : []),
  [`containers-storage:[overlay@/var/lib/x+/run/x]${name}:v1`, dest(`containers-storage:[overlay@/var/lib/x+/run/x]${name}:v1`)],
  [`docker-archive:/tmp/f.tar:${name}:v1`, dest(`docker-archive:/tmp/f.tar:${name}:v1`)],
  [`docker-archive:/tmp/f.tar:${name}`, dest(`docker-archive:/tmp/f.tar:${name}`)],
  [`lock docker://${name}:v1`, lock(`docker://${name}:v1`)],
  [`lock docker://${name}`, lock(`docker://${name}`)],
];

/** Each destination a TAG can appear in; oci: and oci-archive: take tags only, and `oci` decides there. */
const withTag = (tag: string): [string, () => unknown, 'valid' | 'oci'][] => [
  [`docker://team/app:${tag}`, dest(`docker://team/app:${tag}`), 'valid'],
  [`docker-daemon:team/app:${tag}`, dest(`docker-daemon:team/app:${tag}`), 'valid'],
  [`podman:team/app:${tag}`, dest(`podman:team/app:${tag}`), 'valid'],
  [`containers-storage:team/app:${tag}`, dest(`containers-storage:team/app:${tag}`), 'valid'],
  [`docker-archive:/tmp/f.tar:team/app:${tag}`, dest(`docker-archive:/tmp/f.tar:team/app:${tag}`), 'valid'],
  [`lock docker://team/app:${tag}`, lock(`docker://team/app:${tag}`), 'valid'],
  [`oci-archive:/tmp/f.tar:${tag}`, dest(`oci-archive:/tmp/f.tar:${tag}`), 'oci'],
  [`oci:/tmp/dir:${tag}`, dest(`oci:/tmp/dir:${tag}`), 'oci'],
];

describe('names (shared table), every transport', () => {
  for (const { name, valid } of NAMES) {
    test(`${show(name)} is ${valid ? 'valid' : 'invalid'}`, async () => {
      for (const [ref, f] of withName(name)) assert.equal(await accepts(f), valid, show(ref));
    });
  }
});

describe('tags (shared table), every transport', () => {
  for (const c of TAGS) {
    test(`${show(c.tag)}: ${c.valid ? 'valid' : 'invalid'}, ${c.oci ? '' : 'not '}an OCI ref name`, async () => {
      for (const [ref, f, column] of withTag(c.tag)) assert.equal(await accepts(f), c[column], show(ref));
    });
  }
});

describe('what the parsers keep', () => {
  test('daemons and archives keep the name as written; docker:// normalises', async () => {
    const d = (await parseDestination('docker-daemon:Registry.Example:5000/team--app:v1', {})) as unknown as { name: string; tag?: string };
    assert.deepEqual({ name: d.name, tag: d.tag }, { name: 'Registry.Example:5000/team--app', tag: 'v1' });
    const p = (await parseDestination('podman:team__app', {})) as unknown as { name: string; tag?: string };
    assert.deepEqual({ name: p.name, tag: p.tag }, { name: 'team__app', tag: undefined });
    const r = (await parseDestination('docker://team__app:v1', {})) as unknown as { ref: { registry: string; repository: string; tag?: string } };
    assert.deepEqual([r.ref.registry, r.ref.repository, r.ref.tag], ['docker.io', 'library/team__app', 'v1']);
    assert.deepEqual(parseSourceRef('docker://debian'), { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/debian', tag: 'latest', digest: undefined });
  });
  test('oci: and oci-archive: without a tag, and a path with ":" in it', async () => {
    const o = (await parseDestination('oci:/tmp/dir', {})) as unknown as { dir: string; tag?: string };
    assert.deepEqual([o.dir, o.tag], ['/tmp/dir', undefined]);
    const o2 = (await parseDestination('oci:/tmp/a:b:v1', {})) as unknown as { dir: string; tag?: string };
    assert.deepEqual([o2.dir, o2.tag], ['/tmp/a:b', 'v1']);
    const a = (await parseDestination('oci-archive:/tmp/f.tar', {})) as unknown as { file: string; ref?: string };
    assert.deepEqual([a.file, a.ref], ['/tmp/f.tar', undefined]);
  });
  test('containers-storage: names as skopeo writes them, an optional store, no image IDs', async () => {
    type Cs = { name: string; tag?: string; transport: string; normalise(n: string): string; connect: unknown };
    const c = (await parseDestination('containers-storage:team__app:v1', {})) as unknown as Cs;
    assert.deepEqual([c.transport, c.name, c.tag, c.normalise(c.name)], ['containers-storage', 'team__app', 'v1', 'docker.io/library/team__app']);
    assert.equal(c.normalise('app'), 'docker.io/library/app');
    assert.equal(c.normalise('index.docker.io/app'), 'docker.io/library/app');
    assert.equal(c.normalise('Registry.Example:5000/team/app'), 'Registry.Example:5000/team/app');
    assert.equal(c.normalise('localhost/app'), 'localhost/app');
    const bare = (await parseDestination('containers-storage:', {})) as unknown as Cs;
    assert.deepEqual([bare.name, bare.tag], ['', undefined]);
    const stored = (await parseDestination('containers-storage:[vfs@/tmp/root+/tmp/run:vfs.ignore_chown_errors=true]app', {})) as unknown as Cs;
    assert.deepEqual([stored.name, stored.tag], ['app', undefined]);
    await assert.rejects(parseDestination('containers-storage:@0123abcd', {}), /^InvalidReferenceError: containers-storage:@0123abcd: an image ID names an image already stored/);
    await assert.rejects(parseDestination('containers-storage:[vfs@relative+/run]app', {}), /the store path "relative" is not absolute/);
    await assert.rejects(parseDestination('containers-storage:[/root', {}), /"\[" without "\]"/);
    await assert.rejects(parseDestination('containers-storage:app@sha256:' + 'a'.repeat(64), {}), /digests cannot be used as names/);
  });
  test('dir: keeps the whole path, ":" included; it has no tag', async () => {
    const d = (await parseDestination('dir:/tmp/a:b', {})) as unknown as { dir: string; description: string };
    assert.deepEqual([d.dir, d.description], ['/tmp/a:b', 'dir:/tmp/a:b']);
    await assert.rejects(parseDestination('dir:', {}), /^InvalidReferenceError|dir: needs a directory/);
  });
  test('--mount-from is checked before anything is sent', async () => {
    await assert.rejects(parseDestination('docker://localhost:5000/app', { mountFrom: 'Other/App' }), /^InvalidReferenceError: --mount-from Other\/App: repository component "Other"/);
    await parseDestination('docker://localhost:5000/app', { mountFrom: 'localhost:5000/other--app' });
  });
  test('error messages start with the destination as written', async () => {
    await assert.rejects(parseDestination('docker://Reg.Example:5000/My_App', {}), { message: /^docker:\/\/Reg\.Example:5000\/My_App: repository component "My_App" is not valid/ });
    await assert.rejects(parseDestination('docker-daemon:Reg.Example:5000/My_App:v1', {}), { message: /^docker-daemon:Reg\.Example:5000\/My_App:v1: repository component "My_App"/ });
    await assert.rejects(parseDestination('docker-archive:/tmp/f.tar:app:.v', {}), { message: /^docker-archive:\/tmp\/f\.tar:app:\.v: tag "\.v" is not valid/ });
    await assert.rejects(parseDestination('oci-archive:/tmp/f.tar:_x', {}), { message: /^oci-archive:\/tmp\/f\.tar:_x: tag "_x" is not a valid OCI layout reference name/ });
    await assert.rejects(parseDestination('oci:/tmp/dir:a+b', {}), { message: /^oci:\/tmp\/dir:a\+b: tag "a\+b" is not valid/ });
    assert.throws(() => parseSourceRef('docker://Debian:12'), { message: /^docker:\/\/Debian:12: repository component "Debian"/ });
  });
});
