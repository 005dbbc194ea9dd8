import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  imagePlatform
} from "./chunk-SNDITNA7.mjs";
import {
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_LAYER_TAR,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_LAYER_TAR,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  sha256
} from "./chunk-AYVEAJJV.mjs";
import {
  DigestMismatchError,
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/image/model.ts
import { createReadStream } from "node:fs";
import { lstat } from "node:fs/promises";
import { basename } from "node:path";

// src/image/verify.ts
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
var VerifyingStream = class extends Transform {
  constructor(expected, onMismatch) {
    super();
    this.expected = expected;
    this.onMismatch = onMismatch;
  }
  expected;
  onMismatch;
  hash = createHash("sha256");
  held = null;
  bytes = 0;
  _transform(chunk, _e, cb) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const out = this.held;
    this.held = chunk;
    cb(null, out ?? void 0);
  }
  _flush(cb) {
    const got = "sha256:" + this.hash.digest("hex");
    if (got === this.expected.digest && this.bytes === this.expected.size) {
      cb(null, this.held ?? void 0);
      return;
    }
    this.onMismatch(got, this.bytes).then(
      (err) => cb(err),
      (err) => cb(err)
    );
  }
};
async function explainMismatch(rec, got, size, fingerprint) {
  const head = `layer ${rec.digest} (${rec.paths.length} store path${rec.paths.length === 1 ? "" : "s"}) regenerated as ${got} (${size} bytes, expected ${rec.size})`;
  if (rec.blob) return new DigestMismatchError(`${head}: the fetched blob ${rec.blob} was modified`, rec.blob);
  if (rec.sources) {
    const now = (await fingerprint())(rec);
    for (const key of Object.keys(rec.sources).sort()) {
      if (now[key] !== rec.sources[key]) {
        const what = key === "declared" ? "the declared entries (users, directories, symlinks)" : key.startsWith("copyToRoot:") ? `copyToRoot ${key.slice(11)}` : `store path ${key}`;
        return new DigestMismatchError(`${head}: ${what} changed since the image was built; rebuild it with nix-build`, key);
      }
    }
    for (const key of Object.keys(now)) {
      if (!(key in rec.sources)) return new DigestMismatchError(`${head}: ${key} appeared in the layer since it was built`, key);
    }
  }
  for (const p of [...rec.paths, ...rec.copyToRoot]) {
    const { execa } = await import("./execa-HSBUCW62.mjs");
    const r = await execa("nix-store", ["--verify-path", p], { reject: false, all: true }).catch(() => void 0);
    if (r && r.exitCode === 1)
      return new DigestMismatchError(
        `${head}: the content of store path ${p} was modified since the image was built (nix-store --verify-path: ${(r.all ?? "").trim().split("\n")[0]}); repair it with nix-store --repair-path or rebuild`,
        p
      );
  }
  return new DigestMismatchError(`${head}: no store path changed, so the tar writer differs (layer written by ${rec.writer ?? "an unknown writer"}); rebuild the image with this longshore`);
}

// src/image/model.ts
function imageIndex(entries, annotations) {
  const doc = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_INDEX,
    manifests: entries.map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: indexPlatform(m.platform) })),
    ...annotations && Object.keys(annotations).length ? { annotations } : {}
  };
  const bytes = canonical(doc);
  return { mediaType: doc.mediaType, digest: sha256(bytes), size: bytes.length, bytes };
}
function layerBlob(rec, tarWriter) {
  const desc = { mediaType: rec.mediaType, digest: rec.digest, size: rec.size };
  return {
    ...desc,
    diffID: rec.diffID,
    paths: rec.blob ? [rec.blob] : [...rec.paths, ...rec.copyToRoot.map((p) => `copyToRoot:${p}`)],
    record: rec,
    async check() {
      for (const p of rec.blob ? [rec.blob] : [...rec.paths, ...rec.copyToRoot]) {
        try {
          await lstat(p);
        } catch {
          throw new UserError("STORE_PATH_MISSING", `layer ${rec.digest} needs store path ${p}, which is missing (garbage-collected?); rebuild the image with nix-build`);
        }
      }
    },
    open() {
      const fingerprint = async () => {
        const w = await tarWriter();
        return (c) => w.digestLayer(c).sources;
      };
      const verify = new VerifyingStream(desc, (got, size) => explainMismatch(rec, got, size, fingerprint));
      if (rec.blob) {
        const src = createReadStream(rec.blob, { highWaterMark: 1 << 20 });
        src.on("error", (e) => verify.destroy(new UserError("FILE_UNREADABLE", `cannot read ${rec.blob}: ${e.code ?? e}`)));
        return src.pipe(verify);
      }
      if (rec.mediaType !== MEDIA_TYPE_LAYER_TAR) throw new UserError("UNSUPPORTED_MEDIA_TYPE", `layer ${rec.digest}: unsupported media type ${rec.mediaType}`);
      tarWriter().then(
        ({ layerTarStream }) => {
          if (verify.destroyed) return;
          const stream = layerTarStream(rec);
          stream.on("error", (e) => verify.destroy(e));
          verify.once("close", () => stream.destroy());
          stream.pipe(verify);
        },
        (e) => verify.destroy(e)
      );
      return verify;
    }
  };
}
function imageHistory(img) {
  const own = (l) => ({ created: img.created, ...l.history });
  const base = img.baseHistory;
  if (base) {
    const n = base.filter((h) => !h.empty_layer).length;
    if (n <= img.layers.length) return [...base, ...img.layers.slice(n).map(own)];
  }
  return img.layers.map(own);
}
function ociLayerType(mediaType) {
  if (mediaType === MEDIA_TYPE_DOCKER_LAYER_GZIP) return MEDIA_TYPE_LAYER_GZIP;
  if (mediaType === MEDIA_TYPE_DOCKER_LAYER_TAR) return MEDIA_TYPE_LAYER_TAR;
  return mediaType;
}
var canonical = (v) => Buffer.from(JSON.stringify(v));
function mergeAnnotations(base, extra) {
  const out = { ...base, ...extra };
  return Object.keys(out).length ? out : void 0;
}
function resolveImage(file, img, opts) {
  const history = imageHistory(img);
  const configDocument = {
    created: img.created,
    architecture: img.arch,
    ...img.variant ? { variant: img.variant } : {},
    os: img.os,
    config: img.config,
    rootfs: { type: "layers", diff_ids: img.layers.map((l) => l.diffID) },
    history
  };
  const configBytes = canonical(configDocument);
  const config = {
    mediaType: MEDIA_TYPE_OCI_CONFIG,
    digest: sha256(configBytes),
    size: configBytes.length,
    bytes: configBytes
  };
  const layers = img.layers.map((rec) => layerBlob(rec, opts.tarWriter));
  const annotations = mergeAnnotations(img.annotations, opts.annotations);
  const manifestFor = (list) => {
    const doc = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
      layers: list.map((l) => ({ mediaType: ociLayerType(l.mediaType), digest: l.digest, size: l.size, ...l.annotations ? { annotations: l.annotations } : {} })),
      ...annotations ? { annotations } : {}
    };
    const bytes = canonical(doc);
    return { mediaType: doc.mediaType, digest: sha256(bytes), size: bytes.length, bytes };
  };
  return {
    source: file,
    name: img.name,
    tag: img.tag ?? defaultTag(file),
    config,
    manifest: manifestFor(layers),
    manifestFor: (list) => {
      if (list.length !== layers.length) throw new Error(`a manifest needs ${layers.length} layers, got ${list.length}`);
      return manifestFor(list);
    },
    layers,
    ...img.compression ? { compression: img.compression } : {},
    configDocument,
    platform: imagePlatform(img),
    ...annotations ? { annotations } : {}
  };
}
function resolveIndex(file, loaded, opts) {
  const images = loaded.images.map((c) => resolveImage(c.path, c.file, { tarWriter: opts.tarWriter }));
  const annotations = mergeAnnotations(loaded.file.annotations, opts.annotations);
  const indexFor = (list) => {
    if (list.length !== images.length) throw new Error(`an index needs ${images.length} manifests, got ${list.length}`);
    return imageIndex(list.map((m, i) => ({ ...m, platform: images[i].platform })), annotations);
  };
  return {
    source: file,
    name: loaded.file.name,
    tag: loaded.file.tag ?? defaultTag(file),
    images,
    ...annotations ? { annotations } : {},
    index: indexFor(images.map((i) => i.manifest)),
    indexFor
  };
}
var indexPlatform = (p) => ({ architecture: p.architecture, os: p.os, ...p.variant ? { variant: p.variant } : {} });
function defaultTag(file) {
  const m = /^([0-9a-z]{32})-/.exec(basename(file));
  return m ? m[1] : void 0;
}

export {
  imageIndex,
  resolveImage,
  resolveIndex
};
