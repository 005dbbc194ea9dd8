// Multi-arch image indexes (buildImageIndex, `copy` of an index, `index create`), several tags in
// one copy (--tag) and manifest annotations, against a real registry, skopeo, Podman and dockerd.
// The index is examples/multi-arch.nix: busybox from Debian for amd64, and Debian's busybox-static
// for arm64 (scripts/setup.sh unpacks it into .tools/busybox-arm64), built on this amd64 machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { longshore, nixBuild, NIX_OPTS, ROOT, tmp } from '../helpers/nix.js';
import { skopeoDigest, startRegistry, type Registry } from '../helpers/registry.js';
import { startDockerd, type Dockerd } from '../helpers/docker.js';
import { makePodman, type Podman } from '../helpers/podman.js';
import { armEmulation, type Qemu } from '../helpers/qemu.js';

const REVISION = '0123456789abcdef0123456789abcdef01234567';
const SOURCE = 'https://example.invalid/longshore';
/** examples/multi-arch.nix as the flake builds it, given a revision and a source URL. */
const EXAMPLE = `(import ${ROOT}/examples/multi-arch.nix { inherit pkgs longshore; revision = "${REVISION}"; source = "${SOURCE}"; })`;
/** The example's images under another name and tag (so that copyToRegistry has a registry to go to). */
const named = (name: string, tag: string) => `(longshore.buildImageIndex { name = "${name}"; tag = "${tag}"; images = ${EXAMPLE}.images; annotations = import ${ROOT}/examples/vcs.nix { revision = "${REVISION}"; source = "${SOURCE}"; }; })`;

let reg: Registry;
let dockerd: Dockerd;
let podman: Podman;
let qemu: Qemu;
let index: string;
let images: string[];

const tlsOff = ['--tls-verify=false'];
const raw = async (ref: string) => JSON.parse((await execa('skopeo', ['inspect', '--raw', ...tlsOff, ref])).stdout) as Record<string, any>;
const platforms = (ix: Record<string, any>) => (ix.manifests as { platform: { os: string; architecture: string } }[]).map((m) => `${m.platform.os}/${m.platform.architecture}`);
const config = async (ref: string) => JSON.parse((await execa('skopeo', ['inspect', '--config', '--raw', ...tlsOff, ref])).stdout) as { architecture: string; os: string; config: { Labels?: Record<string, string> } };

before(async () => {
  [reg, dockerd, podman, qemu, index] = await Promise.all([startRegistry(), startDockerd(), makePodman(), armEmulation(), nixBuild(EXAMPLE)]);
  images = (JSON.parse(readFileSync(index, 'utf8')) as { images: string[] }).images;
});
after(async () => {
  await qemu?.release();
  await Promise.all([reg?.stop(), dockerd?.stop(), podman?.stop()]);
});

test('buildImageIndex: inspect shows the index and each image; two images for one platform fail the evaluation, naming both', async () => {
  const r = await longshore(['inspect', index, '--json']);
  assert.equal(r.exitCode, 0, r.all);
  const out = JSON.parse(r.stdout) as { kind: string; indexDigest: string; annotations: Record<string, string>; images: { platform: string; arch: string; manifestDigest: string; annotations: Record<string, string> }[] };
  assert.equal(out.kind, 'index');
  assert.deepEqual(out.images.map((i) => i.platform), ['linux/amd64', 'linux/arm64']);
  assert.equal(out.annotations['org.opencontainers.image.revision'], REVISION);
  assert.equal(out.images[1].annotations['org.opencontainers.image.source'], SOURCE);
  const text = await longshore(['inspect', index]);
  assert.match(text.stdout, /image index of 2 images/);
  assert.match(text.stdout, /linux\/arm64 .*busybox-aarch64/s);

  await assert.rejects(
    nixBuild(`longshore.buildImageIndex { name = "dup"; images = [
      (longshore.buildImage { name = "one"; tag = "a"; config.Cmd = [ "/x" ]; })
      (longshore.buildImage { name = "two"; tag = "b"; config.Cmd = [ "/y" ]; arch = "amd64"; })
    ]; }`),
    /buildImageIndex dup: images\[0\] \(one:a\) and images\[1\] \(two:b\) are both for linux\/amd64/,
  );
  // An arm64 image and an arm64/v8 image are one platform too.
  await assert.rejects(
    nixBuild(`longshore.buildImageIndex { name = "dup"; images = [ (longshore.buildImage { name = "one"; tag = "a"; arch = "arm64"; }) (longshore.buildImage { name = "two"; tag = "b"; arch = "arm64"; variant = "v8"; }) ]; }`),
    /are both for linux\/arm64/,
  );
});

test('docker://: each image by digest, then the index under its tag and --tag; skopeo and podman take each platform', async () => {
  const copy = await nixBuild(named(`${reg.host}/multi`, '1.0'), { attr: 'copyToRegistry' });
  const t0 = Date.now();
  const r = await execa(join(copy, 'bin/copy-to-registry'), [...tlsOff, '--tag', 'latest', '--tag', 'stable', '--json'], { reject: false, all: true });
  assert.equal(r.exitCode, 0, r.all);
  const json = JSON.parse(r.stdout) as { manifestDigest: string; references: string[]; images: { platform: string }[] };
  assert.deepEqual(json.images.map((i) => i.platform), ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(json.references, [`${reg.host}/multi:1.0`, `${reg.host}/multi:latest`, `${reg.host}/multi:stable`]);
  process.stderr.write(`# index push: ${Date.now() - t0} ms\n`);

  const ix = await raw(`docker://${reg.host}/multi:1.0`);
  assert.equal(ix.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(platforms(ix), ['linux/amd64', 'linux/arm64']);
  assert.equal(ix.annotations['org.opencontainers.image.revision'], REVISION);
  assert.equal(ix.annotations['org.opencontainers.image.source'], SOURCE);
  for (const tag of ['latest', 'stable']) assert.equal(await skopeoDigest(`${reg.host}/multi:${tag}`), json.manifestDigest);
  const tags = JSON.parse((await execa('skopeo', ['list-tags', ...tlsOff, `docker://${reg.host}/multi`])).stdout) as { Tags: string[] };
  for (const tag of ['1.0', 'latest', 'stable']) assert.ok(tags.Tags.includes(tag), JSON.stringify(tags));

  // skopeo picks the arm64 image out of the index; its config says arm64, its manifest carries the annotations.
  const oci = tmp('longshore-oci-');
  await execa('skopeo', ['copy', '-q', '--src-tls-verify=false', '--override-arch', 'arm64', `docker://${reg.host}/multi:1.0`, `oci:${oci}:arm`]);
  assert.equal((await config(`oci:${oci}:arm`)).architecture, 'arm64');
  assert.equal((await raw(`oci:${oci}:arm`)).annotations['org.opencontainers.image.revision'], REVISION);
  // The annotations are the manifest's, not the config's labels.
  assert.equal((await config(`oci:${oci}:arm`)).config.Labels?.['org.opencontainers.image.revision'], undefined);

  // podman pulls the image for the platform asked.
  for (const arch of ['arm64', 'amd64']) {
    const p = await podman.podman(['pull', '-q', ...tlsOff, '--arch', arch, `${reg.host}/multi:1.0`]);
    assert.equal(p.exitCode, 0, p.all);
    const inspect = await podman.podman(['image', 'inspect', '--format', '{{.Architecture}}', p.stdout.trim()]);
    assert.equal(inspect.stdout.trim(), arch);
  }

  // The same index again: every blob and manifest is there, nothing is sent, the digest stays.
  const again = await longshore(['copy', index, `docker://${reg.host}/multi:1.0`, ...tlsOff, '--json']);
  assert.equal(again.exitCode, 0, again.all);
  const j2 = JSON.parse(again.stdout) as { bytesSent: number; manifestDigest: string; layers: { action: string }[] };
  assert.equal(j2.bytesSent, 0);
  assert.ok(j2.layers.every((l) => l.action === 'skipped'), again.stdout);
  assert.equal(j2.manifestDigest, json.manifestDigest, 'the example and its images renamed are one index');
});

test('the same index built twice has the same digest, pushed from a fresh machine to a fresh registry', async () => {
  const first = await longshore(['copy', index, `docker://${reg.host}/twice:v1`, ...tlsOff, '--json']);
  assert.equal(first.exitCode, 0, first.all);
  // Build the images and the index JSON again, checking each comes out byte for byte as before.
  const exprFile = join(tmp('longshore-nix-'), 'expr.nix');
  writeFileSync(exprFile, `let l = import ${ROOT}/test/nix/lib.nix { node = "${process.execPath}"; dist = ${ROOT}/dist; }; pkgs = l.pkgs; longshore = l.longshore; ix = ${EXAMPLE}; in [ ix ] ++ ix.images\n`);
  const rebuilt = await execa('nix-build', [exprFile, '--no-out-link', '--check', ...NIX_OPTS], { reject: false, all: true });
  assert.equal(rebuilt.exitCode, 0, rebuilt.all);
  const other = await startRegistry();
  try {
    const home = tmp('longshore-home-');
    const second = await longshore(['copy', index, `docker://${other.host}/elsewhere:v2`, ...tlsOff, '--json'], { HOME: home, XDG_CONFIG_HOME: join(home, '.config') });
    assert.equal(second.exitCode, 0, second.all);
    assert.equal((JSON.parse(second.stdout) as { manifestDigest: string }).manifestDigest, (JSON.parse(first.stdout) as { manifestDigest: string }).manifestDigest);
  } finally {
    await other.stop();
  }
});

test('docker-daemon: the image for the daemon\'s platform, or --platform; an index without it is an error naming its platforms', async () => {
  const copy = await nixBuild(EXAMPLE, { attr: 'copyToDockerDaemon' });
  const r = await execa(join(copy, 'bin/copy-to-docker-daemon'), ['--json', '--tag', 'amd'], { reject: false, all: true, env: dockerd.env });
  assert.equal(r.exitCode, 0, r.all);
  const json = JSON.parse(r.stdout) as { reference: string; platform: string; references: string[] };
  assert.equal(json.platform, 'linux/amd64');
  const run = await dockerd.docker(['run', '--rm', '--network=none', json.reference]);
  assert.equal(run.exitCode, 0, run.all);
  assert.equal(run.stdout.trim(), 'x86_64');
  assert.equal((await dockerd.docker(['image', 'inspect', '--format', '{{.Architecture}}', 'multi-arch:amd'])).stdout.trim(), 'amd64', 'under --tag too');

  // An index of arm64 images only: dockerd (amd64) has no image in it.
  const armOnly = await nixBuild(`longshore.buildImageIndex { name = "arm-only"; tag = "v1"; images = [ (builtins.elemAt ${EXAMPLE}.images 1) ]; }`);
  const refused = await longshore(['copy', armOnly, 'docker-daemon:arm-only:v1'], dockerd.env);
  assert.equal(refused.exitCode, 1);
  assert.match(refused.all!, /\(an image index\) has no image for linux\/amd64; it has linux\/arm64/);
  assert.match(refused.all!, /hint: choose one of its platforms with --platform/);

  const arm = await longshore(['copy', index, 'docker-daemon:multi-arch:arm', '--platform', 'linux/arm64', '--json'], dockerd.env);
  assert.equal(arm.exitCode, 0, arm.all);
  assert.equal((await dockerd.docker(['image', 'inspect', '--format', '{{.Architecture}}', 'multi-arch:arm'])).stdout.trim(), 'arm64');
});

test('the arm64 image runs under qemu-user, where this machine can register a binfmt_misc handler', async (t) => {
  if (!qemu.ok) return t.skip(`qemu-user not usable here: ${qemu.reason}`);
  const arm = await longshore(['copy', index, 'docker-daemon:multi-arch:qemu', '--platform', 'linux/arm64'], dockerd.env);
  assert.equal(arm.exitCode, 0, arm.all);
  const run = await dockerd.docker(['run', '--rm', '--network=none', 'multi-arch:qemu']);
  assert.equal(run.exitCode, 0, run.all);
  assert.equal(run.stdout.trim(), 'aarch64');
});

test('podman: the image for its platform (podman info), under --tag too', async () => {
  const copy = await nixBuild(EXAMPLE, { attr: 'copyToPodman' });
  const r = await execa(join(copy, 'bin/copy-to-podman'), ['--json', '--tag', 'extra'], { reject: false, all: true, env: podman.env });
  assert.equal(r.exitCode, 0, r.all);
  const json = JSON.parse(r.stdout) as { reference: string; platform: string };
  assert.equal(json.platform, 'linux/amd64');
  const run = await podman.run(json.reference);
  assert.equal(run.exitCode, 0, run.all);
  assert.equal(run.stdout.trim(), 'x86_64');
  assert.equal((await podman.podman(['image', 'inspect', '--format', '{{.Architecture}}', 'multi-arch:extra'])).stdout.trim(), 'amd64');
  // Through Podman's API socket: its platform from /libpod/info.
  const host = await podman.startService();
  try {
    const api = await longshore(['copy', index, 'podman:multi-arch:api', '--json'], { ...podman.env, CONTAINER_HOST: host });
    assert.equal(api.exitCode, 0, api.all);
    assert.equal((JSON.parse(api.stdout) as { platform: string }).platform, 'linux/amd64');
  } finally {
    await podman.stopService();
  }
});

test("docker-daemon on dockerd 26 with the containerd image store: the daemon's platform, under --tag too", async () => {
  const d26 = await startDockerd({ flavour: 'containerd' });
  try {
    const r = await longshore(['copy', index, 'docker-daemon:multi-arch:v1', '--tag', 'v2', '--json'], d26.env);
    assert.equal(r.exitCode, 0, r.all);
    assert.equal((JSON.parse(r.stdout) as { platform: string }).platform, 'linux/amd64');
    for (const tag of ['v1', 'v2']) {
      const run = await d26.docker(['run', '--rm', '--network=none', `multi-arch:${tag}`]);
      assert.equal(run.exitCode, 0, run.all);
      assert.equal(run.stdout.trim(), 'x86_64');
    }
  } finally {
    await d26.stop();
  }
});

test('oci: and oci-archive: hold the whole index, under --tag too; docker-archive: one image, with every tag', async () => {
  const dir = tmp('longshore-layout-');
  const r = await longshore(['copy', index, `oci:${dir}:v1`, '--tag', 'v2']);
  assert.equal(r.exitCode, 0, r.all);
  for (const tag of ['v1', 'v2']) assert.deepEqual(platforms(await raw(`oci:${dir}:${tag}`)), ['linux/amd64', 'linux/arm64']);
  const out = tmp('longshore-oci-');
  await execa('skopeo', ['copy', '-q', '--override-arch', 'arm64', `oci:${dir}:v2`, `oci:${out}:x`]);
  assert.equal((await config(`oci:${out}:x`)).architecture, 'arm64');
  const archive = join(tmp('longshore-archive-'), 'multi.tar');
  assert.equal((await longshore(['copy', index, `oci-archive:${archive}:v1`])).exitCode, 0);
  assert.deepEqual(platforms(await raw(`oci-archive:${archive}:v1`)), ['linux/amd64', 'linux/arm64']);

  const docker = join(tmp('longshore-archive-'), 'multi-docker.tar');
  const d = await longshore(['copy', index, `docker-archive:${docker}:multi:v1`, '--tag', 'v2', '--platform', 'linux/arm64']);
  assert.equal(d.exitCode, 0, d.all);
  const manifest = JSON.parse((await execa('tar', ['-xOf', docker, 'manifest.json'])).stdout) as { RepoTags: string[] }[];
  assert.deepEqual(manifest[0].RepoTags, ['multi:v1', 'multi:v2']);
  const load = await dockerd.docker(['load', '-i', docker]);
  assert.equal(load.exitCode, 0, load.all);
  assert.equal((await dockerd.docker(['image', 'inspect', '--format', '{{.Architecture}}', 'multi:v2'])).stdout.trim(), 'arm64');
});

test('dir: and containers-storage: take one image of an index: --platform\'s, else this machine\'s; containers-storage: under --tag too', async () => {
  const dir = join(tmp('longshore-dir-'), 'arm');
  const d = await longshore(['copy', index, `dir:${dir}`, '--platform', 'linux/arm64', '--json']);
  assert.equal(d.exitCode, 0, d.all);
  assert.equal((JSON.parse(d.stdout) as { platform: string }).platform, 'linux/arm64');
  assert.equal((await config(`dir:${dir}`)).architecture, 'arm64');
  const tagged = await longshore(['copy', index, `dir:${join(tmp('longshore-dir-'), 'x')}`, '--tag', 'v2']);
  assert.equal(tagged.exitCode, 1, tagged.all);
  assert.match(tagged.stderr, /dir:.*--tag does not apply/);

  // Never through a service: containers-storage: is the store itself.
  const env = { ...podman.env, CONTAINER_HOST: 'unix:///nonexistent/podman.sock' };
  const cs = await longshore(['copy', index, 'containers-storage:multi-cs:v1', '--tag', 'v2', '--json'], env);
  assert.equal(cs.exitCode, 0, cs.all);
  const json = JSON.parse(cs.stdout) as { platform: string; references: string[] };
  assert.equal(json.platform, 'linux/amd64');
  assert.deepEqual(json.references, ['docker.io/library/multi-cs:v1', 'docker.io/library/multi-cs:v2']);
  for (const tag of ['v1', 'v2'])
    assert.equal((await podman.podman(['image', 'inspect', '--format', '{{.Architecture}}', `docker.io/library/multi-cs:${tag}`])).stdout.trim(), 'amd64');
  // Without NAME: the index's name and tag (the hash part of the index JSON's path), not the image's own.
  const own = await longshore(['copy', index, 'containers-storage:', '--platform', 'linux/arm64', '--json'], env);
  assert.equal(own.exitCode, 0, own.all);
  assert.equal((JSON.parse(own.stdout) as { reference: string }).reference, `docker.io/library/multi-arch:${basename(index).slice(0, 32)}`);
});

test('index create joins images pushed separately, each from its own repository, into one index', async () => {
  // Each image pushed on its own, as two builders would.
  for (const [i, arch] of [[0, 'amd64'], [1, 'arm64']] as const) {
    const p = await longshore(['copy', images[i], `docker://${reg.host}/builds/${arch}:1.0`, ...tlsOff]);
    assert.equal(p.exitCode, 0, p.all);
  }
  const r = await longshore(['index', 'create', `docker://${reg.host}/joined:1.0`, `docker://${reg.host}/builds/amd64:1.0`, `docker://${reg.host}/builds/arm64:1.0`, '--annotation', `org.opencontainers.image.revision=${REVISION}`, '--tag', 'latest', ...tlsOff, '--json']);
  assert.equal(r.exitCode, 0, r.all);
  const json = JSON.parse(r.stdout) as { manifestDigest: string; images: { platform: string; blobsMounted: number }[] };
  assert.deepEqual(json.images.map((i) => i.platform), ['linux/amd64', 'linux/arm64']);
  assert.ok(json.images.every((i) => i.blobsMounted > 0), r.stdout);
  const ix = await raw(`docker://${reg.host}/joined:1.0`);
  assert.deepEqual(platforms(ix), ['linux/amd64', 'linux/arm64']);
  assert.equal(ix.annotations['org.opencontainers.image.revision'], REVISION);
  assert.equal(await skopeoDigest(`${reg.host}/joined:latest`), json.manifestDigest);
  // Every blob is in the index's repository: skopeo copies the arm64 image out of it.
  const oci = tmp('longshore-oci-');
  await execa('skopeo', ['copy', '-q', '--src-tls-verify=false', '--override-arch', 'arm64', `docker://${reg.host}/joined:1.0`, `oci:${oci}:arm`]);
  assert.equal((await config(`oci:${oci}:arm`)).architecture, 'arm64');

  const twice = await longshore(['index', 'create', `docker://${reg.host}/joined:2`, `docker://${reg.host}/builds/amd64:1.0`, `docker://${reg.host}/joined:1.0`, ...tlsOff]);
  assert.equal(twice.exitCode, 1);
  assert.match(twice.all!, /builds\/amd64:1\.0 \(sha256:[0-9a-f]+\) and docker:\/\/.*joined:1\.0 \(sha256:[0-9a-f]+\) are both for linux\/amd64/);
});

test('annotations: buildImage\'s and copy --annotation\'s go into the manifest, not the config; an image under several tags', async () => {
  const r = await longshore(['copy', images[0], `docker://${reg.host}/annotated:v1`, ...tlsOff, '--annotation', 'org.example.extra=1', '--annotation', `org.opencontainers.image.source=https://example.invalid/other`, '--tag', 'v1.0', '--tag', 'latest', '--json']);
  assert.equal(r.exitCode, 0, r.all);
  const json = JSON.parse(r.stdout) as { manifestDigest: string; references: string[] };
  assert.equal(json.references.length, 3);
  const tags = JSON.parse((await execa('skopeo', ['list-tags', ...tlsOff, `docker://${reg.host}/annotated`])).stdout) as { Tags: string[] };
  assert.deepEqual(tags.Tags.filter((t) => !t.startsWith('longshore-')).sort(), ['latest', 'v1', 'v1.0']);
  for (const t of ['v1', 'v1.0', 'latest']) assert.equal(await skopeoDigest(`${reg.host}/annotated:${t}`), json.manifestDigest);
  const m = await raw(`docker://${reg.host}/annotated:v1`);
  assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(m.annotations, { 'org.opencontainers.image.revision': REVISION, 'org.opencontainers.image.source': 'https://example.invalid/other', 'org.example.extra': '1' });
  assert.equal((await config(`docker://${reg.host}/annotated:v1`)).config.Labels, undefined);
});
