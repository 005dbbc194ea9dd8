import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/compress/encoding.ts
import { versions } from "node:process";
var LEVELS = {
  gzip: { min: 1, max: 9, default: 4 },
  zstd: { min: 1, max: 19, default: 3 }
};
var BLOCK_SIZE = {
  gzip: 1 << 20,
  zstd: 32 << 20
};
var GZIP_MEM_LEVEL = 9;
var INCOMPRESSIBLE_BITS = 7.95;
var ZSTD_WINDOW_LOG = 25;
function compressorName(c, level) {
  const lib = c === "gzip" ? `zlib-${versions.zlib}` : `zstd-${versions.zstd}`;
  const extra = c === "zstd" ? ` window=${ZSTD_WINDOW_LOG} ldm` : ` mem=${GZIP_MEM_LEVEL} primed stored>${INCOMPRESSIBLE_BITS}`;
  return `longshore-blocks/1 ${c} level=${level} block=${BLOCK_SIZE[c]}${extra} ${lib}`;
}

export {
  LEVELS,
  BLOCK_SIZE,
  GZIP_MEM_LEVEL,
  INCOMPRESSIBLE_BITS,
  ZSTD_WINDOW_LOG,
  compressorName
};
