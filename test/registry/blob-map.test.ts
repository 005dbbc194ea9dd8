// The record of compressed layers: this push's entries first, one per (diffID, digest), bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ENTRIES, mergeBlobMap } from '../../src/registry/blob-map.js';

const e = (i: number, j = i) => ({ diffID: `sha256:${String(i).padStart(64, '0')}`, digest: `sha256:${String(j).padStart(64, 'f')}`, size: i, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' });

test('pushed first, then what was read, without repeats', () => {
  const merged = mergeBlobMap([e(2), e(3)], [e(1), e(2), e(4)]);
  assert.deepEqual(merged.map((x) => x.size), [2, 3, 1, 4]);
});

test('the same layer under two compressed blobs keeps both', () => {
  assert.equal(mergeBlobMap([e(1, 1)], [e(1, 2)]).length, 2);
});

test(`at most ${MAX_ENTRIES} entries: the oldest read ones go`, () => {
  const read = Array.from({ length: MAX_ENTRIES }, (_, i) => e(i + 10));
  const merged = mergeBlobMap([e(1)], read);
  assert.equal(merged.length, MAX_ENTRIES);
  assert.equal(merged[0].size, 1);
  assert.equal(merged.at(-1)!.size, MAX_ENTRIES + 8);
});
