import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  COMPRESSOR_ANNOTATION,
  compressionOf,
  isDigest
} from "./chunk-AYVEAJJV.mjs";

// src/image/known-blobs.ts
var isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function pairsFromImage(manifest, config) {
  if (!isObj(manifest) || !isObj(config) || !Array.isArray(manifest.layers) || !isObj(config.rootfs)) return [];
  const diffIDs = config.rootfs.diff_ids;
  if (!Array.isArray(diffIDs) || diffIDs.length !== manifest.layers.length) return [];
  const out = [];
  manifest.layers.forEach((l, i) => {
    if (!isObj(l) || !isDigest(l.digest) || typeof l.size !== "number" || typeof l.mediaType !== "string" || !isDigest(diffIDs[i])) return;
    const compressor = isObj(l.annotations) && typeof l.annotations[COMPRESSOR_ANNOTATION] === "string" ? l.annotations[COMPRESSOR_ANNOTATION] : void 0;
    out.push({ diffID: diffIDs[i], digest: l.digest, size: l.size, mediaType: l.mediaType, ...compressor ? { compressor } : {} });
  });
  return out;
}
var KnownBlobs = class {
  byDiffID = /* @__PURE__ */ new Map();
  add(blobs) {
    for (const b of blobs) {
      if (b.digest === b.diffID) continue;
      const list = this.byDiffID.get(b.diffID) ?? [];
      if (!list.some((k) => k.digest === b.digest)) list.push(b);
      this.byDiffID.set(b.diffID, list);
    }
  }
  /** Blobs holding `diffID` in the same encoding as `mediaType` (OCI and Docker names of gzip count as one). */
  candidates(diffID, mediaType) {
    const want = compressionOf(mediaType);
    return (this.byDiffID.get(diffID) ?? []).filter((k) => compressionOf(k.mediaType) === want);
  }
  all() {
    return [...this.byDiffID.values()].flat();
  }
};

export {
  pairsFromImage,
  KnownBlobs
};
