// The image model's history: a base image's history whole, then one entry per own layer. (Moved
// here from test/e2e/base-image.test.ts, with the cases without a base added.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageHistory } from '../../src/image/model.js';
import type { ImageFile, LayerRecord } from '../../src/image/schema.js';

const layer = (d: string, history: LayerRecord['history'] = { created_by: d }): LayerRecord => ({
  digest: d, diffID: d, size: 1, mediaType: 'x', paths: [], copyToRoot: [], perms: [], entries: [], history,
});
const image = (layers: LayerRecord[], baseHistory?: ImageFile['baseHistory']): ImageFile => ({
  version: 1, arch: 'amd64', os: 'linux', created: 'T', config: {}, layers, ...(baseHistory ? { baseHistory } : {}),
});

test('history: the base history whole, then one entry per own layer', () => {
  const h = imageHistory(image([layer('b1'), layer('b2'), layer('own')], [{ created_by: 'B1' }, { created_by: 'env', empty_layer: true }, { created_by: 'B2' }, { created_by: 'cmd', empty_layer: true }]));
  assert.deepEqual(h.map((x) => x.created_by), ['B1', 'env', 'B2', 'cmd', 'own']);
});

test("history without a base: one entry per layer, dated with the image's created unless the layer says otherwise", () => {
  assert.deepEqual(imageHistory(image([layer('l1'), layer('l2', { created_by: 'l2', created: 'earlier' })])), [
    { created: 'T', created_by: 'l1' },
    { created: 'earlier', created_by: 'l2' },
  ]);
});

test('a base history describing more layers than the image has is not used', () => {
  const h = imageHistory(image([layer('only')], [{ created_by: 'B1' }, { created_by: 'B2' }]));
  assert.deepEqual(h, [{ created: 'T', created_by: 'only' }]);
});
