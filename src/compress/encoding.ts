// The compressors' parameters, pinned, and the name of the compressor that made a blob, recorded in
// the manifest beside each layer compressed on the way.
import { versions } from 'node:process';
import type { Compression } from '../image/media-types.js';

/** Levels each compressor takes, and the default: gzip as gzip(1) and zlib count them, zstd as zstd(1). */
// Defaults measured on the bench fixture (docs/registry.md, "Compressed layers"): gzip 4 makes 146 MB of
// its 417 MB (skopeo's gzip: 147 MB) in 55% of the CPU time of gzip 6 (142 MB); zstd 3 with
// long-distance matching over a 32 MiB window makes 111 MB faster than gzip 1 runs.
export const LEVELS: Record<Exclude<Compression, 'none'>, { min: number; max: number; default: number }> = {
  gzip: { min: 1, max: 9, default: 4 },
  zstd: { min: 1, max: 19, default: 3 },
};

/**
 * Uncompressed bytes per independently compressed block (pigz's scheme for gzip, whose window is
 * 32 KiB whatever the block; one frame each for zstd, whose window is the block).
 */
export const BLOCK_SIZE: Record<Exclude<Compression, 'none'>, number> = {
  gzip: 1 << 20,
  zstd: 32 << 20,
};

/** zlib's memLevel 9 (the most): on this data as small an output as 8, and faster. */
export const GZIP_MEM_LEVEL = 9;

/** gzip stores a block whose sampled bytes carry more bits per byte than this (blocks.ts, sampleEntropy). */
export const INCOMPRESSIBLE_BITS = 7.95;

/** zstd's window (log2): the block, so long-distance matching sees all of it; decoders take up to 2^27 by default. */
export const ZSTD_WINDOW_LOG = 25;


/**
 * The compressor's name: its scheme, parameters and the library that ran it. The same layer bytes
 * and the same name give the same compressed bytes: the blocks are cut at fixed offsets and every
 * parameter is pinned; the library version is in the name because a new zlib or zstd may choose
 * other matches.
 */
export function compressorName(c: Exclude<Compression, 'none'>, level: number): string {
  const lib = c === 'gzip' ? `zlib-${versions.zlib}` : `zstd-${versions.zstd}`;
  const extra = c === 'zstd' ? ` window=${ZSTD_WINDOW_LOG} ldm` : ` mem=${GZIP_MEM_LEVEL} primed stored>${INCOMPRESSIBLE_BITS}`;
  return `longshore-blocks/1 ${c} level=${level} block=${BLOCK_SIZE[c]}${extra} ${lib}`;
}
