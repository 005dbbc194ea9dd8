// Compressed blobs known to hold a layer: read from an image (config diff_ids paired with manifest
// layers) or a record; found again by diffID and encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KnownBlobs, pairsFromImage } from '../../src/image/known-blobs.js';

const d = (c: string) => 'sha256:' + c.repeat(64);
const manifest = {
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('a'), size: 10, annotations: { 'org.longshore.layer.compressor': 'gz-x' } },
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('b'), size: 20 },
  ],
};
const config = { rootfs: { type: 'layers', diff_ids: [d('1'), d('2')] } };

test('pairsFromImage: layers[i] holds diff_ids[i], with its compressor when recorded', () => {
  assert.deepEqual(pairsFromImage(manifest, config), [
    { diffID: d('1'), digest: d('a'), size: 10, mediaType: manifest.layers[0].mediaType, compressor: 'gz-x' },
    { diffID: d('2'), digest: d('b'), size: 20, mediaType: manifest.layers[1].mediaType },
  ]);
});

test('pairsFromImage: nothing from documents that do not fit each other', () => {
  assert.deepEqual(pairsFromImage(manifest, { rootfs: { diff_ids: [d('1')] } }), []);
  assert.deepEqual(pairsFromImage({ layers: 'x' }, config), []);
  assert.deepEqual(pairsFromImage(undefined, config), []);
});

test('candidates: by diffID and encoding (OCI and Docker gzip alike), in the order added, once each', () => {
  const k = new KnownBlobs();
  k.add(pairsFromImage(manifest, config));
  k.add([{ diffID: d('1'), digest: d('c'), size: 9, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
  k.add([{ diffID: d('1'), digest: d('a'), size: 10, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
  k.add([{ diffID: d('1'), digest: d('z'), size: 8, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }]);
  // The layer as stored (digest = diffID) is found by its own digest; it is not a candidate.
  k.add([{ diffID: d('2'), digest: d('2'), size: 30, mediaType: 'application/vnd.oci.image.layer.v1.tar' }]);
  assert.deepEqual(k.candidates(d('1'), 'application/vnd.oci.image.layer.v1.tar+gzip').map((c) => c.digest), [d('a'), d('c')]);
  assert.deepEqual(k.candidates(d('1'), 'application/vnd.oci.image.layer.v1.tar+zstd').map((c) => c.digest), [d('z')]);
  assert.deepEqual(k.candidates(d('2'), 'application/vnd.oci.image.layer.v1.tar+gzip').map((c) => c.digest), [d('b')]);
  assert.deepEqual(k.candidates(d('2'), 'application/vnd.oci.image.layer.v1.tar'), []);
});
