// Deterministic block-parallel compression. The input is cut into blocks at fixed offsets
// (BLOCK_SIZE), each compressed on libuv's thread pool, several at a time, and written out in
// order, so that one large layer uses every core and the same input gives the same bytes however
// it arrived in chunks.
//
// gzip follows pigz: one gzip member whose deflate stream is the blocks' raw deflate streams, each
// primed with the 32 KiB of input before it (so the ratio stays that of one stream) and ended with
// a sync flush (so they join on byte boundaries), then an empty final block, the CRC-32 and the
// length (RFC 1952). zstd: one frame per block, with its content size (RFC 8878 allows several
// frames in a row). Both decode with any gzip / zstd reader.
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { constants, crc32, deflateRaw, zstdCompress } from 'node:zlib';
import { promisify } from 'node:util';
import type { Compression } from '../image/media-types.js';
import { BLOCK_SIZE, GZIP_MEM_LEVEL, INCOMPRESSIBLE_BITS, ZSTD_WINDOW_LOG } from './encoding.js';

const deflateRawAsync = promisify(deflateRaw);
const zstdCompressAsync = promisify(zstdCompress);

/** ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown): the same on every machine. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** A final, empty, fixed-Huffman deflate block: ends the stream after the last sync flush. */
const DEFLATE_END = Buffer.from([0x03, 0x00]);
const WINDOW = 32 * 1024;

export interface EncodeOptions {
  compression: Exclude<Compression, 'none'>;
  level: number;
}

/**
 * Blocks compressed at once in this process, one per core, whatever the number of layers in
 * flight: a block is read from its layer only once it has a slot, so memory stays a few blocks.
 */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

// One more than the cores: a block is read and started while the others compress.
const slots = new Slots(availableParallelism() + 1);

/** Cuts a stream into blocks of exactly `size` bytes (the last one shorter). */
async function* fixedBlocks(src: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of src) {
    let c = chunk;
    // The tar writer's own blocks, when they fit, go as they are (it never reuses a block it gave).
    while (have === 0 && c.length >= size) {
      yield c.length === size ? c : c.subarray(0, size);
      c = c.subarray(size);
    }
    while (have + c.length >= size) {
      const take = size - have;
      parts.push(c.subarray(0, take));
      yield parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts, size);
      c = c.subarray(take);
      parts = [];
      have = 0;
    }
    if (c.length) {
      parts.push(Buffer.from(c));
      have += c.length;
    }
  }
  if (have) yield Buffer.concat(parts, have);
}

/** The compressed bytes of `src`, in order; fails when `src` fails (e.g. a layer that does not verify). */
export function encodeStream(src: Readable, o: EncodeOptions): Readable {
  return Readable.from(encodeBlocks(src, o), { objectMode: false, highWaterMark: 1 << 20 });
}

interface Job {
  out: Promise<Buffer>;
  done: boolean;
}

/** Compressed blocks a layer may hold back while an earlier one is still being compressed. */
const AHEAD = availableParallelism() + 1;

/**
 * Bits per byte of a sample of `block` (16 spans of 4 KiB, spread over it): above
 * INCOMPRESSIBLE_BITS, deflate finds nothing to gain (data compressed or encrypted already), and
 * the block is stored rather than searched for matches at a cost of seconds per hundred megabytes.
 * Depends only on the block's bytes, so the output stays deterministic.
 */
export function sampleEntropy(block: Buffer): number {
  const counts = new Uint32Array(256);
  const span = 4096;
  const spans = Math.min(16, Math.ceil(block.length / span));
  const stride = spans > 1 ? Math.floor((block.length - span) / (spans - 1)) : 0;
  let n = 0;
  for (let s = 0; s < spans; s++) {
    const start = s * stride;
    const end = Math.min(block.length, start + span);
    for (let i = start; i < end; i++) counts[block[i]]++;
    n += end - start;
  }
  let bits = 0;
  for (const c of counts) if (c) bits -= (c / n) * Math.log2(c / n);
  return bits;
}

/** A small output keeps only its own bytes alive, not the whole output buffer it was made in. */
const compact = (out: Buffer): Buffer => (out.length < out.buffer.byteLength / 2 ? Buffer.from(out) : out);

function compressBlock(block: Buffer, o: EncodeOptions, dictionary: Buffer | undefined): Promise<Buffer> {
  return compressInto(block, o, dictionary).then(compact);
}

function compressInto(block: Buffer, o: EncodeOptions, dictionary: Buffer | undefined): Promise<Buffer> {
  if (o.compression === 'gzip')
    return deflateRawAsync(block, {
      level: sampleEntropy(block) > INCOMPRESSIBLE_BITS ? constants.Z_NO_COMPRESSION : o.level,
      windowBits: 15,
      memLevel: GZIP_MEM_LEVEL,
      strategy: constants.Z_DEFAULT_STRATEGY,
      finishFlush: constants.Z_SYNC_FLUSH,
      // Room for the whole output (deflate's worst case is the input plus 5 bytes per 16 KiB):
      // one round trip to the thread pool per block, and no pieces to join.
      chunkSize: block.length + (64 << 10),
      ...(dictionary ? { dictionary } : {}),
    });
  return zstdCompressAsync(block, {
    pledgedSrcSize: block.length,
    chunkSize: block.length + (64 << 10),
    params: {
      [constants.ZSTD_c_compressionLevel]: o.level,
      [constants.ZSTD_c_enableLongDistanceMatching]: 1,
      [constants.ZSTD_c_windowLog]: ZSTD_WINDOW_LOG,
      [constants.ZSTD_c_checksumFlag]: 1,
      [constants.ZSTD_c_contentSizeFlag]: 1,
    },
  });
}

async function* encodeBlocks(src: AsyncIterable<Buffer>, o: EncodeOptions): AsyncGenerator<Buffer> {
  const queue: Job[] = [];
  const gzip = o.compression === 'gzip';
  let crc = 0;
  let length = 0;
  let tail: Buffer | undefined;
  if (gzip) yield GZIP_HEADER;
  try {
    const blocks = fixedBlocks(src, BLOCK_SIZE[o.compression]);
    for (;;) {
      // Out in order: blocks that are done, and the oldest one once enough are held back.
      while (queue.length > 0 && (queue[0].done || queue.length >= AHEAD)) yield await queue.shift()!.out;
      await slots.take();
      let next: IteratorResult<Buffer>;
      try {
        next = await blocks.next();
      } catch (e) {
        slots.give();
        throw e;
      }
      if (next.done) {
        slots.give();
        break;
      }
      const block = next.value;
      if (gzip) {
        crc = crc32(block, crc);
        length += block.length;
      }
      const job: Job = { out: compressBlock(block, o, tail), done: false };
      if (gzip) tail = block.subarray(Math.max(0, block.length - WINDOW));
      // Every job's result is awaited in order below; none may reject unobserved meanwhile.
      job.out.then(
        () => ((job.done = true), slots.give()),
        () => ((job.done = true), slots.give()),
      );
      queue.push(job);
    }
    while (queue.length) yield await queue.shift()!.out;
  } finally {
    queue.length = 0;
  }
  if (gzip) {
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(length % 2 ** 32, 4);
    yield Buffer.concat([DEFLATE_END, trailer]);
  }
}
