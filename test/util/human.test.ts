// Human-readable sizes, short digests, tables and edit distances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, humanBytes, shortDigest, table } from '../../src/util/human.js';

test('humanBytes: bytes as is, then binary units with one decimal below 100', () => {
  assert.equal(humanBytes(0), '0 B');
  assert.equal(humanBytes(1023), '1023 B');
  assert.equal(humanBytes(1024), '1.0 KiB');
  assert.equal(humanBytes(1536), '1.5 KiB');
  assert.equal(humanBytes(99.94 * 1024 * 1024), '99.9 MiB');
  assert.equal(humanBytes(417 * 1024 * 1024), '417 MiB');
  assert.equal(humanBytes(2 * 1024 ** 3), '2.0 GiB');
  assert.equal(humanBytes(5 * 1024 ** 5), '5120 TiB');
});

test('shortDigest: 12 hex digits without the algorithm', () => {
  assert.equal(shortDigest(`sha256:${'0123456789abcdef'.repeat(4)}`), '0123456789ab');
  assert.equal(shortDigest('abcdef'), 'abcdef');
});

test('table: columns padded to their widest cell, the last column not padded', () => {
  assert.equal(table([['a', 'bb', 'c'], ['ddd', 'e', 'ffff']]), 'a    bb  c\nddd  e   ffff');
  assert.equal(table([]), '');
});

test('editDistance (Levenshtein)', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('env', ''), 3);
  assert.equal(editDistance('', 'cmd'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('entrypiont', 'entrypoint'), 2);
  assert.equal(editDistance('workdir', 'workingdir'), 3);
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('ab', 'ba'), 2);
});
