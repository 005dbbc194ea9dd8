// Block-parallel compression: any reader decodes it, and the bytes depend only on the input and
// the parameters, not on how the input arrived or how many blocks ran at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync, zstdDecompressSync } from 'node:zlib';
import { encodeStream } from '../../src/compress/blocks.js';
import { BLOCK_SIZE } from '../../src/compress/encoding.js';

async function encode(input: Buffer, compression: 'gzip' | 'zstd', level: number, piece: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += piece) parts.push(input.subarray(i, i + piece));
  const out: Buffer[] = [];
  for await (const c of encodeStream(Readable.from(parts), { compression, level })) out.push(c as Buffer);
  return Buffer.concat(out);
}

/** Compressible, with repeats further apart than one block: text-like runs and random stretches. */
function sample(size: number): Buffer {
  const b = Buffer.alloc(size);
  const words = Buffer.from('layer tar gzip zstd nix store path /nix/store/0123456789abcdef-hello ');
  for (let i = 0; i < size; i++) b[i] = words[(i * 7 + (i >> 12)) % words.length];
  randomBytes(64 * 1024).copy(b, Math.floor(size / 3));
  return b;
}

for (const compression of ['gzip', 'zstd'] as const) {
  describe(compression, () => {
    const decode = (b: Buffer) => (compression === 'gzip' ? gunzipSync(b) : zstdDecompressSync(b));
    const size = BLOCK_SIZE[compression] * 2 + 12345;
    const input = sample(size);

    test('decodes to the input, over several blocks (the gzip trailer: CRC-32 and length checked by zlib)', async () => {
      const out = await encode(input, compression, 3, 65536);
      assert.ok(decode(out).equals(input));
      assert.ok(out.length < input.length / 4, `${out.length} bytes`);
    });

    test('the same bytes however the input is cut into chunks', async () => {
      const a = await encode(input, compression, 3, 65536);
      for (const piece of [1000003, BLOCK_SIZE[compression], size]) assert.ok(a.equals(await encode(input, compression, 3, piece)), `chunks of ${piece}`);
    });

    test('another level gives other bytes, which decode the same', async () => {
      const a = await encode(input, compression, 1, 1 << 20);
      const b = await encode(input, compression, 5, 1 << 20);
      assert.ok(!a.equals(b));
      assert.ok(decode(b).equals(input));
    });

    test('an input that fails fails the output', async () => {
      async function* broken() {
        yield Buffer.alloc(1000);
        throw new Error('the layer did not verify');
      }
      const out: Buffer[] = [];
      await assert.rejects(
        (async () => {
          for await (const c of encodeStream(Readable.from(broken()), { compression, level: 3 })) out.push(c as Buffer);
        })(),
        /the layer did not verify/,
      );
    });
  });
}

test('gzip: primed blocks compress like one stream', async () => {
  const input = sample(BLOCK_SIZE.gzip * 3);
  const blocks = await encode(input, 'gzip', 6, 1 << 20);
  const one = gzipSync(input, { level: 6 });
  assert.ok(blocks.length <= one.length * 1.01, `${blocks.length} against ${one.length}`);
});

test('gzip: an empty input is a valid, empty gzip member', async () => {
  const out = await encode(Buffer.alloc(0), 'gzip', 4, 1);
  assert.equal(gunzipSync(out).length, 0);
});

test('gzip: a block of random bytes is stored, not searched; the output still decodes', async () => {
  const { sampleEntropy } = await import('../../src/compress/blocks.js');
  const random = randomBytes(BLOCK_SIZE.gzip * 2);
  assert.ok(sampleEntropy(random) > 7.95);
  assert.ok(sampleEntropy(sample(BLOCK_SIZE.gzip)) < 7);
  const out = await encode(random, 'gzip', 4, 1 << 20);
  assert.ok(gunzipSync(out).equals(random));
  // Stored: the input plus a few bytes per 64 KiB stored block, and the gzip framing.
  assert.ok(out.length < random.length * 1.001 + 64, `${out.length} for ${random.length}`);
});
