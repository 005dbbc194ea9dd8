// nix2container's base-image formats against a real registry: pullImage's output is what skopeo
// writes into dir: (so a nix2container sha256 builds, and a wrong one says which to set), and
// pullImageFromManifest takes the registry's raw manifest (nix2container's getManifest prints it),
// from an index too, behind htpasswd too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { request } from 'undici';
import { longshore, nixBuildResult, tmp } from '../helpers/nix.js';
import { push, startRegistry, type Registry } from '../helpers/registry.js';
import { treeBytes, umociUnpack } from '../helpers/oci.js';

const USER = 'carol';
const PASS = 'pull-Secret-7';
const CREDS = { LONGSHORE_REGISTRY_USERNAME: USER, LONGSHORE_REGISTRY_PASSWORD: PASS };

interface ImageJson {
  layers: { digest: string; mediaType: string; blob?: string; sourceRepository?: string }[];
  config: { Env?: string[] };
}

async function nixBuildOk(expr: string, env: Record<string, string> = {}): Promise<string> {
  const r = await nixBuildResult(expr, env);
  assert.equal(r.exitCode, 0, r.all);
  return r.out;
}

const imageJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as ImageJson;

/** A busybox base with a file of its own (a new layer on every run: the fetch really happens), for `arch`. */
const baseExpr = (nonce: string, arch: string) => `let marker = pkgs.runCommand "base-${nonce}" {} "mkdir -p $out/etc; echo ${nonce}-${arch} > $out/etc/base-marker"; in
  longshore.buildImage { name = "base"; arch = "${arch}"; copyToRoot = [ pkgs.busybox marker ]; config.Env = [ "PATH=/bin" "FROM_BASE=${arch}" ]; }`;

/** Pushes a base gzip-compressed as Docker schema 2, as real bases are; returns its manifest digest. */
async function pushBase(reg: Registry, ref: string, nonce: string, arch = 'amd64', creds?: string): Promise<string> {
  const image = await nixBuildOk(baseExpr(nonce, arch));
  const dir = tmp('longshore-n2c-oci-');
  const c = await longshore(['copy', image, `oci:${dir}/layout:base`, '-q']);
  assert.equal(c.exitCode, 0, c.all);
  const auth = creds ? ['--dest-creds', creds] : [];
  await execa('skopeo', ['copy', '-q', '--dest-compress', '--format', 'v2s2', '--dest-tls-verify=false', ...auth, `oci:${dir}/layout:base`, `docker://${reg.host}/${ref}`]);
  return skopeoDigest(`${reg.host}/${ref}`, creds);
}

async function skopeoDigest(ref: string, creds?: string): Promise<string> {
  const r = await execa('skopeo', ['inspect', '--tls-verify=false', ...(creds ? ['--creds', creds] : []), `docker://${ref}`]);
  return (JSON.parse(r.stdout) as { Digest: string }).Digest;
}

/** What nix2container's pullImage stores: skopeo copy --override-os --override-arch docker://NAME@DIGEST dir:$out; and its NAR hash. */
async function skopeoPull(nameAtDigest: string, arch: string, creds?: string): Promise<{ dir: string; sha256: string }> {
  const dir = join(tmp('longshore-n2c-dir-'), 'out');
  await execa('skopeo', ['--override-os', 'linux', '--override-arch', arch, 'copy', '-q', '--src-tls-verify=false', ...(creds ? ['--src-creds', creds] : []), `docker://${nameAtDigest}`, `dir:${dir}`]);
  const sha256 = (await execa('nix', ['hash', 'path', dir])).stdout.trim();
  return { dir, sha256 };
}

function assertSameTree(got: string, want: string): void {
  const a = treeBytes(got);
  const b = treeBytes(want);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, v] of a) assert.ok(v.equals(b.get(k)!), `${k} differs from what skopeo wrote`);
}

/** Runs get-manifest (the passthru's script) with `args` and `env`; its stdout as bytes. */
async function getManifest(expr: string, args: string[] = [], env: Record<string, string> = {}) {
  const script = await nixBuildOk(`(${expr}).getManifest`);
  return execa(join(script, 'bin/get-manifest'), args, { reject: false, encoding: 'buffer', env: { ...process.env, HOME: tmp('longshore-home-'), REGISTRY_AUTH_FILE: '', ...env } });
}

describe('pullImage: what nix2container stores', { timeout: 300_000 }, () => {
  let reg: Registry;
  let digest: string;
  let pulled: { dir: string; sha256: string };
  before(async () => {
    reg = await startRegistry();
    digest = await pushBase(reg, 'base:1', randomBytes(6).toString('hex'));
    pulled = await skopeoPull(`${reg.host}/base@${digest}`, 'amd64');
  });
  after(() => reg?.stop());

  const pullExpr = (sha256: string, extra = '') => `longshore.pullImage { imageName = "${reg.host}/base"; imageDigest = "${digest}"; sha256 = "${sha256}"; tlsVerify = false; ${extra} }`;

  test("the sha256 of skopeo's dir builds; the output is skopeo's tree byte for byte, with the same NAR hash", async () => {
    const dir = await nixBuildOk(`(${pullExpr(pulled.sha256)}).dir`);
    assertSameTree(dir, pulled.dir);
    assert.equal((await execa('nix', ['hash', 'path', dir])).stdout.trim(), pulled.sha256);
    const nar = async (d: string) => (await execa('sh', ['-c', 'nix-store --dump "$1" | sha256sum', 'sh', d])).stdout;
    assert.equal(await nar(dir), await nar(pulled.dir));
    // As nix2container names it, so the same sha256 is the same store path.
    assert.match(dir, new RegExp(`-docker-image-${reg.host.replace(/[.:]/g, (c) => (c === ':' ? '-' : '\\.'))}-base$`));
    // Nix's other notations of the same hash.
    const base32 = (await execa('nix', ['hash', 'to-base32', pulled.sha256])).stdout.trim();
    assert.equal(await nixBuildOk(`(${pullExpr(base32)}).dir`), dir);
  });

  test('fromImage builds on it: the base layer kept as served, its config merged', async () => {
    const app = imageJson(await nixBuildOk(`longshore.buildImage { name = "app"; fromImage = ${pullExpr(pulled.sha256)}; config.Env = [ "APP=1" ]; }`));
    const manifest = JSON.parse(readFileSync(join(pulled.dir, 'manifest.json'), 'utf8')) as { layers: { digest: string }[] };
    assert.equal(app.layers[0].digest, manifest.layers[0].digest);
    assert.equal(app.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    assert.equal(app.layers[0].sourceRepository, `${reg.host}/base`);
    assert.deepEqual(app.config.Env, ['PATH=/bin', 'FROM_BASE=amd64', 'APP=1']);
  });

  test('a wrong sha256 fails, saying which hash Nix computed and what to set', async () => {
    const wrong = 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const r = await nixBuildResult(pullExpr(wrong));
    assert.notEqual(r.exitCode, 0);
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    assert.match(r.all, new RegExp(`pullImage: ${esc(reg.host)}/base@${digest} has hash ${esc(pulled.sha256)}, not the sha256 given \\(${esc(wrong)}\\); set sha256 = "${esc(pulled.sha256)}";`));
    assert.match(r.all, /hint: the hash is the NAR hash of what `skopeo copy docker:\/\/NAME@DIGEST dir:\$out` writes/);
    assert.doesNotMatch(r.all, /internal error/);
  });
});

describe('pullImageFromManifest: the registry manifest (nix2container) and getManifest', { timeout: 300_000 }, () => {
  let reg: Registry;
  let digest: string;
  before(async () => {
    reg = await startRegistry();
    digest = await pushBase(reg, 'base:1', randomBytes(6).toString('hex'));
  });
  after(() => reg?.stop());

  const pullExpr = (manifest: string | null, extra = '') =>
    `longshore.pullImageFromManifest { imageName = "${reg.host}/base"; imageTag = "1"; tlsVerify = false; ${manifest ? `imageManifest = ${manifest};` : ''} ${extra} }`;

  test('getManifest prints the manifest as the registry serves it; a build from it runs the base', async () => {
    // As nix2container's README runs it: nix run .#IMAGE.fromImage.getManifest > manifest.json
    const g = await getManifest(`(longshore.buildImage { name = "app"; fromImage = ${pullExpr(null)}; }).fromImage`);
    assert.equal(g.exitCode, 0, Buffer.from(g.stderr).toString());
    const raw = (await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/base:1`], { encoding: 'buffer' })).stdout;
    assert.ok(Buffer.from(g.stdout).equals(Buffer.from(raw)), 'exact bytes');
    const file = join(tmp('longshore-n2c-'), 'manifest.json');
    writeFileSync(file, g.stdout);
    const base = await nixBuildOk(pullExpr(file));
    const b = imageJson(base);
    const m = JSON.parse(Buffer.from(raw).toString()) as { layers: { digest: string }[] };
    assert.deepEqual(b.layers.map((l) => l.digest), m.layers.map((l) => l.digest));
    assert.match(b.layers[0].blob!, /-blob-[0-9a-f]{32}$/);
    // The passthrus nix2container's users read.
    const attrs = await nixBuildOk(`let b = ${pullExpr(file)}; in pkgs.writeText "attrs" (builtins.toJSON { inherit (b) imageName imageDigest; })`);
    assert.deepEqual(JSON.parse(readFileSync(attrs, 'utf8')), { imageName: `${reg.host}/base`, imageDigest: digest });
    const app = await nixBuildOk(`longshore.buildImage { name = "app"; fromImage = ${pullExpr(file)}; config.Cmd = [ "/bin/cat" "/etc/base-marker" ]; }`);
    const dir = tmp('longshore-n2c-run-');
    const c = await longshore(['copy', app, `oci:${dir}/layout:app`, '-q']);
    assert.equal(c.exitCode, 0, c.all);
    const rootfs = await umociUnpack(`${dir}/layout:app`, join(dir, 'bundle'));
    assert.match(readFileSync(join(rootfs, 'etc/base-marker'), 'utf8'), /-amd64\n$/);
  });

  test('without imageManifest: the build says how to get one', async () => {
    const r = await nixBuildResult(pullExpr(null));
    assert.notEqual(r.exitCode, 0);
    assert.match(r.all, new RegExp(`pullImageFromManifest ${reg.host.replace(/\./g, '\\.')}/base: no imageManifest; run its getManifest passthru`));
  });

  test('a file that is neither a manifest nor a lock, and a raw manifest without imageName, are refused at evaluation', async () => {
    const file = join(tmp('longshore-n2c-'), 'other.json');
    writeFileSync(file, '{"hello": "world"}');
    const r = await nixBuildResult(pullExpr(file));
    assert.match(r.all, /other\.json is neither a registry manifest \(nix2container's format, what getManifest prints\) nor a lock file/);
    const g = await getManifest(pullExpr(null));
    const m = join(tmp('longshore-n2c-'), 'manifest.json');
    writeFileSync(m, g.stdout);
    const noName = await nixBuildResult(`longshore.pullImageFromManifest { imageManifest = ${m}; }`);
    assert.match(noName.all, /give imageName \("HOST\/NAME"\): a registry manifest does not say where it comes from/);
  });
});

describe('pullImageFromManifest and pullImage behind htpasswd, from a multi-arch index', { timeout: 300_000 }, () => {
  let reg: Registry;
  const digests: Record<string, string> = {};
  let indexFile: string;
  let indexDigest: string;
  before(async () => {
    const dir = tmp('longshore-htpasswd-');
    const file = join(dir, 'htpasswd');
    writeFileSync(file, (await execa('htpasswd', ['-Bbn', USER, PASS])).stdout + '\n');
    reg = await startRegistry({ htpasswd: file });
    const nonce = randomBytes(6).toString('hex');
    for (const arch of ['amd64', 'arm64']) digests[arch] = await pushBase(reg, `private/multi:${arch}`, nonce, arch, `${USER}:${PASS}`);
    const auth = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
    const entry = async (arch: string, variant?: string) => {
      const r = await request(`http://${reg.host}/v2/private/multi/manifests/${arch}`, { headers: { authorization: auth, accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
      const bytes = Buffer.from(await r.body.arrayBuffer());
      return { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: digests[arch], size: bytes.length, platform: { architecture: arch, os: 'linux', ...(variant ? { variant } : {}) } };
    };
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [await entry('amd64'), await entry('arm64', 'v8')] });
    const put = await request(`http://${reg.host}/v2/private/multi/manifests/latest`, { method: 'PUT', body: index, headers: { authorization: auth, 'content-type': 'application/vnd.docker.distribution.manifest.list.v2+json' } });
    assert.equal(put.statusCode, 201, await put.body.text());
    indexDigest = put.headers['docker-content-digest'] as string;
    indexFile = join(tmp('longshore-n2c-'), 'index.json');
    writeFileSync(indexFile, index);
  });
  after(() => reg?.stop());

  const fromIndex = (extra = '') => `longshore.pullImageFromManifest { imageName = "${reg.host}/private/multi"; imageManifest = ${indexFile}; tlsVerify = false; ${extra} }`;

  test('a raw index resolves to the system\'s platform, or to arch; with the credentials from the environment', async () => {
    const amd = imageJson(await nixBuildOk(fromIndex(), CREDS));
    const arm = imageJson(await nixBuildOk(fromIndex('arch = "arm64";'), CREDS));
    const layerOf = async (arch: string) => {
      const r = await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `${USER}:${PASS}`, `docker://${reg.host}/private/multi@${digests[arch]}`]);
      return (JSON.parse(r.stdout) as { layers: { digest: string }[] }).layers[0].digest;
    };
    assert.equal(amd.layers[0].digest, await layerOf('amd64'));
    assert.equal(arm.layers[0].digest, await layerOf('arm64'));
    const none = await nixBuildResult(fromIndex('arch = "s390x";'), CREDS);
    assert.notEqual(none.exitCode, 0);
    assert.match(none.all, /index\.json has no manifest for linux\/s390x; it has linux\/amd64, linux\/arm64\/v8; set os, arch \(and variant\)/);
  });

  test('without credentials the fetch fails with the registry\'s 401; getManifest takes --creds or the same variables', async () => {
    // A new layer: nothing of it is in the store yet.
    await pushBase(reg, 'private/other:1', randomBytes(6).toString('hex'), 'amd64', `${USER}:${PASS}`);
    const expr = (file: string) => `longshore.pullImageFromManifest { imageName = "${reg.host}/private/other"; imageTag = "1"; tlsVerify = false; ${file ? `imageManifest = ${file};` : ''} }`;
    const anon = await getManifest(expr(''));
    assert.notEqual(anon.exitCode, 0);
    assert.match(Buffer.from(anon.stderr).toString(), /registry answered 401/);
    const viaFlag = await getManifest(expr(''), ['--creds', `${USER}:${PASS}`]);
    assert.equal(viaFlag.exitCode, 0, Buffer.from(viaFlag.stderr).toString());
    const viaEnv = await getManifest(expr(''), [], CREDS);
    assert.ok(Buffer.from(viaEnv.stdout).equals(Buffer.from(viaFlag.stdout)));
    const file = join(tmp('longshore-n2c-'), 'manifest.json');
    writeFileSync(file, viaFlag.stdout);
    const noCreds = await nixBuildResult(expr(file));
    assert.notEqual(noCreds.exitCode, 0);
    assert.match(noCreds.all, /fetching blob sha256:[0-9a-f]{64} from 127\.0\.0\.1:\d+\/private\/other: registry answered 401/);
    await nixBuildOk(expr(file), CREDS);
  });

  test('getManifest of an index prints the platform manifest (arch = "arm64")', async () => {
    const g = await getManifest(`longshore.pullImageFromManifest { imageName = "${reg.host}/private/multi"; arch = "arm64"; tlsVerify = false; }`, [], CREDS);
    assert.equal(g.exitCode, 0, Buffer.from(g.stderr).toString());
    assert.equal('sha256:' + createHash('sha256').update(g.stdout).digest('hex'), digests.arm64);
  });

  test('pullImage of an index digest: what skopeo --override-arch writes, for amd64 and arm64', async () => {
    for (const arch of ['amd64', 'arm64']) {
      const want = await skopeoPull(`${reg.host}/private/multi@${indexDigest}`, arch, `${USER}:${PASS}`);
      const dir = await nixBuildOk(
        `(longshore.pullImage { imageName = "${reg.host}/private/multi"; imageDigest = "${indexDigest}"; sha256 = "${want.sha256}"; arch = "${arch}"; tlsVerify = false; }).dir`,
        CREDS,
      );
      assertSameTree(dir, want.dir);
      const manifest = readFileSync(join(dir, 'manifest.json'));
      assert.equal('sha256:' + createHash('sha256').update(manifest).digest('hex'), digests[arch]);
    }
  });
});
