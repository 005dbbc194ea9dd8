// docker-daemon: and docker-archive: against a real dockerd started for these tests, once per image
// store: Debian 12's dockerd 20.10 on overlay2 (the classic store) and Debian 13's dockerd 26 with
// the containerd image store (what new Docker installs run). Where the two load differently, each
// test asserts what its store does, and says why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import tar from 'tar-stream';
import { buildExample, CLI, longshore, nixBuild, tmp } from '../helpers/nix.js';
import { appImageExpr, assertSentOnlyChangedLayer, copyJson, depsImageExpr, DOCKER_FLAVOURS, layerDigests, startDockerd, type CopyJson, type Dockerd } from '../helpers/docker.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { MODULES_HOOK, parseLoaded } from '../helpers/modules.js';
import { DockerApi } from '../../src/daemon/docker-api.js';
import { copyImage } from '../../src/copy/copy.js';
import { openImage } from '../../src/commands/image.js';
import { parseDestination } from '../../src/dest/parse.js';
import { silentProgress } from '../../src/util/progress.js';

for (const flavour of DOCKER_FLAVOURS) describe(`docker-daemon (${flavour})`, { timeout: 300_000 }, () => {
  let d: Dockerd;
  let hello: string;
  let v1: string;
  let v2: string;
  let v3: string;
  let v4: string;
  let v5: string;
  let v6: string;
  let vgz: string;
  /** An image whose bottom layer alone differs between the two: a dependency change. */
  let deps1: string;
  let deps2: string;
  /** dockerd 26 with the containerd image store (else dockerd 20.10 with overlay2). */
  const containerdStore = flavour === 'containerd';

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

  /** The ID the daemon gives an image: its manifest digest in the containerd store, else its config digest. */
  const expectedId = (file: string): string => {
    const { image } = openImage(file);
    return containerdStore ? image.manifest.digest : image.config.digest;
  };

  /** containerd's partial blobs (an import cut short keeps what it was writing there). */
  const ingests = (): string[] => {
    const dir = join(d.dir, 'containerd/root/io.containerd.content.v1.content/ingest');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  before(async () => {
    // Images first: a failed build must not leave a daemon running that after() cannot see.
    [hello, v1, v2, v3, v4, v5, v6, vgz, deps1, deps2] = await Promise.all([
      buildExample('hello'),
      ...['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'gz'].map((v) => nixBuild(appImageExpr(v))),
      ...['d1', 'd2'].map((v) => nixBuild(depsImageExpr(v))),
    ]);
    d = await startDockerd({ flavour });
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
    assert.equal(r.imageId, expectedId(hello));
  });

  it('`nix run .#image.copyToDockerDaemon` loads the image; an unreadable NODE_EXTRA_CA_CERTS gets only Node\'s warning', async () => {
    const script = await buildExample('hello', 'copyToDockerDaemon');
    const env = { ...process.env, ...d.env, NODE_EXTRA_CA_CERTS: join(tmp(), 'missing-ca.pem') };
    const r = await execa(join(script, 'bin/copy-to-docker-daemon'), ['--json'], { env, reject: false, all: true });
    assert.equal(r.exitCode, 0, r.all);
    assert.doesNotMatch(r.stderr, /longshore: (error|warning)/);
    const out = JSON.parse(r.stdout) as CopyJson;
    const run = await d.docker(['run', '--rm', '--network=none', out.reference]);
    assert.equal(run.stdout.trim(), 'Hello, world!', run.all);
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
    // Found in the listing by either ID (config digest, or manifest digest in the containerd store).
    assert.equal(r.imageId, expectedId(hello));
    // The load opened at the start was cancelled: dockerd unpacked nothing and kept nothing. (The
    // classic store untars a load into data/tmp; the containerd store streams it into containerd,
    // which had not begun a blob.)
    assert.match(out.stderr, /the opened load is cancelled/);
    assert.equal(await imageIds(), before);
    await waitFor(() => readdirSync(join(d.dir, 'data/tmp')).length === 0, 'dockerd to remove the cancelled import', 10_000);
    assert.deepEqual(ingests(), []);
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
    // Learnt from GET /info: the containerd store skips by content, the classic one by ChainID.
    assert.match(out.stderr, new RegExp(`image store: ${flavour}`));
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

  it('after a change in the bottom layer, sends what the image store lacks', async () => {
    await copy(deps1, 'docker-daemon:deps:d1');
    const r = await copy(deps2, 'docker-daemon:deps:d2');
    const [bottom, ...above] = layerDigests(deps2);
    const sent = r.layers.filter((l) => l.action === 'uploaded').map((l) => l.digest);
    if (containerdStore) {
      // The containerd store unpacks a layer it has no snapshot for from its content store, which
      // holds every layer of deps:d1: only the changed layer travels.
      assert.deepEqual(sent, [bottom]);
      assert.equal(r.bytesSent, r.layers[0].size);
    } else {
      // The classic loader skips a layer file only when it holds that layer's ChainID, which
      // changes with every layer below: each layer above the change travels again.
      assert.deepEqual(sent, [bottom, ...above]);
    }
    const run = await d.docker(['run', '--rm', '--network=none', 'deps:d2']);
    assert.equal(run.exitCode, 0, run.all);
    assert.deepEqual(run.stdout.trim().split('\n'), ['d2', 'Hello, world!']);
    await d.docker(['rmi', 'deps:d1', 'deps:d2']);
  });

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
    // (The containerd store keeps the blobs it had taken, and the one cut short in its ingest
    // directory, under dockerd's lease for the load, until the lease expires a day later: the
    // request was cancelled, so dockerd could not release it. As after any `docker load` cut short.)
  });

  it('sends every layer when the daemon refuses the archive without the ones it was thought to hold', async () => {
    // A stale listing (images removed between listing and loading): the daemon is told it holds
    // every layer of an image it has never seen, refuses the archive, and gets the full one. (The
    // classic loader fails to open the missing layer file; the containerd store imports the OCI
    // layout without the blob, then fails to unpack the layer from its content store.)
    const { image } = openImage(v6);
    const original = DockerApi.prototype.stacks;
    DockerApi.prototype.stacks = async (ids) => ids.map(() => image.layers.map((l) => l.diffID));
    const infos: string[] = [];
    const prevHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = d.host;
    try {
      const dest = await parseDestination('docker-daemon:stale/app:v6', {});
      const r = await copyImage(image, dest, { jobs: 1, progress: { ...silentProgress, info: (m) => infos.push(m) } });
      assert.ok(r.layers.every((l) => l.action === 'uploaded'));
      assert.match(infos.join('\n'), containerdStore ? /refused the archive without the \d+ layer.*failed to unpack/ : /refused the archive without the \d+ layer/);
    } finally {
      DockerApi.prototype.stacks = original;
      process.env.DOCKER_HOST = prevHost;
      if (prevHost === undefined) delete process.env.DOCKER_HOST;
    }
    const run = await d.docker(['run', '--rm', '--network=none', 'stale/app:v6']);
    assert.equal(run.stdout.trim().split('\n')[0], 'v6');
  });

  it('an image whose layers the daemon holds only gzip-compressed: loaded again in full where the store needs it', async () => {
    // The same image with gzip layers, as a registry would serve it after a compressing push; only
    // the layers it shares with the other app images are held uncompressed too.
    const gz = await gzipVariant(vgz, 'gz/app:gz');
    assert.equal((await d.docker(['load', '-i', gz])).exitCode, 0);
    const out = await longshore(['copy', vgz, 'docker-daemon:app:gz', '--json'], { ...d.env, LONGSHORE_DEBUG: '1' });
    assert.equal(out.exitCode, 0, out.all);
    const r = JSON.parse(out.stdout) as CopyJson;
    if (containerdStore) {
      // The containerd store names the gzip image by its own manifest, so ours is not held; its
      // layers' DiffIDs are, but under the gzip blobs' digests. The archive leaves them out, the
      // store imports it, and unpacking needs none of them (it has the snapshots), so dockerd says
      // "Loaded image"; but the image lacks those blobs, and the store leaves it out of its
      // listings (`docker images`). longshore checks the listing and loads it again, in full.
      assert.match(out.stderr, /loaded app:gz without the content of the 3 layers left out/);
      assert.ok(r.layers.every((l) => l.action === 'uploaded'));
    } else {
      // The classic store names an image by its config, the same for both: it is held already.
      assert.equal(r.bytesSent, 0);
    }
    assert.equal(r.imageId, expectedId(vgz));
    const listed = await d.docker(['images', '--no-trunc', '--format', '{{.ID}}', 'app:gz']);
    assert.equal(listed.stdout.trim(), r.imageId);
    const run = await d.docker(['run', '--rm', '--network=none', 'app:gz']);
    assert.deepEqual(run.stdout.trim().split('\n'), ['gz', 'Hello, world!']);
    await d.docker(['rmi', 'app:gz', 'gz/app:gz']);
  });

  it('which layer files a docker load may leave out, in each store', async () => {
    // longshore's docker-archive carries an OCI layout beside manifest.json (what Docker ≥ 25
    // writes). Without the files of layers the daemon holds (another image's):
    await copy(v3, 'docker-daemon:held/app:v3');
    const file = join(tmp(), 'app.tar');
    await copy(v2, `docker-archive:${file}:partial/app:v2`);
    const [l0, l1] = layerDigests(v2).map((x) => `blobs/sha256/${x.slice(7)}`);
    const without = (drop: string[]) => rewriteTar(file, (name) => !drop.includes(name));
    // the classic loader reads manifest.json and skips the files of layers whose ChainIDs it holds;
    // the containerd store reads the OCI layout, whose missing blobs it takes from its content store.
    const both = await d.docker(['load', '-i', await without([l0, l1])]);
    assert.equal(both.exitCode, 0, both.all);
    // With manifest.json alone (no OCI layout), the containerd store needs every listed file.
    const docker = await d.docker(['load', '-i', await without([l0, l1, 'oci-layout', 'index.json'])]);
    if (containerdStore) {
      assert.notEqual(docker.exitCode, 0);
      assert.match(docker.all ?? '', new RegExp(`layer "${l0}" not found`));
    } else assert.equal(docker.exitCode, 0, docker.all);
    const run = await d.docker(['run', '--rm', '--network=none', 'partial/app:v2']);
    assert.deepEqual(run.stdout.trim().split('\n'), ['v2', 'Hello, world!']);
    await d.docker(['rmi', 'partial/app:v2', 'held/app:v3']);
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

/** Copies a tar, keeping the entries `keep` accepts; returns the new file. */
async function rewriteTar(file: string, keep: (name: string) => boolean): Promise<string> {
  const out = join(tmp(), 'rewritten.tar');
  const extract = tar.extract();
  const pack = tar.pack();
  extract.on('entry', (header, stream, next) => {
    if (!keep(header.name)) {
      stream.resume();
      stream.on('end', next);
    } else stream.pipe(pack.entry(header, next));
  });
  extract.on('finish', () => pack.finalize());
  await Promise.all([pipeline(createReadStream(file), extract), pipeline(pack, createWriteStream(out))]);
  return out;
}

/**
 * The image as an archive with gzip layers (docker-archive and OCI layout, named `name`): the same
 * config and DiffIDs, other blob digests and another manifest.
 */
async function gzipVariant(image: string, name: string): Promise<string> {
  const { image: img } = openImage(image);
  const blobs = new Map<string, Buffer>();
  const digest = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');
  const layers: { mediaType: string; digest: string; size: number }[] = [];
  for (const l of img.layers) {
    const chunks: Buffer[] = [];
    for await (const c of l.open()) chunks.push(c as Buffer);
    const gz = gzipSync(Buffer.concat(chunks));
    blobs.set(digest(gz), gz);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(gz), size: gz.length });
  }
  blobs.set(img.config.digest, img.config.bytes);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: img.config.mediaType, digest: img.config.digest, size: img.config.size }, layers }));
  blobs.set(digest(manifest), manifest);
  const path = (dg: string): string => `blobs/sha256/${dg.slice(7)}`;
  const out = join(tmp(), 'gzip.tar');
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(out));
  const add = (n: string, b: Buffer | string): void => void pack.entry({ name: n }, b);
  add('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const [dg, b] of blobs) add(path(dg), b);
  const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': `docker.io/${name}` } }] };
  add('index.json', JSON.stringify(index));
  add('manifest.json', JSON.stringify([{ Config: path(img.config.digest), RepoTags: [name], Layers: layers.map((l) => path(l.digest)) }]));
  pack.finalize();
  await written;
  return out;
}
