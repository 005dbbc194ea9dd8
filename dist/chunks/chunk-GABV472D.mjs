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

// src/util/human.ts
function humanBytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
var shortDigest = (d) => d.replace(/^sha256:/, "").slice(0, 12);
function table(rows) {
  const widths = [];
  for (const r of rows) r.forEach((c, i) => widths[i] = Math.max(widths[i] ?? 0, c.length));
  return rows.map((r) => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i])).join("  ")).join("\n");
}
function editDistance(a, b) {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

export {
  humanBytes,
  shortDigest,
  table,
  editDistance,
  LEVELS,
  BLOCK_SIZE,
  GZIP_MEM_LEVEL,
  INCOMPRESSIBLE_BITS,
  ZSTD_WINDOW_LOG,
  compressorName
};
