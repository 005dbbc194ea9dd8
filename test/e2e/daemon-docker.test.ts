// docker-daemon: and docker-archive: against a real dockerd started for these tests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildExample, CLI, longshore, nixBuild, tmp } from '../helpers/nix.js';
import { appImageExpr, assertSentOnlyChangedLayer, copyJson, startDockerd, type CopyJson, type Dockerd } from '../helpers/docker.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { MODULES_HOOK, parseLoaded } from '../helpers/modules.js';
import { DockerApi } from '../../src/daemon/docker-api.js';
import { copyImage } from '../../src/copy/copy.js';
import { openImage } from '../../src/commands/image.js';
import { parseDestination } from '../../src/dest/parse.js';
import { silentProgress } from '../../src/util/progress.js';

let d: Dockerd;
let hello: string;
let v1: string;
let v2: string;
let v3: string;
let v4: string;
let v5: string;

/** The distinct image IDs the daemon holds (`docker images` prints one line per tag). */
const imageIds = async (): Promise<string> => [...new Set((await d.docker(['images', '-a', '-q', '--no-trunc'])).stdout.split('\n'))].sort().join('\n');

async function waitFor(ok: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const copy = (image: string, dest: string, env: Record<string, string> = d.env): Promise<CopyJson> => copyJson(image, dest, env);

describe('docker-daemon', { timeout: 300_000 }, () => {
  before(async () => {
    // Images first: a failed build must not leave a daemon running that after() cannot see.
    [hello, v1, v2, v3, v4, v5] = await Promise.all([buildExample('hello'), ...['v1', 'v2', 'v3', 'v4', 'v5'].map((v) => nixBuild(appImageExpr(v)))]);
    d = await startDockerd();
  });
  after(async () => {
    await d?.stop();
  });

  it('loads the hello image, which then runs', async () => {
    const r = await copy(hello, 'docker-daemon:hello:test');
    assert.equal(r.reference, 'hello:test');
    assert.ok(r.layers.every((l) => l.action === 'uploaded'));
    assert.equal(r.bytesSent, r.layers.reduce((a, l) => a + l.size, 0));
    const run = await d.docker(['run', '--rm', '--network=none', 'hello:test']);
    assert.equal(run.exitCode, 0, run.all);
    assert.equal(run.stdout.trim(), 'Hello, world!');
    const id = await d.docker(['image', 'inspect', '--format', '{{.Id}}', 'hello:test']);
    assert.equal(id.stdout.trim(), r.imageId);
  });

  it('`nix run .#image.copyToDockerDaemon` loads the image, with NODE_EXTRA_CA_CERTS left for TLS', async () => {
    const script = await buildExample('hello', 'copyToDockerDaemon');
    // Node warns about an unreadable NODE_EXTRA_CA_CERTS when it loads the file; the launcher defers
    // the file to the first TLS connection, which a load never opens.
    const env = { ...process.env, ...d.env, NODE_EXTRA_CA_CERTS: join(tmp(), 'missing-ca.pem') };
    const r = await execa(join(script, 'bin/copy-to-docker-daemon'), ['--json'], { env, reject: false, all: true });
    assert.equal(r.exitCode, 0, r.all);
    assert.doesNotMatch(r.stderr, /certs|certificates/i);
    const out = JSON.parse(r.stdout) as CopyJson;
    const run = await d.docker(['run', '--rm', '--network=none', out.reference]);
    assert.equal(run.stdout.trim(), 'Hello, world!', run.all);
    // The file is read when a trust store is first built: at start-up on Node 20, lazily on Node 24.
    const direct = await execa(process.execPath, ['-e', "require('node:tls').createSecureContext()"], { env, reject: false, all: true });
    assert.match(direct.stderr, /Ignoring extra certs/, 'node loads NODE_EXTRA_CA_CERTS for a trust store');
  });

  it('sends no layer bytes for an image the daemon already holds, and tags it', async () => {
    const before = await imageIds();
    const out = await longshore(['copy', hello, 'docker-daemon:hello:again', '--json'], { ...d.env, LONGSHORE_DEBUG: '1' });
    assert.equal(out.exitCode, 0, out.all);
    const r = JSON.parse(out.stdout) as CopyJson;
    assert.equal(r.bytesSent, 0);
    assert.ok(r.layers.every((l) => l.action === 'skipped'));
    const id = await d.docker(['image', 'inspect', '--format', '{{.Id}}', 'hello:again']);
    assert.equal(id.stdout.trim(), r.imageId);
    // The load opened at the start was cancelled: dockerd unpacked nothing and kept nothing.
    assert.match(out.stderr, /the opened load is cancelled/);
    assert.equal(await imageIds(), before);
    await waitFor(() => readdirSync(join(d.dir, 'data/tmp')).length === 0, 'dockerd to remove the cancelled import', 10_000);
  });

  it('a copy to the daemon loads neither undici, yargs nor execa', async () => {
    // The edit/reload loop: the Engine API goes over node:http on the socket (src/daemon/engine.ts).
    const r = await execa(process.execPath, ['--import', MODULES_HOOK, CLI, 'copy', '-q', hello, 'docker-daemon:hello:traced'], { reject: false, all: true, env: d.env });
    assert.equal(r.exitCode, 0, r.all);
    const { packages, builtins } = parseLoaded(r.stderr);
    assert.ok(builtins.has('node:http'), 'the copy did use the Engine API');
    for (const p of ['undici', 'yargs', 'execa']) assert.ok(!packages.has(p), `${p} was loaded (${[...packages].join(', ')})`);
  });

  it('after a one-file change, sends only the changed layer', async () => {
    const a = await copy(v1, 'docker-daemon:app:v1');
    assert.ok(a.layers.length >= 3, `expected a multi-layer image, got ${a.layers.length} layers`);
    const out = await longshore(['copy', v2, 'docker-daemon:app:v2', '--json'], { ...d.env, LONGSHORE_DEBUG: '1' });
    assert.equal(out.exitCode, 0, out.all);
    assertSentOnlyChangedLayer(v1, JSON.parse(out.stdout) as CopyJson);
    // The load went out before /_ping answered, so dockerd's unpacker started meanwhile.
    const lines = out.stderr.split('\n');
    const opened = lines.findIndex((l) => /POST \/images\/load\?quiet=1 opened/.test(l));
    const pinged = lines.findIndex((l) => /GET \/_ping → 200/.test(l));
    assert.ok(opened >= 0 && opened < pinged, out.stderr);
    assert.ok(lines.some((l) => /POST \/images\/load\?quiet=1 → 200/.test(l)), out.stderr);
    const run = await d.docker(['run', '--rm', '--network=none', 'app:v2']);
    assert.equal(run.exitCode, 0, run.all);
    assert.deepEqual(run.stdout.trim().split('\n'), ['v2', 'Hello, world!']);
  });

  it('a reload inspects the earlier builds of the image first, not every image the daemon holds', async () => {
    // Twelve unrelated images, newer than the app's: the daemon lists them first.
    const dir = tmp();
    writeFileSync(join(dir, 'f'), 'x');
    for (let i = 0; i < 12; i++) {
      writeFileSync(join(dir, 'f'), String(i));
      const tar = await execa('tar', ['-C', dir, '-cf', join(dir, `${i}.tar`), 'f']);
      assert.equal(tar.exitCode, 0);
      assert.equal((await d.docker(['import', join(dir, `${i}.tar`), `unrelated${i}:x`])).exitCode, 0);
    }
    const r = await longshore(['copy', v3, 'docker-daemon:app:v3', '--json'], { ...d.env, LONGSHORE_DEBUG: '1' });
    assert.equal(r.exitCode, 0, r.all);
    const inspections = r.stderr.split('\n').filter((l) => /GET \/v[\d.]+\/images\/[^/?]+\/json/.test(l));
    const held = new Set((await d.docker(['images', '-a', '-q'])).stdout.split('\n')).size;
    // One batch of at most 8, and the final check of the tag.
    assert.ok(inspections.length <= 9 && held >= 16, `${inspections.length} inspections with ${held} images:\n${r.stderr}`);
    assertSentOnlyChangedLayer(v2, JSON.parse(r.stdout) as CopyJson);
    const run = await d.docker(['run', '--rm', '--network=none', 'app:v3']);
    assert.deepEqual(run.stdout.trim().split('\n'), ['v3', 'Hello, world!']);
  });

  for (const [when, tag, prevTag] of [['at once', 'v4', 'v3'], ['after reading the archive', 'v5', 'v4']] as const) {
    it(`a daemon that refuses the early, unversioned load request ${when} gets the load on the negotiated path`, async () => {
      // Unversioned paths are deprecated; a proxy in front of the real dockerd refuses this one, at
      // once as a server refusing a path does, or (a slower refusal) after the body.
      const proxy = await startFaultProxy({ socketPath: d.sock });
      const refuse = { kind: 'status', status: 400, immediate: when === 'at once', body: '{"message":"API version required"}' } as const;
      proxy.setRule((r) => (r.method === 'POST' && r.url.startsWith('/images/load') ? refuse : undefined));
      const built = (t: string): string => ({ v3, v4, v5 })[t]!;
      try {
        const out = await longshore(['copy', built(tag), `docker-daemon:app:${tag}`, '--json'], { DOCKER_HOST: `tcp://${proxy.host}`, LONGSHORE_DEBUG: '1' });
        assert.equal(out.exitCode, 0, out.all);
        assert.match(out.stderr, /the opened load was refused \(HTTP 400: API version required\)/);
        // Not the refused-archive fallback: the daemon still gets only the changed layer.
        assertSentOnlyChangedLayer(built(prevTag), JSON.parse(out.stdout) as CopyJson);
        const loads = proxy.seen.filter((r) => r.method === 'POST' && /\/images\/load/.test(r.url)).map((r) => r.url.replace(/\?.*/, ''));
        assert.deepEqual(loads, ['/images/load', `/v${(await d.docker(['version', '--format', '{{.Server.APIVersion}}'])).stdout.trim()}/images/load`]);
      } finally {
        await proxy.stop();
      }
      const run = await d.docker(['run', '--rm', '--network=none', `app:${tag}`]);
      assert.deepEqual(run.stdout.trim().split('\n'), [tag, 'Hello, world!']);
    });
  }

  it('sends the layers again once the daemon removed the images holding them', async () => {
    await d.docker(['rmi', 'app:v1', 'app:v2', 'app:v3', 'app:v4', 'app:v5']);
    const r = await copy(v1, 'docker-daemon:app:v1');
    assert.ok(r.layers.every((l) => l.action === 'uploaded'));
    assert.equal(r.bytesSent, r.layers.reduce((a, l) => a + l.size, 0));
    const run = await d.docker(['run', '--rm', '--network=none', 'app:v1']);
    assert.equal(run.stdout.trim().split('\n')[0], 'v1');
  });

  it('writes a docker-archive file that docker load reads', async () => {
    const file = join(tmp(), 'app.tar');
    const r = await copy(v2, `docker-archive:${file}:archived/app:v2`);
    assert.ok(r.layers.every((l) => l.action === 'written'));
    await d.docker(['rmi', '-f', 'app:v2']);
    const load = await d.docker(['load', '-i', file]);
    assert.equal(load.exitCode, 0, load.all);
    assert.match(load.stdout, /Loaded image: archived\/app:v2/);
    const run = await d.docker(['run', '--rm', '--network=none', 'archived/app:v2']);
    assert.equal(run.stdout.trim().split('\n')[0], 'v2');
  });

  it('aborts a load whose layer does not regenerate, leaving no image behind', async () => {
    // The top layer's recorded digest is made wrong: its bytes fail verification at the very end.
    const doc = JSON.parse(readFileSync(v1, 'utf8')) as { layers: { digest: string; diffID: string }[] };
    const top = doc.layers[doc.layers.length - 1];
    top.digest = top.diffID = 'sha256:' + '0'.repeat(64);
    const bad = join(tmp(), 'image-bad.json');
    writeFileSync(bad, JSON.stringify(doc));
    await d.docker(['rmi', '-f', 'app:v1']);
    const before = await imageIds();
    const r = await longshore(['copy', bad, 'docker-daemon:broken:v1'], d.env);
    assert.equal(r.exitCode, 1, r.all);
    assert.match(r.stderr, /regenerated as sha256:/);
    assert.notEqual((await d.docker(['image', 'inspect', 'broken:v1'])).exitCode, 0);
    assert.equal(await imageIds(), before);
  });

  it('sends every layer when the daemon refuses the archive without the ones it was thought to hold', async () => {
    // A stale listing (images removed between listing and loading): the daemon is told it holds
    // every layer of an image it has never seen, refuses the archive, and gets the full one.
    const { image } = openImage(v1);
    const original = DockerApi.prototype.stacks;
    DockerApi.prototype.stacks = async (ids) => ids.map(() => image.layers.map((l) => l.diffID));
    const infos: string[] = [];
    const prevHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = d.host;
    try {
      await d.docker(['rmi', '-f', 'app:v1']);
      const dest = await parseDestination('docker-daemon:stale/app:v1', {});
      const r = await copyImage(image, dest, { jobs: 1, progress: { ...silentProgress, info: (m) => infos.push(m) } });
      assert.ok(r.layers.every((l) => l.action === 'uploaded'));
      assert.match(infos.join('\n'), /refused the archive without the \d+ layer/);
    } finally {
      DockerApi.prototype.stacks = original;
      process.env.DOCKER_HOST = prevHost;
      if (prevHost === undefined) delete process.env.DOCKER_HOST;
    }
    const run = await d.docker(['run', '--rm', '--network=none', 'stale/app:v1']);
    assert.equal(run.stdout.trim().split('\n')[0], 'v1');
  });

  it('names the socket when no daemon listens there', async () => {
    const sock = join(tmp(), 'nothing.sock');
    const r = await longshore(['copy', hello, 'docker-daemon:hello:x'], { DOCKER_HOST: `unix://${sock}` });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, new RegExp(`cannot connect to the Docker daemon at unix://${sock}`));
    assert.match(r.stderr, /DOCKER_HOST/);
    assert.doesNotMatch(r.stderr, /internal error/);
  });

  it('says permission denied when the socket refuses the user', async () => {
    // A real EACCES: the daemon's socket is root-only (0660 root:root) and we connect as nobody.
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'copy', hello, 'docker-daemon:hello:x'], {
      reject: false,
      env: { ...d.env, HOME: '/tmp' },
    });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`permission denied connecting to the Docker daemon at ${d.host}`));
    assert.match(r.stderr, /docker" group|DOCKER_HOST/);
  });
});
