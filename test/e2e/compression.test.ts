// Layers compressed on the way (issue 13), against the real registry and independent readers:
// skopeo (which verifies every digest), Podman and dockerd pull and run them; the same image gives
// the same bytes from two fresh machines; a fresh machine after a one-file change compresses and
// sends one layer; and the upload survives real registries' quirks, each emulated by a proxy in
// front of the real registry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { buildExample, longshore, nixBuild, tmp } from '../helpers/nix.js';
import { push, skopeoDigest, startRegistry, variantExpr, type PushResult, type Registry } from '../helpers/registry.js';
import { startFaultProxy, type FaultProxy, type SeenRequest } from '../helpers/fault-proxy.js';
import { makePodman, type Podman } from '../helpers/podman.js';
import { startDockerd, type Dockerd } from '../helpers/docker.js';
import { treeBytes } from '../helpers/oci.js';

let reg: Registry;
let hello: string;
let v1: string;
let v2: string;
/** An image whose top layer compresses to more than one 4 MiB chunk (random bytes do not shrink). */
let big: string;

before(async () => {
  const nonce = `${Date.now()}-${Math.random()}`;
  [reg, hello, v1, v2, big] = await Promise.all([
    startRegistry(),
    buildExample('hello'),
    nixBuild(variantExpr(`compression v1 ${nonce}`)),
    nixBuild(variantExpr(`compression v2 ${nonce}`)),
    nixBuild(`let b = pkgs.runCommand "random-9m-${nonce}" {} "mkdir -p $out; head -c 9437184 /dev/urandom > $out/blob"; in longshore.buildImage { name = "big"; copyToRoot = [ b ]; }`),
  ]);
});
after(async () => {
  await reg?.stop();
});

type Manifest = { mediaType: string; layers: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] };
async function rawManifest(ref: string): Promise<Manifest> {
  return JSON.parse((await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`])).stdout) as Manifest;
}

/** skopeo copies the image to an OCI layout, verifying every blob's digest on the way. */
async function skopeoVerifies(ref: string): Promise<void> {
  const r = await execa('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${tmp('longshore-oci-')}/v:v`], { reject: false, all: true });
  assert.equal(r.exitCode, 0, r.all);
}

const pushed = (r: PushResult): NonNullable<PushResult['json']> => {
  assert.equal(r.exitCode, 0, r.output);
  return r.json!;
};

describe('gzip and zstd, read back by others', () => {
  let podman: Podman;
  let dockerd: Dockerd;
  before(async () => {
    [podman, dockerd] = await Promise.all([makePodman(), startDockerd()]);
  });
  after(async () => {
    await podman?.stop();
    await dockerd?.stop();
  });

  for (const compression of ['gzip', 'zstd'] as const) {
    test(`${compression}: the manifest names the type and the compressor; skopeo verifies every digest; Podman pulls and runs it`, async () => {
      const ref = `${reg.host}/read/${compression}:v1`;
      const r = pushed(await push(hello, ref, ['--compression', compression]));
      const type = `application/vnd.oci.image.layer.v1.tar+${compression}`;
      assert.ok(r.layers.every((l) => l.mediaType === type && l.compressed));
      const m = await rawManifest(ref);
      assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
      assert.ok(m.layers.every((l) => l.mediaType === type && l.annotations?.['org.longshore.layer.compressor']?.startsWith(`longshore-blocks/1 ${compression} `)), JSON.stringify(m));
      await skopeoVerifies(ref);
      const pull = await podman.podman(['pull', '--tls-verify=false', ref]);
      assert.equal(pull.exitCode, 0, pull.all);
      const run = await podman.run(ref);
      assert.equal(run.exitCode, 0, run.all);
      assert.equal(run.stdout.trim(), 'Hello, world!');
    });
  }

  test('archives and daemons take gzip when asked (the size of a layer compressed on the way is measured first)', async () => {
    const file = `${tmp('longshore-archive-')}/hello.tar`;
    const w = await longshore(['copy', '-q', hello, `docker-archive:${file}:archived/hello:gz`, '--compression', 'gzip']);
    assert.equal(w.exitCode, 0, w.all);
    const load = await dockerd.docker(['load', '-i', file]);
    assert.equal(load.exitCode, 0, load.all);
    assert.equal((await dockerd.docker(['run', '--rm', '--network=none', 'archived/hello:gz'])).stdout.trim(), 'Hello, world!');
    // An image the daemon holds nothing of: every layer travels, compressed.
    const d = await longshore(['copy', '--json', v1, 'docker-daemon:direct/app:gz', '--compression', 'gzip'], dockerd.env);
    assert.equal(d.exitCode, 0, d.all);
    assert.ok((JSON.parse(d.stdout) as { layers: { compressed: boolean }[] }).layers.every((l) => l.compressed), d.stdout);
    assert.equal((await dockerd.docker(['run', '--rm', '--network=none', 'direct/app:gz'])).stdout.trim(), 'Hello, world!');
  });

  test('zstd into docker-archive is refused before anything is written: its manifest.json cannot say zstd', async () => {
    const file = `${tmp('longshore-archive-')}/hello.tar`;
    const r = await longshore(['copy', hello, `docker-archive:${file}`, '--compression', 'zstd']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /^longshore: error: docker-archive:\S+ cannot hold zstd layers; it takes none, gzip$/m);
    assert.match(r.stderr, /^hint: zstd layers need an OCI manifest/m);
    const { existsSync } = await import('node:fs');
    assert.equal(existsSync(file), false);
  });

  test('gzip: dockerd 20.10 pulls and runs it', async () => {
    const ref = `${reg.host}/read/gzip:v1`;
    pushed(await push(hello, ref, ['--compression', 'gzip']));
    const pull = await dockerd.docker(['pull', ref]);
    assert.equal(pull.exitCode, 0, pull.all);
    const run = await dockerd.docker(['run', '--rm', '--network=none', ref]);
    assert.equal(run.exitCode, 0, run.all);
    assert.equal(run.stdout.trim(), 'Hello, world!');
  });
});

describe('determinism', () => {
  for (const compression of ['gzip', 'zstd'] as const) {
    test(`${compression}: two fresh machines make byte-identical blobs and manifests`, async () => {
      const other = await startRegistry();
      try {
        // push() gives each run a fresh HOME; the second registry holds nothing of the first's.
        const a = pushed(await push(big, `${reg.host}/same/${compression}:v1`, ['--compression', compression]));
        const b = pushed(await push(big, `${other.host}/same/${compression}:v1`, ['--compression', compression]));
        assert.ok(a.layers.every((l) => l.compressed) && b.layers.every((l) => l.compressed));
        assert.equal(a.manifestDigest, b.manifestDigest);
        assert.deepEqual(a.layers, b.layers);
      } finally {
        await other.stop();
      }
      // And to two OCI layouts, compared file by file.
      const [x, y] = [tmp('longshore-oci-'), tmp('longshore-oci-')];
      for (const dir of [x, y]) assert.equal((await longshore(['copy', '-q', big, `oci:${dir}:v1`, '--compression', compression], { HOME: tmp('longshore-home-') })).exitCode, 0);
      const [tx, ty] = [treeBytes(x), treeBytes(y)];
      assert.deepEqual([...tx.keys()].sort(), [...ty.keys()].sort());
      for (const [k, v] of tx) assert.ok(v.equals(ty.get(k)!), `${k} differs`);
    });
  }
});

describe('a fresh machine after a one-file change', () => {
  test('to a new tag: it compresses and sends the changed layer only, the others found in the registry', async () => {
    const first = pushed(await push(v1, `${reg.host}/loop/app:v1`));
    assert.ok(first.layers.every((l) => l.compressed));
    // A new tag: nothing under it yet; the repository's record of compressed layers says what is there.
    const next = pushed(await push(v2, `${reg.host}/loop/app:v2`));
    assert.equal(next.layers.filter((l) => l.compressed).length, 1, JSON.stringify(next.layers));
    assert.equal(next.layers.filter((l) => l.action === 'uploaded').length, 1);
    assert.equal(next.layers.filter((l) => l.action === 'skipped').length, next.layers.length - 1);
    // The layers both images share are the same blobs.
    const shared = first.layers.filter((l) => next.layers.some((n) => n.diffID === l.diffID));
    assert.ok(shared.length >= 2);
    for (const l of shared) assert.equal(next.layers.find((n) => n.diffID === l.diffID)!.digest, l.digest);
    await skopeoVerifies(`${reg.host}/loop/app:v2`);
    assert.equal(await skopeoDigest(`${reg.host}/loop/app:v2`), next.manifestDigest);
  });

  test('--cache-from another repository: its compressed layers are mounted, not compressed again', async () => {
    pushed(await push(v1, `${reg.host}/cache/source:v1`));
    const r = pushed(await push(v2, `${reg.host}/cache/target:v2`, ['--cache-from', 'cache/source:v1']));
    assert.equal(r.layers.filter((l) => l.compressed).length, 1);
    assert.equal(r.layers.filter((l) => l.action === 'mounted').length, r.layers.length - 1);
    assert.equal(r.bytesSent, r.layers.find((l) => l.compressed)!.size);
    await skopeoVerifies(`${reg.host}/cache/target:v2`);
  });

  test('the record of compressed layers is an OCI artifact under its own tag', async () => {
    const m = JSON.parse((await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/loop/app:longshore-blob-map`])).stdout) as { artifactType: string; layers: { mediaType: string }[] };
    assert.equal(m.artifactType, 'application/vnd.longshore.blob-map.v1+json');
    assert.equal(m.layers[0].mediaType, 'application/vnd.longshore.blob-map.v1+json');
  });
});

describe("real registries' upload quirks, emulated in front of the real registry", () => {
  let proxy: FaultProxy;
  before(async () => {
    proxy = await startFaultProxy(reg.port);
  });
  after(async () => {
    await proxy?.stop();
  });
  const session = (q: SeenRequest) => q.url.replace(/\?.*/, '');
  const isPatch = (q: SeenRequest) => q.method === 'PATCH' && q.url.includes('/blobs/uploads/');
  const patchesOf = (repo: string) => proxy.seen.filter((q) => isPatch(q) && q.url.includes(`/${repo}/`));

  test('GHCR: PATCH bodies over 4 MiB are refused with 416; chunks of 4 MiB go up', async () => {
    proxy.setRule((q) => (isPatch(q) && Number(q.headers['content-length'] ?? Infinity) > 4 << 20 ? { kind: 'status', status: 416 } : undefined));
    try {
      pushed(await push(big, `${proxy.host}/ghcr/big:v1`));
    } finally {
      proxy.setRule(() => undefined);
    }
    const patches = patchesOf('ghcr/big');
    assert.ok(patches.length >= 3, `${patches.length} PATCHes`);
    assert.ok(patches.every((q) => q.fault === undefined && /^\d+-\d+$/.test(String(q.headers['content-range']))));
    await skopeoVerifies(`${reg.host}/ghcr/big:v1`);
  });

  test('ECR: a PATCH answered 201, and later PATCHes dropped: the blob goes again as one PATCH', async () => {
    const first = new Set<string>();
    proxy.setRule((q) => {
      if (!isPatch(q)) return undefined;
      if (!first.has(session(q))) {
        first.add(session(q));
        return { kind: 'rewrite', status: 201 };
      }
      return { kind: 'swallow', status: 201, headers: { location: session(q), range: '0-0' } };
    });
    try {
      pushed(await push(big, `${proxy.host}/ecr/big:v1`));
    } finally {
      proxy.setRule(() => undefined);
    }
    // After the first 201, each blob went as one PATCH without Content-Range.
    assert.ok(patchesOf('ecr/big').some((q) => q.headers['content-range'] === undefined && q.bytes > 4 << 20));
    await skopeoVerifies(`${reg.host}/ecr/big:v1`);
  });

  test('a front proxy refusing PUT bodies over 1 MB (413): the layers go in chunks instead', async () => {
    proxy.setRule((q) => (q.method === 'PUT' && q.url.includes('/blobs/uploads/') && Number(q.headers['content-length'] ?? 0) > 1_000_000 ? { kind: 'status', status: 413, body: '' } : undefined));
    try {
      const r = pushed(await push(big, `${proxy.host}/front/big:v1`, ['--compression', 'none']));
      assert.ok(r.layers.every((l) => l.action === 'uploaded'));
    } finally {
      proxy.setRule(() => undefined);
    }
    assert.ok(proxy.seen.some((q) => q.fault === 413));
    assert.ok(patchesOf('front/big').length >= 2);
    await skopeoVerifies(`${reg.host}/front/big:v1`);
  });

  test('a 416 mid-upload: the upload status is asked, and the upload resumes from the registry\'s offset', async () => {
    let refused = false;
    proxy.setRule((q) => {
      // The second chunk (after the first 1 MiB) of the first multi-chunk upload is refused once,
      // without reaching the registry.
      if (!refused && isPatch(q) && String(q.headers['content-range'] ?? '').startsWith(`${1 << 20}-`)) {
        refused = true;
        return { kind: 'status', status: 416 };
      }
      return undefined;
    });
    try {
      pushed(await push(big, `${proxy.host}/resume/big:v1`));
    } finally {
      proxy.setRule(() => undefined);
    }
    assert.ok(refused);
    const refusedAt = proxy.seen.findIndex((q) => q.fault === 416);
    const status = proxy.seen.slice(refusedAt).find((q) => q.method === 'GET' && q.url.includes('/resume/big/blobs/uploads/'));
    assert.ok(status, 'the upload status was asked');
    // The resumed chunk starts where the registry said it was, in the same session.
    const resumed = proxy.seen.slice(refusedAt + 1).find((q) => isPatch(q) && session(q) === session(proxy.seen[refusedAt]));
    assert.equal(String(resumed?.headers['content-range']).split('-')[0], String(1 << 20));
    await skopeoVerifies(`${reg.host}/resume/big:v1`);
  });
});
