// `longshore lock`: choosing a platform from an index, and checking a lock file's consistency.
// (The first choosePlatform test moved here from test/e2e/base-image.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkLock, choosePlatform, configDescriptor, imageParts, LOCK_KIND, LOCK_VERSION, manifestMediaType, type ImageLock } from '../../src/commands/lock.js';
import { UserError } from '../../src/util/errors.js';

const sha = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');
const entry = (digest: string, platform?: Record<string, string>) => ({ digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1, ...(platform ? { platform } : {}) });

describe('choosePlatform', () => {
  test('arm64 without a variant matches v8', () => {
    const idx = { manifests: [{ digest: 'd1', mediaType: 'm', platform: { os: 'linux', architecture: 'arm64' } }] };
    assert.equal(choosePlatform(idx, { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'x').digest, 'd1');
    assert.throws(() => choosePlatform(idx, { os: 'linux', architecture: 'arm', variant: 'v7' }, 'x'), /no manifest for linux\/arm\/v7/);
  });

  const index = {
    manifests: [
      entry('d-amd64', { os: 'linux', architecture: 'amd64' }),
      entry('d-armv6', { os: 'linux', architecture: 'arm', variant: 'v6' }),
      entry('d-armv7', { os: 'linux', architecture: 'arm', variant: 'v7' }),
      entry('d-arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      entry('d-win', { os: 'windows', architecture: 'amd64' }),
      entry('d-attestation'),
    ],
  };

  test('os, architecture and variant must all match; the chosen platform is reported', () => {
    assert.deepEqual(choosePlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }, 'x'), {
      digest: 'd-armv7',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    });
    assert.equal(choosePlatform(index, { os: 'windows', architecture: 'amd64' }, 'x').digest, 'd-win');
    // An arm64 entry that says v8 matches a request without a variant.
    assert.equal(choosePlatform(index, { os: 'linux', architecture: 'arm64' }, 'x').platform.variant, 'v8');
  });

  test('without a variant asked for, the first listed entry wins', () => {
    assert.equal(choosePlatform(index, { os: 'linux', architecture: 'arm' }, 'x').digest, 'd-armv6');
  });

  test('no match: the message lists what the index has, with a hint', () => {
    assert.throws(
      () => choosePlatform(index, { os: 'linux', architecture: 's390x' }, 'docker.io/library/alpine:3'),
      (e: unknown) =>
        e instanceof UserError &&
        e.message === 'docker.io/library/alpine:3 has no manifest for linux/s390x; it has linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64/v8, windows/amd64, (no platform)' &&
        e.hint === 'choose one with --os, --arch and --variant',
    );
    assert.throws(() => choosePlatform({}, { os: 'linux', architecture: 'amd64' }, 'x'), /^.*has no manifest for linux\/amd64; it has no manifests$/);
  });

  test('a matching entry without digest or mediaType is refused', () => {
    const bad = { manifests: [{ platform: { os: 'linux', architecture: 'amd64' }, mediaType: 'm' }] };
    assert.throws(() => choosePlatform(bad, { os: 'linux', architecture: 'amd64' }, 'ref'), /UserError: ref: an index entry without digest or mediaType$/);
  });
});

describe('checkLock', () => {
  const L1 = `sha256:${'1'.repeat(64)}`;
  const L2 = `sha256:${'2'.repeat(64)}`;
  const D1 = `sha256:${'a'.repeat(64)}`;
  const D2 = `sha256:${'b'.repeat(64)}`;
  const GZ = 'application/vnd.oci.image.layer.v1.tar+gzip';

  function makeLock(): ImageLock {
    const configRaw = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [D1, D2] } });
    const manifestRaw = JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(configRaw), size: configRaw.length },
      layers: [{ mediaType: GZ, digest: L1, size: 100 }, { mediaType: GZ, digest: L2, size: 200 }],
    });
    return {
      version: LOCK_VERSION,
      kind: LOCK_KIND,
      reference: 'reg.example/base:1',
      registry: 'reg.example',
      repository: 'base',
      tag: '1',
      platform: { os: 'linux', architecture: 'amd64' },
      manifest: { digest: sha(manifestRaw), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: manifestRaw.length, raw: manifestRaw },
      config: { digest: sha(configRaw), mediaType: 'application/vnd.oci.image.config.v1+json', size: configRaw.length, raw: configRaw },
      layers: [
        { digest: L1, size: 100, mediaType: GZ, diffID: D1 },
        { digest: L2, size: 200, mediaType: GZ, diffID: D2 },
      ],
    };
  }
  const fails = (lock: unknown, re: RegExp) => assert.throws(() => checkLock(lock, 'base.lock.json'), (e: unknown) => e instanceof UserError && re.test(e.message));

  test('a consistent lock is returned as is', () => {
    const l = makeLock();
    assert.equal(checkLock(l, 'base.lock.json'), l);
  });

  test('not a lock, or another version', () => {
    fails(null, /^base\.lock\.json: not a longshore lock file/);
    fails({ ...makeLock(), kind: 'something-else' }, /not a longshore lock file/);
    fails({ ...makeLock(), version: 2 }, /^base\.lock\.json: lock format version 2 is not supported; re-run longshore lock$/);
  });

  test('raw documents must match their digests', () => {
    const l = makeLock();
    l.manifest.raw = l.manifest.raw.replace('"size":100', '"size":101');
    fails(l, /^base\.lock\.json: the manifest text has digest sha256:[0-9a-f]{64}, but the lock says sha256:[0-9a-f]{64}; the lock was edited/);
    const c = makeLock();
    c.config.raw += ' ';
    fails(c, /the config text has digest/);
    const m = makeLock();
    delete (m.manifest as Partial<ImageLock['manifest']>).raw;
    fails(m, /"manifest\.raw" is missing/);
  });

  test('the layer summary must match the manifest and the config', () => {
    const size = makeLock();
    size.layers[1].size = 201;
    fails(size, /^base\.lock\.json: layers\[1\] \(sha256:2{64}\) does not match the manifest's sha256:2{64}/);
    const diff = makeLock();
    diff.layers[0].diffID = D2;
    fails(diff, /layers\[0\] .* does not match/);
    const type = makeLock();
    type.layers[0].mediaType = 'application/vnd.oci.image.layer.v1.tar';
    fails(type, /layers\[0\] .* does not match/);
    const fewer = makeLock();
    fewer.layers.pop();
    fails(fewer, /the layer list does not match the manifest \(2 layers\) and config \(2 diff_ids\)/);
  });

  test("the lock's config digest must be the manifest's", () => {
    const l = makeLock();
    const otherConfig = JSON.stringify({ rootfs: { diff_ids: [D1, D2] } });
    l.config = { ...l.config, raw: otherConfig, digest: sha(otherConfig) };
    fails(l, /^base\.lock\.json: the manifest's config is sha256:[0-9a-f]{64}, but the lock's config is sha256:[0-9a-f]{64}$/);
  });
});

describe('imageParts and manifestMediaType (nix2container\'s raw manifests, pullImage directories)', () => {
  const config = JSON.stringify({ os: 'linux', architecture: 'arm64', variant: 'v8', rootfs: { type: 'layers', diff_ids: [sha('tar')] } });
  const layer = { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha('gz'), size: 2 };
  const manifest = (cfg = config, layers: unknown[] = [layer], mediaType: string | null = 'application/vnd.docker.distribution.manifest.v2+json') =>
    JSON.stringify({ schemaVersion: 2, ...(mediaType ? { mediaType } : {}), config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(cfg), size: cfg.length }, layers });
  const top = (text: string) => ({ bytes: Buffer.from(text), mediaType: manifestMediaType(JSON.parse(text))!, digest: sha(text) });

  test('the manifest, config and layers as a lock holds them, and the config\'s platform', () => {
    const m = manifest();
    const parts = imageParts('x', top(m), Buffer.from(config));
    assert.deepEqual(parts.configPlatform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(parts.layers, [{ digest: layer.digest, size: 2, mediaType: layer.mediaType, diffID: sha('tar') }]);
    assert.equal(parts.manifest.raw, m);
    assert.equal(parts.config.digest, sha(config));
  });

  test('an OCI manifest or index may leave out its media type', () => {
    assert.equal(manifestMediaType(JSON.parse(manifest(config, [layer], null))), 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(manifestMediaType({ schemaVersion: 2, manifests: [] }), 'application/vnd.oci.image.index.v1+json');
    assert.equal(manifestMediaType({ schemaVersion: 1, fsLayers: [] }), undefined);
  });

  test('refused: another config than the manifest names, a layer count off, an index, schema 1', () => {
    assert.throws(() => imageParts('x', top(manifest()), Buffer.from(config + ' ')), /^UserError: x: the config has digest sha256:[0-9a-f]{64}, but the manifest names sha256:/);
    assert.throws(() => imageParts('x', top(manifest(config, [layer, layer])), Buffer.from(config)), /the manifest lists 2 layers but the config has 1 diff_ids/);
    const index = JSON.stringify({ schemaVersion: 2, manifests: [] });
    assert.throws(() => configDescriptor('x', manifestMediaType(JSON.parse(index))!, Buffer.from(index)), /x: unsupported manifest type application\/vnd\.oci\.image\.index\.v1\+json/);
    assert.throws(() => configDescriptor('x', 'application/vnd.docker.distribution.manifest.v1+prettyjws', Buffer.from('{}')), (e: unknown) => e instanceof UserError && /schema 1/.test(e.hint ?? ''));
  });
});
