// Base images from registries (issue 5) against a real distribution registry: a busybox base pushed
// gzip-compressed as Docker schema 2 (like real bases), locked, fetched one blob per fixed-output
// derivation, used through fromImage, pushed with a cross-repository mount, run in Podman and in
// Docker; multi-arch indexes; a registry behind htpasswd; blobs that no longer match the lock; pullImage.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { request } from 'undici';
import { longshore, nixBuildResult, tmp } from '../helpers/nix.js';
import { push, startRegistry, type Registry } from '../helpers/registry.js';
import { makePodman, type Podman } from '../helpers/podman.js';
import { DOCKER_FLAVOURS, startDockerd, type Dockerd } from '../helpers/docker.js';
import { startTokenServer, type TokenServer } from '../helpers/token-server.js';
import { checkLock, type ImageLock } from '../../src/commands/lock.js';

const USER = 'bob';
const PASS = 'base-Secret-42';
const GZIP_DOCKER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const GZIP_OCI = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** nix-build of an expression with `pkgs` and `longshore` in scope; env reaches fixed-output derivations (impureEnvVars). */
const nixBuildEnv = nixBuildResult;

async function nixBuildOk(expr: string, env: Record<string, string> = {}): Promise<string> {
  const r = await nixBuildEnv(expr, env);
  assert.equal(r.exitCode, 0, r.all);
  return r.out;
}

/** A busybox image with a unique file (so its layer is new to the store on every run: the fetch really happens). */
function baseExpr(nonce: string, arch = 'amd64'): string {
  return `let nonce = pkgs.runCommand "nonce-${nonce}" {} "mkdir -p $out/etc; echo ${nonce} > $out/etc/base-nonce"; in
    longshore.buildImage {
      name = "base"; arch = "${arch}";
      copyToRoot = [ pkgs.busybox nonce ];
      config.Env = [ "PATH=/bin" "BASE_VAR=from-base" "OVERRIDE=base" ];
      config.Cmd = [ "sh" ];
      config.Labels = { "org.example.base" = "yes"; "org.example.shared" = "base"; };
      config.ExposedPorts = { "80/tcp" = {}; };
    }`;
}

/**
 * Builds the base with Nix, adds an empty_layer history entry (umoci config: WorkingDir, EXTRA),
 * and pushes it to the registry gzip-compressed as Docker schema 2, as real base images are.
 */
async function pushBase(reg: Registry, ref: string, nonce: string, creds?: string): Promise<void> {
  const image = await nixBuildOk(baseExpr(nonce));
  const dir = tmp('longshore-base-oci-');
  const c = await longshore(['copy', image, `oci:${dir}/layout:base`, '-q']);
  assert.equal(c.exitCode, 0, c.all);
  await execa('umoci', ['config', '--image', `${dir}/layout:base`, '--config.workingdir', '/srv', '--config.env', 'EXTRA=1']);
  await execa('skopeo', [
    'copy', '--dest-compress', '--format', 'v2s2', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []),
    `oci:${dir}/layout:base`, `docker://${reg.host}/${ref}`,
  ]);
}

async function lock(ref: string, args: string[] = []): Promise<{ exitCode: number; all: string; file: string; lock?: ImageLock }> {
  const file = join(tmp('longshore-lock-'), 'base.lock.json');
  const r = await longshore(['lock', `docker://${ref}`, '-o', file, ...args], { HOME: tmp('longshore-home-'), REGISTRY_AUTH_FILE: '' });
  return { exitCode: r.exitCode ?? -1, all: r.all ?? '', file, lock: r.exitCode === 0 ? (JSON.parse(readFileSync(file, 'utf8')) as ImageLock) : undefined };
}

const appExpr = (lockFile: string, extra = '') => `let marker = pkgs.runCommand "app-marker" {} "mkdir -p $out/etc; echo hello-from-app > $out/etc/app-marker"; in
  longshore.buildImage {
    name = "app";
    fromImage = longshore.pullImageFromManifest { imageManifest = ${lockFile}; tlsVerify = false; ${extra} };
    copyToRoot = marker;
    config.Env = [ "APP_VAR=from-app" "OVERRIDE=user" ];
    config.Entrypoint = [ "/bin/sh" "-c" ];
    config.Cmd = [ "echo base=$BASE_VAR app=$APP_VAR override=$OVERRIDE extra=$EXTRA; cat /etc/app-marker; pwd" ];
    config.Labels = { "org.example.shared" = "app"; };
  }`;

const EXPECTED_RUN = /base=from-base app=from-app override=user extra=1\nhello-from-app\n\/srv/;

interface ImageJson {
  config: Record<string, unknown>;
  layers: { digest: string; diffID: string; mediaType: string; blob?: string; sourceRepository?: string; size: number }[];
  baseHistory?: { empty_layer?: boolean; created_by?: string }[];
}

describe('base image from an anonymous registry', { timeout: 300_000 }, () => {
  let reg: Registry;
  let lockFile: string;
  let lockDoc: ImageLock;
  let app: string;
  before(async () => {
    reg = await startRegistry();
    await pushBase(reg, 'base:1', randomBytes(6).toString('hex'));
  });
  after(() => reg?.stop());

  test('lock pins the Docker schema 2 manifest, the config and the gzip layers', async () => {
    const r = await lock(`${reg.host}/base:1`);
    assert.equal(r.exitCode, 0, r.all);
    lockFile = r.file;
    lockDoc = r.lock!;
    assert.equal(lockDoc.registry, reg.host);
    assert.equal(lockDoc.repository, 'base');
    assert.deepEqual(lockDoc.platform, { os: 'linux', architecture: 'amd64' });
    assert.equal(lockDoc.manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    const skopeo = await execa('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/base:1`]);
    assert.equal(lockDoc.manifest.digest, (JSON.parse(skopeo.stdout) as { Digest: string }).Digest);
    assert.equal(lockDoc.layers.length, 1);
    assert.equal(lockDoc.layers[0].mediaType, GZIP_DOCKER);
    assert.notEqual(lockDoc.layers[0].digest, lockDoc.layers[0].diffID);
    checkLock(lockDoc, r.file); // raw bytes match their digests
  });

  test('fromImage: base blobs kept verbatim, config merged, history kept with its empty_layer entries', async () => {
    app = await nixBuildOk(appExpr(lockFile));
    const img = JSON.parse(readFileSync(app, 'utf8')) as ImageJson;
    assert.equal(img.layers.length, 2);
    const b = img.layers[0];
    assert.equal(b.digest, lockDoc.layers[0].digest);
    assert.equal(b.diffID, lockDoc.layers[0].diffID);
    assert.equal(b.mediaType, GZIP_DOCKER);
    assert.equal(b.sourceRepository, `${reg.host}/base`);
    assert.ok(b.blob && existsSync(b.blob) && readFileSync(b.blob).subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])), 'blob is the gzip file');
    assert.match(b.blob!, /-blob-[0-9a-f]{32}$/);
    assert.deepEqual(img.config.Env, ['PATH=/bin', 'BASE_VAR=from-base', 'OVERRIDE=user', 'EXTRA=1', 'APP_VAR=from-app']);
    assert.equal(img.config.WorkingDir, '/srv');
    assert.deepEqual(img.config.Labels, { 'org.example.base': 'yes', 'org.example.shared': 'app' });
    assert.deepEqual(img.config.ExposedPorts, { '80/tcp': {} });
    assert.deepEqual(img.baseHistory!.map((h) => !!h.empty_layer), [false, true]);
  });

  test('push: the base layer is mounted from its repository, or skipped where it already is', async () => {
    const r = await push(app, `${reg.host}/app:1`);
    assert.equal(r.exitCode, 0, r.output);
    assert.deepEqual(r.json!.layers.map((l) => l.action), ['mounted', 'uploaded']);
    assert.equal(r.json!.bytesSent, r.json!.layers[1].size);
    const same = await push(app, `${reg.host}/base:app`);
    assert.equal(same.exitCode, 0, same.output);
    assert.deepEqual(same.json!.layers.map((l) => l.action), ['skipped', 'uploaded']);

    const raw = JSON.parse((await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/app:1`])).stdout) as { layers: { mediaType: string; digest: string }[] };
    assert.equal(raw.layers[0].mediaType, GZIP_OCI, 'OCI manifest, OCI gzip media type for the same bytes');
    assert.equal(raw.layers[0].digest, lockDoc.layers[0].digest);
    const cfg = JSON.parse((await execa('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${reg.host}/app:1`])).stdout) as {
      rootfs: { diff_ids: string[] };
      history: { empty_layer?: boolean; created_by?: string }[];
    };
    assert.equal(cfg.history.length, 3);
    assert.deepEqual(cfg.history.map((h) => !!h.empty_layer), [false, true, false]);
    assert.equal(cfg.history.filter((h) => !h.empty_layer).length, cfg.rootfs.diff_ids.length);
    assert.equal(cfg.history[1].created_by, 'umoci config');
    // skopeo re-verifies every blob, gzip included.
    await execa('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/app:1`, `oci:${tmp('longshore-oci-')}/x:1`]);

    // The pushed app, locked in turn from its own repository, shares the base blob: one store path.
    const again = await lock(`${reg.host}/app:1`);
    assert.equal(again.exitCode, 0, again.all);
    const pulled = JSON.parse(readFileSync(await nixBuildOk(`longshore.pullImageFromManifest { imageManifest = ${again.file}; }`), 'utf8')) as ImageJson;
    const img = JSON.parse(readFileSync(app, 'utf8')) as ImageJson;
    assert.equal(pulled.layers[0].blob, img.layers[0].blob);
    assert.equal(pulled.layers[0].sourceRepository, `${reg.host}/app`);
    assert.equal(pulled.layers[0].mediaType, GZIP_OCI);
  });

  test('podman pulls and runs it: inherited Env and WorkingDir, the base busybox, the app file', async () => {
    let p: Podman | undefined;
    try {
      p = await makePodman();
      const pull = await p.podman(['pull', '-q', '--tls-verify=false', `${reg.host}/app:1`]);
      assert.equal(pull.exitCode, 0, pull.all);
      const run = await p.run(`${reg.host}/app:1`);
      assert.equal(run.exitCode, 0, run.all);
      assert.match(run.stdout + '\n', EXPECTED_RUN);
    } finally {
      await p?.stop();
    }
  });

  for (const flavour of DOCKER_FLAVOURS) {
    test(`docker-daemon (${flavour}): a gzip base layer loads and runs`, async () => {
      let d: Dockerd | undefined;
      try {
        d = await startDockerd({ flavour });
        const r = await longshore(['copy', app, 'docker-daemon:app:gz', '--json'], d.env);
        assert.equal(r.exitCode, 0, r.all);
        const run = await d.docker(['run', '--rm', '--network=none', 'app:gz']);
        assert.equal(run.exitCode, 0, run.all);
        assert.match(run.stdout + '\n', EXPECTED_RUN);
      } finally {
        await d?.stop();
      }
    });
  }

  test('a registry blob that no longer matches the lock: a clear error, nothing in the store', async () => {
    await pushBase(reg, 'tampered:1', randomBytes(6).toString('hex'));
    const r = await lock(`${reg.host}/tampered:1`);
    assert.equal(r.exitCode, 0, r.all);
    const layer = r.lock!.layers[0];
    const hex = layer.digest.slice(7);
    const data = join(reg.dir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(data);
    bytes[bytes.length >> 1] ^= 0xff; // same size, different content
    writeFileSync(data, bytes);
    const b = await nixBuildEnv(appExpr(r.file));
    assert.notEqual(b.exitCode, 0);
    assert.match(b.all, new RegExp(`fetching blob ${layer.digest} from ${reg.host.replace(/\./g, '\\.')}/tampered: the registry sent ${layer.size} bytes \\(expected ${layer.size}\\) whose digest is sha256:[0-9a-f]{64}, not ${layer.digest}`));
    assert.match(b.all, /hint: the registry \(or a proxy or mirror in between\) serves content that does not match its digest/);
    assert.ok(!readdirSync('/nix/store').some((n) => n.endsWith(`-blob-${hex.slice(0, 32)}`)), 'no blob in the store');

    // A blob gone from the registry (image deleted or re-pushed since the lock): say to re-lock.
    await pushBase(reg, 'gone:1', randomBytes(6).toString('hex'));
    const g = await lock(`${reg.host}/gone:1`);
    assert.equal(g.exitCode, 0, g.all);
    const del = await request(`http://${reg.host}/v2/gone/blobs/${g.lock!.layers[0].digest}`, { method: 'DELETE' });
    await del.body.dump();
    assert.equal(del.statusCode, 202);
    const gb = await nixBuildEnv(appExpr(g.file));
    assert.notEqual(gb.exitCode, 0);
    assert.match(gb.all, /registry answered 404 \(BLOB_UNKNOWN/);
    assert.match(gb.all, /no longer has blob sha256:[0-9a-f]{64}: the image was deleted or re-pushed since it was locked; re-run `longshore lock`/);
  });

  test('an edited lock is refused, naming what is off', async () => {
    const edited = JSON.parse(readFileSync(lockFile, 'utf8')) as ImageLock;
    edited.config.raw = edited.config.raw.replace('from-base', 'from-edit');
    const f = join(tmp('longshore-lock-'), 'edited.json');
    writeFileSync(f, JSON.stringify(edited));
    const b = await nixBuildEnv(appExpr(f));
    assert.notEqual(b.exitCode, 0);
    assert.match(b.all, /edited\.json: the config text has digest sha256:[0-9a-f]{64}, but the lock says sha256:[0-9a-f]{64}; the lock was edited/);
  });

  test('pullImage: one fixed-output derivation for the whole image (hash learnt from a first build\'s message)', async () => {
    await pushBase(reg, 'whole:1', randomBytes(6).toString('hex'));
    const digest = JSON.parse((await execa('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/whole:1`])).stdout).Digest as string;
    const expr = (sha: string) => `longshore.buildImage {
      name = "whole-app";
      fromImage = longshore.pullImage { imageName = "${reg.host}/whole"; imageDigest = "${digest}"; sha256 = "${sha}"; tlsVerify = false; };
      config.Env = [ "APP_VAR=x" ];
    }`;
    const first = await nixBuildEnv(expr('0000000000000000000000000000000000000000000000000000'));
    assert.notEqual(first.exitCode, 0);
    const got = /; set sha256 = "(sha256-[A-Za-z0-9+/]{43}=)";/.exec(first.all);
    assert.ok(got, first.all);
    const img = JSON.parse(readFileSync(await nixBuildOk(expr(got[1])), 'utf8')) as ImageJson;
    assert.equal(img.layers.length, 1);
    assert.equal(img.layers[0].mediaType, GZIP_DOCKER);
    assert.match(img.layers[0].blob!, /-docker-image-127\.0\.0\.1-\d+-whole\/[0-9a-f]{64}$/);
    assert.equal(img.layers[0].sourceRepository, `${reg.host}/whole`);
    assert.deepEqual(img.config.Env, ['PATH=/bin', 'BASE_VAR=from-base', 'OVERRIDE=base', 'EXTRA=1', 'APP_VAR=x']);
    const r = await push(await nixBuildOk(expr(got[1])), `${reg.host}/whole-app:1`);
    assert.equal(r.exitCode, 0, r.output);
    assert.equal(r.json!.layers[0].action, 'mounted');
  });
});

describe('multi-arch index', { timeout: 180_000 }, () => {
  let reg: Registry;
  before(async () => {
    reg = await startRegistry();
  });
  after(() => reg?.stop());

  test('lock resolves an OCI index and a Docker manifest list to the requested platform', async () => {
    const nonce = randomBytes(4).toString('hex');
    const [amd, arm] = await Promise.all([nixBuildOk(baseExpr(nonce)), nixBuildOk(baseExpr(nonce, 'arm64'))]);
    const pa = await push(amd, `${reg.host}/multi:amd64`);
    const pr = await push(arm, `${reg.host}/multi:arm64`);
    assert.equal(pa.exitCode, 0, pa.output);
    assert.equal(pr.exitCode, 0, pr.output);
    const size = async (tag: string) => {
      const r = await request(`http://${reg.host}/v2/multi/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      return (await r.body.arrayBuffer()).byteLength;
    };
    const entries = [
      { digest: pa.json!.manifestDigest, size: await size('amd64'), platform: { architecture: 'amd64', os: 'linux' } },
      { digest: pr.json!.manifestDigest, size: await size('arm64'), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
    ];
    for (const [tag, mediaType] of [
      ['oci', 'application/vnd.oci.image.index.v1+json'],
      ['list', 'application/vnd.docker.distribution.manifest.list.v2+json'],
    ]) {
      const body = JSON.stringify({ schemaVersion: 2, mediaType, manifests: entries.map((e) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...e })) });
      const put = await request(`http://${reg.host}/v2/multi/manifests/${tag}`, { method: 'PUT', body, headers: { 'content-type': mediaType } });
      assert.equal(put.statusCode, 201, await put.body.text());

      const def = await lock(`${reg.host}/multi:${tag}`);
      assert.equal(def.exitCode, 0, def.all);
      assert.equal(def.lock!.manifest.digest, pa.json!.manifestDigest);
      assert.equal(def.lock!.index?.mediaType, mediaType);
      assert.deepEqual(def.lock!.platform, { os: 'linux', architecture: 'amd64' });
      const a64 = await lock(`${reg.host}/multi:${tag}`, ['--arch', 'arm64']);
      assert.equal(a64.exitCode, 0, a64.all);
      assert.equal(a64.lock!.manifest.digest, pr.json!.manifestDigest);
      assert.deepEqual(a64.lock!.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
      assert.equal(JSON.parse(a64.lock!.config.raw).architecture, 'arm64');
    }
    const none = await lock(`${reg.host}/multi:oci`, ['--arch', 's390x']);
    assert.notEqual(none.exitCode, 0);
    assert.match(none.all, /has no manifest for linux\/s390x; it has linux\/amd64, linux\/arm64\/v8/);
    // A single-platform image of another architecture is refused rather than silently locked.
    const wrong = await lock(`${reg.host}/multi:arm64`);
    assert.notEqual(wrong.exitCode, 0);
    assert.match(wrong.all, /is a single-platform image for linux\/arm64, not linux\/amd64/);
  });
});

describe('a source registry behind htpasswd', { timeout: 180_000 }, () => {
  let reg: Registry;
  before(async () => {
    const dir = tmp('longshore-htpasswd-');
    const file = join(dir, 'htpasswd');
    writeFileSync(file, (await execa('htpasswd', ['-Bbn', USER, PASS])).stdout + '\n');
    reg = await startRegistry({ htpasswd: file });
  });
  after(() => reg?.stop());

  test('lock with --creds / --creds-file; the fixed-output fetch takes credentials from the environment', async () => {
    await pushBase(reg, 'private/base:1', randomBytes(6).toString('hex'), `${USER}:${PASS}`);
    const anon = await lock(`${reg.host}/private/base:1`);
    assert.notEqual(anon.exitCode, 0);
    assert.match(anon.all, /401 \(UNAUTHORIZED/);
    assert.match(anon.all, /hint: no credentials found for 127\.0\.0\.1:\d+/);
    const credsFile = join(tmp('longshore-creds-'), 'creds');
    writeFileSync(credsFile, `USERNAME=${USER}\nPASSWORD=${PASS}\n`);
    const viaFile = await lock(`${reg.host}/private/base:1`, ['--creds-file', credsFile]);
    assert.equal(viaFile.exitCode, 0, viaFile.all);
    const r = await lock(`${reg.host}/private/base:1`, ['--creds', `${USER}:${PASS}`]);
    assert.equal(r.exitCode, 0, r.all);
    assert.ok(!readFileSync(r.file, 'utf8').includes(PASS), 'no secret in the lock');

    // Without credentials the fetch fails and says why.
    const noCreds = await nixBuildEnv(appExpr(r.file), { LONGSHORE_REGISTRY_USERNAME: '', LONGSHORE_REGISTRY_PASSWORD: '' });
    assert.notEqual(noCreds.exitCode, 0);
    assert.match(noCreds.all, /fetching blob sha256:[0-9a-f]{64} from 127\.0\.0\.1:\d+\/private\/base: registry answered 401/);
    // A credentials file named by LONGSHORE_REGISTRY_CREDS_FILE (the derivation sees only this path).
    const img = await nixBuildOk(appExpr(r.file), { LONGSHORE_REGISTRY_CREDS_FILE: credsFile });
    assert.ok(!readFileSync(img, 'utf8').includes(PASS));
    const layers = (JSON.parse(readFileSync(img, 'utf8')) as ImageJson).layers;
    assert.equal(layers[0].sourceRepository, `${reg.host}/private/base`);
    // And the pushed image mounts the base within the protected registry.
    const p = await push(img, `${reg.host}/private/app:1`, ['--creds', `${USER}:${PASS}`]);
    assert.equal(p.exitCode, 0, p.output);
    assert.deepEqual(p.json!.layers.map((l) => l.action), ['mounted', 'uploaded']);
  });

  test('username/password from LONGSHORE_REGISTRY_USERNAME/PASSWORD', async () => {
    await pushBase(reg, 'private/env:1', randomBytes(6).toString('hex'), `${USER}:${PASS}`);
    const r = await lock(`${reg.host}/private/env:1`, ['--creds', `${USER}:${PASS}`]);
    assert.equal(r.exitCode, 0, r.all);
    await nixBuildOk(appExpr(r.file), { LONGSHORE_REGISTRY_USERNAME: USER, LONGSHORE_REGISTRY_PASSWORD: PASS });
  });
});

describe('a source registry behind a token server', { timeout: 180_000 }, () => {
  let reg: Registry;
  let ts: TokenServer;
  const service = 'longshore-base-test';
  before(async () => {
    // Anonymous requests get no access at all; users get what they ask for.
    ts = await startTokenServer({ service, issuer: 'longshore-test-issuer', users: { [USER]: PASS }, grant: (user, _repo, wanted) => (user ? wanted : []) });
    reg = await startRegistry({ token: { realm: ts.realm, service, issuer: 'longshore-test-issuer', rootcertbundle: ts.rootcertbundle } });
  });
  after(async () => {
    await reg?.stop();
    await ts?.stop();
  });

  test('lock and fetch with pull-scoped bearer tokens; push mounts the base with one pull+push token', async () => {
    await pushBase(reg, 'tok/base:1', randomBytes(6).toString('hex'), `${USER}:${PASS}`);
    const r = await lock(`${reg.host}/tok/base:1`, ['--creds', `${USER}:${PASS}`]);
    assert.equal(r.exitCode, 0, r.all);
    ts.requests.length = 0;
    const img = await nixBuildOk(appExpr(r.file), { LONGSHORE_REGISTRY_USERNAME: USER, LONGSHORE_REGISTRY_PASSWORD: PASS });
    assert.ok(ts.requests.some((q) => q.user === USER && q.scopes.includes('repository:tok/base:pull')), JSON.stringify(ts.requests));
    assert.ok(!ts.requests.some((q) => q.scopes.some((s) => s.includes('push'))), 'a fetch asks for pull only');
    const p = await push(img, `${reg.host}/tok/app:1`, ['--creds', `${USER}:${PASS}`]);
    assert.equal(p.exitCode, 0, p.output);
    assert.deepEqual(p.json!.layers.map((l) => l.action), ['mounted', 'uploaded']);
  });
});
