// podman: and the archive files against real Podman with private storage: the CLI path (no
// service) first, then a private API socket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExample, longshore, nixBuild, tmp } from '../helpers/nix.js';
import { appImageExpr, assertSentOnlyChangedLayer, copyJson } from '../helpers/docker.js';
import { makePodman, type Podman } from '../helpers/podman.js';

let p: Podman;
let hello: string;
let v1: string;
let v2: string;
let v3: string;
let host: string;

const copy = copyJson;

describe('podman', { timeout: 300_000 }, () => {
  before(async () => {
    [hello, v1, v2, v3] = await Promise.all([buildExample('hello'), nixBuild(appImageExpr('v1')), nixBuild(appImageExpr('v2')), nixBuild(appImageExpr('v3'))]);
    p = await makePodman();
  });
  after(async () => {
    await p?.stop();
  });

  it('with no service running, loads through the podman CLI', { skip: existsSync('/run/podman/podman.sock') && 'a system Podman service is running' }, async () => {
    const r = await longshore(['copy', hello, 'podman:hello:cli'], { ...p.env, CONTAINER_HOST: '' });
    assert.equal(r.exitCode, 0, r.all);
    assert.match(r.stderr, /using the podman CLI/);
    const run = await p.run('hello:cli');
    assert.equal(run.exitCode, 0, run.all);
    assert.equal(run.stdout.trim(), 'Hello, world!');
    // Same image again: nothing sent, just tagged.
    const again = await copy(hello, 'podman:hello:cli2', { ...p.env, CONTAINER_HOST: '' });
    assert.equal(again.bytesSent, 0);
    assert.equal((await p.podman(['image', 'inspect', '--format', '{{.Id}}', 'hello:cli2'])).stdout.trim(), again.imageId!.slice(7));
  });

  it('through the API socket, after a one-file change sends only the changed layer', async () => {
    host = await p.startService();
    const env = { ...p.env, CONTAINER_HOST: host };
    const a = await copy(v1, 'podman:app:v1', env);
    assert.ok(a.layers.length >= 3);
    const b = await copy(v2, 'podman:app:v2', env);
    assertSentOnlyChangedLayer(v1, b);
    const run = await p.run('app:v2');
    assert.equal(run.exitCode, 0, run.all);
    assert.deepEqual(run.stdout.trim().split('\n'), ['v2', 'Hello, world!']);
  });

  it('through the API socket, reloading over the same tag sends only the changed layer', async () => {
    assertSentOnlyChangedLayer(v2, await copy(v3, 'podman:app:v2', { ...p.env, CONTAINER_HOST: host }));
    const run = await p.run('app:v2');
    assert.deepEqual(run.stdout.trim().split('\n'), ['v3', 'Hello, world!']);
  });

  it('through the API socket, reloading the same image sends no layer bytes', async () => {
    const r = await copy(v2, 'podman:app:again', { ...p.env, CONTAINER_HOST: host });
    assert.equal(r.bytesSent, 0);
    assert.ok(r.layers.every((l) => l.action === 'skipped'));
    assert.equal((await p.podman(['image', 'inspect', '--format', '{{.Id}}', 'app:again'])).stdout.trim(), r.imageId!.slice(7));
  });

  it('writes oci-archive and docker-archive files that podman load reads', async () => {
    const dir = tmp();
    await copy(v1, `oci-archive:${join(dir, 'app.oci.tar')}:ocitag`, p.env);
    await copy(v1, `docker-archive:${join(dir, 'app.docker.tar')}:dockerarch/app:v1`, p.env);
    await p.podman(['rmi', '-a', '-f']);
    const oci = await p.podman(['load', '-i', join(dir, 'app.oci.tar')]);
    assert.equal(oci.exitCode, 0, oci.all);
    assert.match(oci.stdout, /Loaded image: localhost\/app:ocitag/);
    const dock = await p.podman(['load', '-i', join(dir, 'app.docker.tar')]);
    assert.equal(dock.exitCode, 0, dock.all);
    assert.match(dock.stdout, /Loaded image: docker.io\/dockerarch\/app:v1/);
    const run = await p.run('localhost/app:ocitag');
    assert.equal(run.stdout.trim().split('\n')[0], 'v1');
  });

  for (const via of ['the API socket', 'the podman CLI'] as const) {
    it(`through ${via}, a layer that does not regenerate fails the copy and leaves no image behind`, async () => {
      // The top layer's recorded digest is made wrong: its bytes fail verification at the very end.
      const doc = JSON.parse(readFileSync(v1, 'utf8')) as { layers: { digest: string; diffID: string }[] };
      const top = doc.layers[doc.layers.length - 1];
      top.digest = top.diffID = 'sha256:' + '0'.repeat(64);
      const bad = join(tmp(), 'image-bad.json');
      writeFileSync(bad, JSON.stringify(doc));
      const ids = async () => [...new Set((await p.podman(['images', '-a', '-q', '--no-trunc'])).stdout.split('\n'))].sort().join('\n');
      const before = await ids();
      const r = await longshore(['copy', bad, 'podman:broken:v1'], { ...p.env, CONTAINER_HOST: via === 'the API socket' ? host : '' });
      assert.equal(r.exitCode, 1, r.all);
      assert.match(r.stderr, /regenerated as sha256:/);
      assert.notEqual((await p.podman(['image', 'exists', 'broken:v1'])).exitCode, 0);
      assert.equal(await ids(), before);
    });
  }

  it('names the socket when CONTAINER_HOST points at nothing', async () => {
    const sock = join(tmp(), 'none.sock');
    const r = await longshore(['copy', hello, 'podman:hello:x'], { ...p.env, CONTAINER_HOST: `unix://${sock}` });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, new RegExp(`cannot connect to the Podman service at unix://${sock}`));
    assert.match(r.stderr, /CONTAINER_HOST/);
  });
});
