// Which encoding a copy gives the image's own layers: --compression, else the image's default where
// the destination follows it, else the destination's default; levels within each compressor's range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEncoding } from '../../src/copy/copy.js';
import type { Capabilities } from '../../src/copy/types.js';

const registry: Capabilities = { reuse: 'probe', serial: false, putAction: 'uploaded', configBeside: true, compressions: ['gzip', 'zstd', 'none'], defaultCompression: 'gzip', followsImageCompression: true, needsSizeFirst: false, index: 'all' };
const daemon: Capabilities = { ...registry, reuse: 'inventory', serial: true, compressions: ['none', 'gzip'], defaultCompression: 'none', followsImageCompression: false, needsSizeFirst: true };
const dockerArchive: Capabilities = { ...daemon, followsImageCompression: true };

test('the destination default, with the compressor default level', () => {
  assert.deepEqual(chooseEncoding(registry, 'docker://x', {}, {}), { compression: 'gzip', level: 4 });
  assert.deepEqual(chooseEncoding(daemon, 'docker-daemon:x', {}, {}), { compression: 'none' });
});

test("the image's default where the destination follows it and can hold it", () => {
  const image = { compression: { type: 'zstd' as const, level: 7 } };
  assert.deepEqual(chooseEncoding(registry, 'docker://x', {}, image), { compression: 'zstd', level: 7 });
  assert.deepEqual(chooseEncoding(daemon, 'docker-daemon:x', {}, image), { compression: 'none' }, 'daemons unpack anyway');
  assert.deepEqual(chooseEncoding(dockerArchive, 'docker-archive:f', {}, image), { compression: 'none' }, 'docker-archive cannot hold zstd');
});

test('--compression wins, and what the destination cannot hold is a usage error naming it', () => {
  const image = { compression: { type: 'zstd' as const } };
  assert.deepEqual(chooseEncoding(registry, 'docker://x', { compression: 'none' }, image), { compression: 'none' });
  assert.throws(() => chooseEncoding(dockerArchive, 'docker-archive:f', { compression: 'zstd' }, {}), { code: 'USAGE', message: 'docker-archive:f cannot hold zstd layers; it takes none, gzip' });
});

test('levels: within range, and only with a compression', () => {
  assert.deepEqual(chooseEncoding(registry, 'docker://x', { compressionLevel: 9 }, {}), { compression: 'gzip', level: 9 });
  assert.throws(() => chooseEncoding(registry, 'docker://x', { compressionLevel: 10 }, {}), { code: 'USAGE', message: 'gzip levels run from 1 to 9, not 10' });
  assert.throws(() => chooseEncoding(registry, 'docker://x', { compression: 'zstd', compressionLevel: 20 }, {}), /zstd levels run from 1 to 19/);
  assert.throws(() => chooseEncoding(daemon, 'docker-daemon:x', { compressionLevel: 3 }, {}), /--compression-level needs --compression gzip or zstd/);
});
