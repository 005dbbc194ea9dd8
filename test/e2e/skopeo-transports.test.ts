// The skopeo transports nix2container users call copyTo with: dir:DIR, byte for byte what skopeo
// writes and read back by skopeo, and containers-storage:, read by Podman and skopeo.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildExample, longshore, tmp } from '../helpers/nix.js';
import { treeBytes } from '../helpers/oci.js';
import type { CopyResult } from '../../src/copy/types.js';
import { makePodman, type Podman } from '../helpers/podman.js';

/** `longshore copy IMAGE DEST --json`, which must succeed. */
async function copyJson(image: string, dest: string, env: Record<string, string> = {}, args: string[] = []): Promise<CopyResult> {
  const r = await longshore(['copy', image, dest, '--json', ...args], env);
  assert.equal(r.exitCode, 0, r.all);
  return JSON.parse(r.stdout) as CopyResult;
}

/** What `skopeo copy` writes into dir:DIR, for the image longshore wrote into an OCI layout. */
async function skopeoDir(image: string): Promise<string> {
  const base = tmp('longshore-skopeo-dir-');
  const c = await longshore(['copy', image, `oci:${base}/layout:x`, '-q']);
  assert.equal(c.exitCode, 0, c.all);
  await execa('skopeo', ['copy', '-q', `oci:${base}/layout:x`, `dir:${base}/dir`]);
  return join(base, 'dir');
}

function assertSameTree(got: string, want: string): void {
  const a = treeBytes(got);
  const b = treeBytes(want);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, v] of a) assert.ok(v.equals(b.get(k)!), `${k} differs from skopeo's`);
}

describe('dir:', { timeout: 300_000 }, () => {
  let hello: string;
  let layered: string;
  before(async () => {
    [hello, layered] = await Promise.all([buildExample('hello'), buildExample('layered')]);
  });

  test("writes what skopeo copy … dir: writes, byte for byte; skopeo reads it back", async () => {
    const dir = join(tmp('longshore-dir-'), 'hello');
    const r = await copyJson(hello, `dir:${dir}`);
    assert.equal(r.reference, `dir:${dir}`);
    assert.deepEqual(r.layers.map((l) => l.action), ['written']);
    assertSameTree(dir, await skopeoDir(hello));
    assert.equal(readFileSync(join(dir, 'version'), 'utf8'), 'Directory Transport Version: 1.1\n');
    const manifest = readFileSync(join(dir, 'manifest.json'));
    assert.equal('sha256:' + (await execa('sha256sum', [join(dir, 'manifest.json')])).stdout.slice(0, 64), r.manifestDigest);
    assert.equal((JSON.parse(manifest.toString()) as { layers: { mediaType: string }[] }).layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar', 'uncompressed, as oci:');
    const back = tmp('longshore-dir-back-');
    await execa('skopeo', ['copy', '-q', `dir:${dir}`, `oci:${back}/layout:y`]);
    const cfg = JSON.parse((await execa('skopeo', ['inspect', '--config', `dir:${dir}`])).stdout) as { config: { Entrypoint: string[] } };
    assert.match(cfg.config.Entrypoint[0], /-hello\/bin\/hello$/);
  });

  test('again: every blob is there already; another image replaces the first only once it is whole', async () => {
    const dir = join(tmp('longshore-dir-'), 'img');
    await copyJson(hello, `dir:${dir}`);
    const again = await copyJson(hello, `dir:${dir}`);
    assert.deepEqual(again.layers.map((l) => l.action), ['skipped']);
    assert.equal(again.bytesSent, 0);
    // A signature of the first image does not sign the second.
    writeFileSync(join(dir, 'signature-1'), 'not a real signature');
    const second = await copyJson(layered, `dir:${dir}`);
    assert.equal(second.layers.length, 2);
    assertSameTree(dir, await skopeoDir(layered));
    assert.ok(!existsSync(join(dir, 'signature-1')));
  });

  test('--compression gzip: skopeo reads the gzip layers back', async () => {
    const dir = join(tmp('longshore-dir-'), 'gz');
    const r = await copyJson(hello, `dir:${dir}`, {}, ['--compression', 'gzip']);
    assert.equal(r.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    assert.ok(existsSync(join(dir, r.layers[0].digest.slice(7))));
    await execa('skopeo', ['copy', '-q', `dir:${dir}`, `oci:${tmp('longshore-dir-back-')}/layout:z`]);
  });

  test('refuses a directory that holds something else, and leaves it alone', async () => {
    const dir = tmp('longshore-dir-other-');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await longshore(['copy', hello, `dir:${dir}`]);
    assert.equal(r.exitCode, 1, r.all);
    assert.match(r.stderr, new RegExp(`longshore: error: dir:${dir}: ${dir} is not empty and is not an image directory \\(no "version" file\\); refusing to write into it`));
    assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', 'src']);
  });
});

describe('containers-storage:', { timeout: 300_000 }, () => {
  let p: Podman;
  let hello: string;
  before(async () => {
    [hello, p] = await Promise.all([buildExample('hello'), makePodman()]);
  });
  after(() => p?.stop());

  // CONTAINER_HOST names a service that is not there: containers-storage: never goes through one.
  const env = () => ({ ...p.env, CONTAINER_HOST: 'unix:///nonexistent/podman.sock' });

  test('loads into the configured store under the name skopeo gives it; podman and skopeo find it', async () => {
    const r = await copyJson(hello, 'containers-storage:hello:cs', env());
    assert.equal(r.reference, 'docker.io/library/hello:cs');
    const run = await p.run('hello:cs');
    assert.equal(run.exitCode, 0, run.all);
    assert.equal(run.stdout.trim(), 'Hello, world!');
    const names = (await p.podman(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n');
    assert.ok(names.includes('docker.io/library/hello:cs'), names.join(' '));
    const viaSkopeo = await execa('skopeo', ['inspect', 'containers-storage:hello:cs'], { env: { ...process.env, ...p.env } });
    assert.equal((JSON.parse(viaSkopeo.stdout) as { Digest?: string }).Digest !== undefined, true);
    // Again: the image is there, only tagged.
    const again = await copyJson(hello, 'containers-storage:hello:again', env());
    assert.equal(again.bytesSent, 0);
  });

  test("without NAME, the image's own name and tag", async () => {
    const r = await copyJson(hello, 'containers-storage:', env());
    assert.match(r.reference, /^docker\.io\/library\/hello:[0-9a-z]{32}$/);
    const run = await p.run(r.reference);
    assert.equal(run.stdout.trim(), 'Hello, world!');
  });

  test('[DRIVER@ROOT+RUNROOT] names another store', async () => {
    const root = join(p.dir, 'other-root');
    const runroot = join(p.dir, 'other-runroot');
    const r = await copyJson(hello, `containers-storage:[overlay@${root}+${runroot}]registry.example:5000/team/hello:v1`, env());
    assert.equal(r.reference, 'registry.example:5000/team/hello:v1');
    const list = await execa('podman', ['--root', root, '--runroot', runroot, '--storage-driver', 'overlay', 'images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(list.stdout.trim(), 'registry.example:5000/team/hello:v1');
    const mine = (await p.podman(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout;
    assert.doesNotMatch(mine, /registry\.example/);
    await execa('podman', ['--root', root, '--runroot', runroot, '--storage-driver', 'overlay', 'rmi', '-a', '-f'], { reject: false });
  });
});
