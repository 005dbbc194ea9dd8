// docker:// against a real distribution registry: push, independent checks with skopeo and podman,
// skipping by HEAD on a fresh machine, only the changed layer re-sent, mounts, the streamed PATCH
// path, and which Node modules a push loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { buildExample, CLI, longshore, nixBuild, tmp } from '../helpers/nix.js';
import { loadImageFile } from '../../src/image/schema.js';
import { MODULES_HOOK, parseLoaded } from '../helpers/modules.js';
import { push, skopeoDigest, startRegistry, variantExpr, type Registry } from '../helpers/registry.js';
import { RegistryClient } from '../../src/registry/client.js';
import { RepositoryApi } from '../../src/registry/api.js';
import { pushBlob } from '../../src/registry/upload.js';
import { measuring } from '../../src/util/measure.js';
import { parseRegistryReference } from '../../src/reference/reference.js';

let reg: Registry;
let hello: string;
before(async () => {
  [reg, hello] = await Promise.all([startRegistry(), buildExample('hello')]);
});
after(async () => {
  await reg?.stop();
});

test('anonymous push; skopeo and podman see the image; Hello, world! runs', async () => {
  const ref = `${reg.host}/hello:v1`;
  const r = await push(hello, ref);
  assert.equal(r.exitCode, 0, r.output);
  const manifest = readFileSync(hello, 'utf8');
  assert.ok(manifest.length > 0);
  assert.equal(r.json!.layers.every((l) => l.action === 'uploaded'), true);
  assert.equal(r.json!.bytesSent, r.json!.layers.reduce((a, l) => a + l.size, 0));
  assert.equal(await skopeoDigest(ref), r.json!.manifestDigest);

  // The manifest carries gzip OCI layers (docker://'s default), each naming its compressor; the
  // config still lists the uncompressed digests the build recorded.
  const raw = await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  const m = JSON.parse(raw.stdout) as { mediaType: string; layers: { mediaType: string; digest: string; annotations?: Record<string, string> }[] };
  assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.ok(m.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip'), raw.stdout);
  assert.ok(m.layers.every((l) => /^longshore-blocks\/1 gzip level=4 /.test(l.annotations?.['org.longshore.layer.compressor'] ?? '')), raw.stdout);
  assert.deepEqual(
    m.layers.map((l) => l.digest),
    r.json!.layers.map((l) => l.digest),
  );
  const config = JSON.parse((await execa('skopeo', ['inspect', '--config', '--raw', '--tls-verify=false', `docker://${ref}`])).stdout) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(config.rootfs.diff_ids, loadImageFile(hello).layers.map((l) => l.diffID));

  // skopeo copy re-verifies every blob digest.
  const oci = tmp('longshore-oci-');
  await execa('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${oci}/img:v1`]);

  await execa('podman', ['pull', '--tls-verify=false', ref]);
  const run = await execa('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'run', '--rm', '--network=none', ref], { reject: false, all: true });
  await execa('podman', ['rmi', '-f', ref], { reject: false });
  assert.equal(run.exitCode, 0, run.all);
  assert.match(run.stdout, /Hello, world!/);
});

test('--compression none pushes the layers as built, uncompressed, under the digests the build recorded', async () => {
  const ref = `${reg.host}/hello-tar:v1`;
  const r = await push(hello, ref, ['--compression', 'none']);
  assert.equal(r.exitCode, 0, r.output);
  const raw = await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  const m = JSON.parse(raw.stdout) as { layers: { mediaType: string; digest: string; annotations?: unknown }[] };
  assert.ok(m.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar' && l.annotations === undefined));
  assert.deepEqual(
    m.layers.map((l) => l.digest),
    loadImageFile(hello).layers.map((l) => l.digest),
  );
  const inspect = await longshore(['inspect', hello, '--json']);
  assert.equal(r.json!.manifestDigest, (JSON.parse(inspect.stdout) as { manifestDigest: string }).manifestDigest, 'the manifest the image JSON implies');
});

test('a fresh HOME with no cache skips every layer already present', async () => {
  const ref = `${reg.host}/hello:v2`;
  assert.equal((await push(hello, `${reg.host}/hello:v1`)).exitCode, 0);
  const t0 = Date.now();
  const r = await push(hello, ref); // push() gives every run a new empty HOME
  assert.equal(r.exitCode, 0, r.output);
  assert.ok(r.json!.layers.every((l) => l.action === 'skipped'), JSON.stringify(r.json));
  assert.equal(r.json!.bytesSent, 0);
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(await skopeoDigest(ref), r.json!.manifestDigest);
});

test('after a one-file change only the changed layer is uploaded', async () => {
  const [a, b] = await Promise.all([nixBuild(variantExpr('one')), nixBuild(variantExpr('two'))]);
  const ref = `${reg.host}/variant:latest`;
  const r1 = await push(a, ref);
  assert.equal(r1.exitCode, 0, r1.output);
  assert.ok(r1.json!.layers.length >= 2, 'the variant has several layers');
  const r2 = await push(b, ref);
  assert.equal(r2.exitCode, 0, r2.output);
  const uploaded = r2.json!.layers.filter((l) => l.action === 'uploaded');
  assert.equal(uploaded.length, 1, JSON.stringify(r2.json!.layers));
  assert.equal(r2.json!.bytesSent, uploaded[0].size);
  assert.ok(!r1.json!.layers.some((l) => l.digest === uploaded[0].digest));
  assert.equal(await skopeoDigest(ref), r2.json!.manifestDigest);
});

test('--mount-from mounts layers from another repository instead of uploading', async () => {
  assert.equal((await push(hello, `${reg.host}/source/hello:v1`)).exitCode, 0);
  const r = await push(hello, `${reg.host}/mounted/hello:v1`, ['--mount-from', 'source/hello']);
  assert.equal(r.exitCode, 0, r.output);
  assert.ok(r.json!.layers.every((l) => l.action === 'mounted'), JSON.stringify(r.json));
  assert.equal(r.json!.bytesSent, 0);
  // A refused mount (no such source) falls back to an upload.
  const f = await push(hello, `${reg.host}/fallback/hello:v1`, ['--mount-from', 'nowhere/none']);
  assert.equal(f.exitCode, 0, f.output);
  assert.ok(f.json!.layers.every((l) => l.action === 'uploaded'));
});

test('a blob of unknown size goes up as a streamed PATCH then PUT ?digest=', async () => {
  const data = Buffer.alloc(3 << 20, 7);
  const digest = 'sha256:' + createHash('sha256').update(data).digest('hex');
  const client = new RegistryClient({ ref: parseRegistryReference(`${reg.host}/patch/blob`) });
  try {
    await client.ping();
    const api = new RepositoryApi(client, 'patch/blob');
    assert.equal(await api.hasBlob(digest), false);
    let opened = 0;
    await pushBlob(api, { digest, open: () => (opened++, measuring(Readable.from([data.subarray(0, 1 << 20), data.subarray(1 << 20)]))), label: 'test blob' }, { state() {} });
    assert.equal(opened, 1);
    assert.equal(await api.hasBlob(digest, data.length), true);
  } finally {
    await client.close();
  }
});

test('registry errors name the code, the message and the manifest', async () => {
  const bad = await push(hello, `${reg.host}/Bad/Name:v1`);
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.output, /\/Bad\/Name:v1: repository component "Bad" is not valid/);
  // A manifest whose blobs the registry lacks: distribution answers MANIFEST_BLOB_UNKNOWN.
  const client = new RegistryClient({ ref: parseRegistryReference(`${reg.host}/errors/demo`) });
  try {
    await client.ping();
    const missing = 'sha256:' + '0'.repeat(64);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: missing, size: 2 },
        layers: [],
      }),
    );
    await assert.rejects(new RepositoryApi(client, 'errors/demo').putManifest('v1', manifest, 'application/vnd.oci.image.manifest.v1+json'), (e: Error) => {
      assert.match(e.message, /pushing manifest sha256:[0-9a-f]{64} as 127\.0\.0\.1:\d+\/errors\/demo:v1: registry answered 400 \(MANIFEST_BLOB_UNKNOWN: /);
      return true;
    });
  } finally {
    await client.close();
  }
});

// The edit/push loop pays for every module it loads. undici's public entry point loads node:http2 and
// node:tls with it, so a push now loads them too; what must stay off it is yargs (the copy fast path,
// src/copy-fast.ts) and execa.
test('a plain push takes the fast path: it loads undici, but neither yargs nor execa', async () => {
  const r = await execa(process.execPath, ['--import', MODULES_HOOK, CLI, 'copy', '-q', hello, `docker://${reg.host}/hello:bundle`], { reject: false, all: true });
  assert.equal(r.exitCode, 0, r.all);
  const { packages, builtins } = parseLoaded(r.stderr);
  assert.ok(builtins.has('node:net'), 'the push did use the network');
  assert.ok(packages.has('undici'), `the trace sees the bundled packages (${[...packages].join(', ')})`);
  assert.ok(!packages.has('yargs'), 'yargs was loaded');
  assert.ok(!packages.has('execa'), 'execa was loaded');
});
