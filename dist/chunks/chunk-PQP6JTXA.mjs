import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  measuring
} from "./chunk-4PFZZYPE.mjs";
import {
  CopyAgain
} from "./chunk-2GH5RYRP.mjs";
import {
  BLOCK_SIZE,
  GZIP_MEM_LEVEL,
  INCOMPRESSIBLE_BITS,
  LEVELS,
  ZSTD_WINDOW_LOG,
  compressorName,
  humanBytes,
  shortDigest
} from "./chunk-GABV472D.mjs";
import {
  runLimited
} from "./chunk-VA3PXKDB.mjs";
import {
  loadImageFile
} from "./chunk-IL7AU26K.mjs";
import {
  debugEnabled,
  debugLog
} from "./chunk-AO2UATTK.mjs";
import {
  COMPRESSIONS,
  COMPRESSOR_ANNOTATION,
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_LAYER_TAR,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_LAYER_TAR,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_MANIFEST,
  compressionOf,
  layerMediaType,
  sha256
} from "./chunk-CIGM6B6C.mjs";
import {
  DigestMismatchError,
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/commands/copy-options.ts
var COPY_OPTIONS = {
  jobs: { alias: "j", type: "number", default: 4, describe: "parallel blob transfers" },
  "tls-verify": { type: "boolean", describe: "verify TLS (default true; false also allows plain HTTP)" },
  // skopeo's names for the destination's flags, which nix2container's copy passthrus hand on.
  "dest-tls-verify": { type: "boolean", hidden: true },
  creds: { type: "string", describe: "registry credentials USER:PASSWORD" },
  "dest-creds": { type: "string", hidden: true },
  "registry-token": { type: "string", describe: "bearer token for the registry" },
  "dest-registry-token": { type: "string", hidden: true },
  "creds-file": { type: "string", describe: "file with USERNAME=/PASSWORD= or BEARER_TOKEN= lines" },
  authfile: { type: "string", describe: "auth.json / config.json to read credentials from" },
  "dest-authfile": { type: "string", hidden: true },
  "ca-cert": { type: "string", describe: "extra CA certificate (PEM) to trust" },
  "mount-from": { type: "string", describe: "registry: another repository of the same registry to mount missing layers from" },
  compression: { type: "string", values: COMPRESSIONS, describe: "layer compression: gzip, zstd or none (default: gzip for docker://, none elsewhere, or the image's own)" },
  "compression-level": { type: "number", describe: "gzip 1-9 (default 4), zstd 1-19 (default 3)" },
  "cache-from": { type: "string", describe: "registry: an image in the same registry whose compressed layers the push may reuse" },
  json: { type: "boolean", describe: "print the summary as JSON on stdout" },
  quiet: { alias: "q", type: "boolean", describe: "print nothing but errors" }
};
var compressionArg = (v) => v;
function toCopyArgs(image, destination, a) {
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    const v = a[name];
    if (v === void 0) continue;
    if (spec.values && typeof v === "string" && !spec.values.includes(v)) throw new UserError("USAGE", `--${name} takes ${spec.values.join(", ")}, got ${JSON.stringify(v)}`);
    if (spec.type === "number" ? !Number.isSafeInteger(v) || v < 1 : typeof v !== spec.type) {
      throw new UserError("USAGE", `--${name} takes ${spec.type === "number" ? "a whole number of at least 1" : spec.type === "boolean" ? "no value but true or false" : "one value"}, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
    }
  }
  const s = (k) => a[k];
  return {
    image,
    destination,
    jobs: a.jobs,
    tlsVerify: a["tls-verify"] ?? a["dest-tls-verify"],
    creds: s("creds") ?? s("dest-creds"),
    registryToken: s("registry-token") ?? s("dest-registry-token"),
    credsFile: s("creds-file"),
    authfile: s("authfile") ?? s("dest-authfile"),
    caCert: s("ca-cert"),
    mountFrom: s("mount-from"),
    compression: compressionArg(s("compression")),
    compressionLevel: a["compression-level"],
    cacheFrom: s("cache-from"),
    json: a.json,
    quiet: a.quiet
  };
}

// src/copy/copy.ts
import { Readable as Readable2, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";

// src/compress/blocks.ts
import { availableParallelism } from "node:os";
import { Readable } from "node:stream";
import { constants, crc32, deflateRaw, zstdCompress } from "node:zlib";
import { promisify } from "node:util";
var deflateRawAsync = promisify(deflateRaw);
var zstdCompressAsync = promisify(zstdCompress);
var GZIP_HEADER = Buffer.from([31, 139, 8, 0, 0, 0, 0, 0, 0, 255]);
var DEFLATE_END = Buffer.from([3, 0]);
var WINDOW = 32 * 1024;
var Slots = class {
  free;
  waiting = [];
  constructor(n) {
    this.free = n;
  }
  async take() {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise((r) => this.waiting.push(r));
  }
  give() {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
};
var slots = new Slots(availableParallelism() + 1);
async function* fixedBlocks(src, size) {
  let parts = [];
  let have = 0;
  for await (const chunk of src) {
    let c = chunk;
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
function encodeStream(src, o) {
  return Readable.from(encodeBlocks(src, o), { objectMode: false, highWaterMark: 1 << 20 });
}
var AHEAD = availableParallelism() + 1;
function sampleEntropy(block) {
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
  for (const c of counts) if (c) bits -= c / n * Math.log2(c / n);
  return bits;
}
var compact = (out) => out.length < out.buffer.byteLength / 2 ? Buffer.from(out) : out;
function compressBlock(block, o, dictionary) {
  return compressInto(block, o, dictionary).then(compact);
}
function compressInto(block, o, dictionary) {
  if (o.compression === "gzip")
    return deflateRawAsync(block, {
      level: sampleEntropy(block) > INCOMPRESSIBLE_BITS ? constants.Z_NO_COMPRESSION : o.level,
      windowBits: 15,
      memLevel: GZIP_MEM_LEVEL,
      strategy: constants.Z_DEFAULT_STRATEGY,
      finishFlush: constants.Z_SYNC_FLUSH,
      // Room for the whole output (deflate's worst case is the input plus 5 bytes per 16 KiB):
      // one round trip to the thread pool per block, and no pieces to join.
      chunkSize: block.length + (64 << 10),
      ...dictionary ? { dictionary } : {}
    });
  return zstdCompressAsync(block, {
    pledgedSrcSize: block.length,
    chunkSize: block.length + (64 << 10),
    params: {
      [constants.ZSTD_c_compressionLevel]: o.level,
      [constants.ZSTD_c_enableLongDistanceMatching]: 1,
      [constants.ZSTD_c_windowLog]: ZSTD_WINDOW_LOG,
      [constants.ZSTD_c_checksumFlag]: 1,
      [constants.ZSTD_c_contentSizeFlag]: 1
    }
  });
}
async function* encodeBlocks(src, o) {
  const queue = [];
  const gzip = o.compression === "gzip";
  let crc = 0;
  let length = 0;
  let tail;
  if (gzip) yield GZIP_HEADER;
  try {
    const blocks = fixedBlocks(src, BLOCK_SIZE[o.compression]);
    for (; ; ) {
      while (queue.length > 0 && (queue[0].done || queue.length >= AHEAD)) yield await queue.shift().out;
      await slots.take();
      let next;
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
      const job = { out: compressBlock(block, o, tail), done: false };
      if (gzip) tail = block.subarray(Math.max(0, block.length - WINDOW));
      job.out.then(
        () => (job.done = true, slots.give()),
        () => (job.done = true, slots.give())
      );
      queue.push(job);
    }
    while (queue.length) yield await queue.shift().out;
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

// src/copy/copy.ts
var PROBE_JOBS = 16;
var MAX_ATTEMPTS = 3;
function chooseEncoding(caps, description, opts, image) {
  let compression;
  let level = opts.compressionLevel;
  if (opts.compression) {
    compression = opts.compression;
    if (!caps.compressions.includes(compression))
      throw new UserError("USAGE", `${description} cannot hold ${compression} layers; it takes ${caps.compressions.join(", ")}`, compression === "zstd" ? "zstd layers need an OCI manifest: use docker://, oci: or oci-archive:" : void 0);
  } else if (caps.followsImageCompression && image.compression && caps.compressions.includes(image.compression.type)) {
    compression = image.compression.type;
    level ??= image.compression.level;
  } else {
    compression = caps.defaultCompression;
  }
  if (compression === "none") {
    if (opts.compressionLevel !== void 0) throw new UserError("USAGE", "--compression-level needs --compression gzip or zstd (layers go uncompressed here)");
    return { compression };
  }
  const range = LEVELS[compression];
  level ??= range.default;
  if (level < range.min || level > range.max) throw new UserError("USAGE", `${compression} levels run from ${range.min} to ${range.max}, not ${level}`);
  return { compression, level };
}
async function copyImage(image, dest, opts) {
  const start = Date.now();
  const encoding = chooseEncoding(dest.capabilities, dest.description, opts, image);
  await Promise.all(image.layers.map((l) => l.check()));
  let reuse = true;
  for (let attempt = 1; ; attempt++) {
    try {
      return await copyOnce(image, dest, opts, encoding, reuse, start);
    } catch (e) {
      if (!(e instanceof CopyAgain) || attempt >= MAX_ATTEMPTS) throw e;
      opts.progress.info(e.message);
      if (debugEnabled()) debugLog(`copying again: ${e.message}`);
      reuse &&= e.reuse;
    }
  }
}
function counter(onBytes) {
  return new Transform({
    transform(chunk, _e, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    }
  });
}
function joined(a, b) {
  a.once("error", (e) => b.destroy(e));
  b.once("close", () => a.destroy());
  return a.pipe(b);
}
function layerItem(l, encoding) {
  const stored = compressionOf(l.mediaType) ?? "none";
  const encode = l.mediaType === MEDIA_TYPE_LAYER_TAR && !l.record.blob && encoding.compression !== "none";
  const item = {};
  const raw = () => item.bar ? joined(l.open(), counter((n) => item.bar.bytes(n))) : l.open();
  const sent = (s) => joined(s, counter((n) => item.outcome && (item.outcome.bytesSent += n)));
  let blob;
  if (encode) {
    const c = encoding.compression;
    const make = () => encodeStream(raw(), { compression: c, level: encoding.level });
    blob = {
      kind: "layer",
      mediaType: layerMediaType(c),
      diffID: l.diffID,
      compression: c,
      annotations: { [COMPRESSOR_ANNOTATION]: compressorName(c, encoding.level) },
      open: () => measuring(sent(make())),
      measure: async () => {
        const m = measuring(encodeStream(l.open(), { compression: c, level: encoding.level }));
        await pipeline(m, new Writable({ write: (_c, _e, cb) => cb() }));
        return m.measured;
      }
    };
  } else {
    const known = { digest: l.digest, size: l.size };
    blob = {
      kind: "layer",
      mediaType: l.mediaType,
      digest: l.digest,
      size: l.size,
      diffID: l.diffID,
      compression: stored,
      open: () => measuring(sent(raw()), known),
      measure: async () => known
    };
  }
  if (l.record.sourceRepository) blob.sourceRepository = l.record.sourceRepository;
  item.blob = blob;
  item.encoded = encode;
  item.outcome = { digest: l.digest, size: l.size, diffID: l.diffID, mediaType: l.mediaType, action: "skipped", bytesSent: 0, compressed: false };
  if (!encode) item.descriptor = { mediaType: l.mediaType, digest: l.digest, size: l.size };
  return item;
}
function items(image, encoding) {
  const byKey = /* @__PURE__ */ new Map();
  const layers = image.layers.map((l) => {
    const item = layerItem(l, encoding);
    const key = item.blob.digest ?? `${item.blob.diffID}/${item.blob.compression}`;
    item.same = byKey.get(key);
    if (!item.same) byKey.set(key, item);
    return item;
  });
  const c = image.config;
  const known = { digest: c.digest, size: c.size };
  const config = {
    blob: { kind: "config", mediaType: c.mediaType, digest: c.digest, size: c.size, compression: "none", open: () => measuring(Readable2.from([c.bytes]), known), measure: async () => known }
  };
  return { layers, config };
}
function settle(it, held, annotations) {
  it.descriptor = { mediaType: it.blob.mediaType, digest: held.digest, size: held.size, ...annotations ? { annotations } : {} };
  if (it.outcome) Object.assign(it.outcome, { digest: held.digest, size: held.size, mediaType: it.blob.mediaType });
}
async function copyOnce(image, dest, opts, encoding, reuse, start) {
  const { progress } = opts;
  const caps = dest.capabilities;
  const { layers, config } = items(image, encoding);
  for (const l of layers) l.bar = progress.layer(l.outcome.digest, l.outcome.size);
  try {
    const opened = await dest.open(image, { reuse, progress });
    if (opened.present) {
      for (const l of layers) l.bar.done(`skipped (${opened.present})`);
    } else {
      const unique = [config, ...layers.filter((l) => !l.same)];
      let reused = unique.map(() => void 0);
      if (reuse && caps.reuse !== "none") {
        for (const l of layers) if (!l.same) l.bar.state("checking");
        reused = await runLimited(unique, caps.reuse === "probe" ? PROBE_JOBS : 1, (it) => dest.tryReuseBlob(it.blob, { progress }));
      }
      const missing = [];
      unique.forEach((it, i) => {
        const r = reused[i];
        if (!r) return void missing.push(it);
        if (r.descriptor) settle(it, r.descriptor, r.descriptor.annotations);
        if (it.outcome) it.outcome.action = r.action;
        it.bar?.done(r.action === "skipped" ? `skipped (${r.detail})` : `mounted (${r.detail})`);
      });
      const put = async (it) => {
        if (caps.needsSizeFirst && it.blob.digest === void 0) {
          it.bar?.state("compressing to measure");
          const m = await it.blob.measure();
          it.blob = { ...it.blob, ...m };
        }
        it.bar?.state(caps.putAction === "uploaded" ? "uploading" : "writing");
        const held = await dest.putBlob(it.blob, { state: (s) => it.bar?.state(s) });
        settle(it, held, it.blob.annotations);
        if (it.outcome) Object.assign(it.outcome, { action: caps.putAction, compressed: !!it.encoded });
        it.bar?.done(caps.putAction);
      };
      if (caps.serial) {
        for (const it of missing) await put(it);
      } else {
        const configMissing = missing.includes(config);
        const beside = configMissing && caps.configBeside ? put(config) : void 0;
        beside?.catch(() => {
        });
        await runLimited(
          missing.filter((it) => it !== config),
          Math.max(1, opts.jobs),
          put
        );
        await beside;
        if (configMissing && !caps.configBeside) await put(config);
      }
      for (const l of layers) {
        if (!l.same) continue;
        l.descriptor = l.same.descriptor;
        Object.assign(l.outcome, { digest: l.same.outcome.digest, size: l.same.outcome.size, mediaType: l.same.outcome.mediaType });
        l.bar.done("skipped (repeated)");
      }
    }
    const encoded = layers.some((l) => l.encoded);
    const manifest = encoded && !opened.present ? image.manifestFor(layers.map((l) => l.descriptor)) : image.manifest;
    const committed = await dest.commit(image, manifest, { progress });
    await dest.close();
    const outcomes = layers.map((l) => l.outcome);
    return {
      destination: dest.description,
      reference: committed.reference,
      ...committed.manifestDigest ? { manifestDigest: committed.manifestDigest } : {},
      ...committed.imageId ? { imageId: committed.imageId } : {},
      compression: encoding.compression,
      layers: outcomes,
      bytesSent: outcomes.reduce((a, o) => a + o.bytesSent, 0),
      seconds: (Date.now() - start) / 1e3
    };
  } catch (e) {
    await dest.close(e).catch(() => void 0);
    throw e;
  }
}

// src/commands/image.ts
import { realpathSync } from "node:fs";

// src/image/model.ts
import { createReadStream } from "node:fs";
import { lstat } from "node:fs/promises";
import { basename } from "node:path";

// src/image/verify.ts
import { createHash } from "node:crypto";
import { Transform as Transform2 } from "node:stream";
var VerifyingStream = class extends Transform2 {
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
  const manifestFor = (list) => {
    const doc = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
      layers: list.map((l) => ({ mediaType: ociLayerType(l.mediaType), digest: l.digest, size: l.size, ...l.annotations ? { annotations: l.annotations } : {} }))
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
    configDocument
  };
}
function defaultTag(file) {
  const m = /^([0-9a-z]{32})-/.exec(basename(file));
  return m ? m[1] : void 0;
}

// src/commands/image.ts
var loadTarWriter = () => import("./writer-KDPLBDDG.mjs");
function openImage(path) {
  let real;
  try {
    real = realpathSync(path);
  } catch {
    throw new UserError("IMAGE_NOT_FOUND", `image JSON ${path} does not exist; build it with nix-build first`);
  }
  const file = loadImageFile(real);
  return { file, image: resolveImage(real, file, { tarWriter: loadTarWriter }) };
}

// src/dest/parse.ts
var TRANSPORTS = {
  "docker://": async () => (await import("./registry-ZV7GKTQE.mjs")).parseRegistryDestination,
  oci: async () => (await import("./oci-layout-NFN573JL.mjs")).parseOciLayoutDestination,
  "oci-archive": async () => (await import("./archive-file-EXTZMYHZ.mjs")).parseOciArchiveDestination,
  "docker-archive": async () => (await import("./archive-file-EXTZMYHZ.mjs")).parseDockerArchiveDestination,
  "docker-daemon": async () => (await import("./daemon-UTZJXQXN.mjs")).parseDockerDaemonDestination,
  podman: async () => (await import("./daemon-UTZJXQXN.mjs")).parsePodmanDestination,
  "containers-storage": async () => (await import("./daemon-UTZJXQXN.mjs")).parseContainersStorageDestination,
  dir: async () => (await import("./dir-RGH55QB3.mjs")).parseDirDestination
};
var transportNames = () => Object.keys(TRANSPORTS).map((t) => t.endsWith("://") ? t : t + ":").sort();
async function parseDestination(ref, flags) {
  const m = /^([a-z-]+):(\/\/)?(.*)$/s.exec(ref);
  const load = m ? (m[2] ? TRANSPORTS[`${m[1]}://`] : void 0) ?? TRANSPORTS[m[1]] : void 0;
  if (!m || !load) throw new UserError("INVALID_REFERENCE", `unknown destination ${JSON.stringify(ref)}: expected one of ${transportNames().join(", ")}`);
  const rest = m[2] && !TRANSPORTS[`${m[1]}://`] ? `//${m[3]}` : m[3];
  return (await load())(rest, flags);
}

// src/util/progress.ts
var silentProgress = {
  layer: () => ({ state() {
  }, bytes() {
  }, done() {
  } }),
  info() {
  },
  finish() {
  }
};
var PlainProgress = class {
  constructor(out) {
    this.out = out;
  }
  out;
  layer(digest, size, label = "") {
    const start = Date.now();
    let sent = 0;
    const id = `${shortDigest(digest)} ${humanBytes(size).padStart(9)}${label ? " " + label : ""}`;
    return {
      state: (s) => {
        if (s !== "checking") this.out.write(`${id}: ${s}
`);
      },
      bytes: (n) => {
        sent += n;
      },
      done: (final) => {
        const secs = (Date.now() - start) / 1e3;
        const rate = sent > 0 && secs > 0 ? ` (${humanBytes(sent)} at ${humanBytes(sent / secs)}/s)` : "";
        this.out.write(`${id}: ${final}${rate}
`);
      }
    };
  }
  info(msg) {
    this.out.write(msg + "\n");
  }
  finish() {
  }
};
var TtyProgress = class {
  constructor(out) {
    this.out = out;
  }
  out;
  bars = [];
  drawn = 0;
  timer;
  layer(digest, size, label = "") {
    const bar = { digest, size, label, state: "waiting", sent: 0, start: Date.now() };
    this.bars.push(bar);
    this.timer ??= setInterval(() => this.draw(), 100);
    return {
      state: (s) => {
        bar.state = s;
        bar.start = Date.now();
      },
      bytes: (n) => {
        bar.sent += n;
      },
      done: (final) => {
        bar.final = final;
        this.draw();
      }
    };
  }
  info(msg) {
    this.clear();
    this.out.write(msg + "\n");
    this.drawn = 0;
    this.draw();
  }
  clear() {
    if (this.drawn > 0) this.out.write(`\x1B[${this.drawn}A\x1B[J`);
  }
  line(b) {
    const id = `${shortDigest(b.digest)} ${humanBytes(b.size).padStart(9)}`;
    if (b.final) return `${id} ${b.final}`;
    if (b.sent === 0) return `${id} ${b.state}`;
    const width = 24;
    const frac = b.size > 0 ? Math.min(1, b.sent / b.size) : 1;
    const fill = Math.round(frac * width);
    const secs = Math.max(1e-3, (Date.now() - b.start) / 1e3);
    return `${id} ${b.state} [${"=".repeat(fill)}${" ".repeat(width - fill)}] ${humanBytes(b.sent)} ${humanBytes(b.sent / secs)}/s`;
  }
  draw() {
    this.clear();
    const cols = this.out.columns || 100;
    const text = this.bars.map((b) => this.line(b).slice(0, cols - 1)).join("\n");
    this.out.write(text + (text ? "\n" : ""));
    this.drawn = this.bars.length;
  }
  finish() {
    if (this.timer) clearInterval(this.timer);
    this.draw();
  }
};
function makeProgress(opts) {
  if (opts.quiet) return silentProgress;
  const err = process.stderr;
  return err.isTTY ? new TtyProgress(err) : new PlainProgress(err);
}

// src/commands/copy.ts
function summarise(r) {
  const n = (a) => r.layers.filter((l) => l.action === a).length;
  const parts = [
    `${r.layers.length} layers`,
    n("skipped") && `${n("skipped")} skipped`,
    n("mounted") && `${n("mounted")} mounted`,
    n("uploaded") && `${n("uploaded")} uploaded`,
    n("written") && `${n("written")} written`
  ].filter(Boolean);
  return `copied to ${r.reference}: ${parts.join(", ")}; ${humanBytes(r.bytesSent)} sent in ${r.seconds.toFixed(2)} s`;
}
async function copyCommand(args) {
  const { image } = openImage(args.image);
  const dest = await parseDestination(args.destination, args);
  const progress = makeProgress({ quiet: args.quiet || args.json });
  try {
    const result = await copyImage(image, dest, { progress, jobs: args.jobs ?? 4, compression: args.compression, compressionLevel: args.compressionLevel });
    progress.finish();
    if (args.json) process.stdout.write(JSON.stringify(result) + "\n");
    else if (!args.quiet) process.stderr.write(summarise(result) + "\n");
    return result;
  } catch (e) {
    progress.finish();
    throw e;
  }
}

export {
  COPY_OPTIONS,
  toCopyArgs,
  openImage,
  copyCommand
};
