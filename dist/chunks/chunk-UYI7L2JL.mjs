import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  resolveImage,
  resolveIndex
} from "./chunk-WKXXNKNK.mjs";
import {
  measuring
} from "./chunk-4PFZZYPE.mjs";
import {
  CopyAgain,
  isIndex
} from "./chunk-BWZXFGLC.mjs";
import {
  BLOCK_SIZE,
  GZIP_MEM_LEVEL,
  INCOMPRESSIBLE_BITS,
  LEVELS,
  ZSTD_WINDOW_LOG,
  compressorName
} from "./chunk-K6OKN5C2.mjs";
import {
  runLimited
} from "./chunk-VA3PXKDB.mjs";
import {
  loadImageFile,
  loadImageOrIndex
} from "./chunk-SNDITNA7.mjs";
import {
  debugEnabled,
  debugLog
} from "./chunk-AO2UATTK.mjs";
import {
  choosePlatformEntry,
  hostPlatform,
  parsePlatform,
  platformString
} from "./chunk-477LFGEH.mjs";
import {
  COMPRESSIONS,
  COMPRESSOR_ANNOTATION,
  MEDIA_TYPE_LAYER_TAR,
  compressionOf,
  layerMediaType
} from "./chunk-AYVEAJJV.mjs";
import {
  humanBytes,
  shortDigest
} from "./chunk-TF6H54TZ.mjs";
import {
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
  tag: { type: "string", array: true, describe: "also put the image (or index) under this tag of the destination; repeatable" },
  annotation: { type: "string", array: true, describe: "KEY=VALUE annotation for the manifest (of an index: the index); repeatable" },
  platform: { type: "string", describe: "OS/ARCH[/VARIANT]: of an image index, copy only the image for this platform (default for daemons and docker-archive: theirs)" },
  json: { type: "boolean", describe: "print the summary as JSON on stdout" },
  quiet: { alias: "q", type: "boolean", describe: "print nothing but errors" }
};
var compressionArg = (v) => v;
function annotationsArg(list) {
  if (!list) return void 0;
  const out = {};
  for (const kv of list) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new UserError("USAGE", `--annotation takes KEY=VALUE, got ${JSON.stringify(kv)}`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}
function toCopyArgs(image, destination, a) {
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    const v = a[name];
    if (v === void 0) continue;
    if (spec.array) {
      if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "string" || x === ""))
        throw new UserError("USAGE", `--${name} takes a value each time it is given, got ${Array.isArray(v) ? v.length ? v.map((x) => JSON.stringify(x)).join(", ") : "none" : JSON.stringify(v)}`);
      continue;
    }
    if (spec.values && typeof v === "string" && !spec.values.includes(v)) throw new UserError("USAGE", `--${name} takes ${spec.values.join(", ")}, got ${JSON.stringify(v)}`);
    if (spec.type === "number" ? !Number.isSafeInteger(v) || v < 1 : typeof v !== spec.type) {
      throw new UserError("USAGE", `--${name} takes ${spec.type === "number" ? "a whole number of at least 1" : spec.type === "boolean" ? "no value but true or false" : "one value"}, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
    }
  }
  const s = (k) => a[k];
  const list = (k) => a[k];
  const platform = s("platform");
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
    tags: list("tag"),
    annotations: annotationsArg(list("annotation")),
    platform: platform === void 0 ? void 0 : parsePlatform(platform),
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
  return copyTarget(image, dest, opts);
}
async function copyIndex(index, dest, opts) {
  if (dest.capabilities.index === "all" && !opts.platform) return copyTarget(index, dest, opts);
  const want = opts.platform ?? (dest.platform ? await dest.platform({ progress: opts.progress }) : hostPlatform());
  const chosen = choosePlatformEntry(index.images, want, `${index.source} (an image index)`, opts.platform ? void 0 : `choose one of its platforms with --platform OS/ARCH[/VARIANT]`);
  const result = await copyTarget({ ...chosen, name: index.name ?? chosen.name, tag: index.tag ?? chosen.tag }, dest, opts);
  return { ...result, platform: platformString(chosen.platform) };
}
async function copyTarget(target, dest, opts) {
  const start = Date.now();
  const images = isIndex(target) ? target.images : [target];
  if (isIndex(target) && (!dest.commitChild || !dest.commitIndex)) throw new Error(`${dest.description} states it holds indexes but has no commitChild/commitIndex`);
  const encodings = images.map((i) => chooseEncoding(dest.capabilities, dest.description, opts, i));
  await Promise.all(images.flatMap((i) => i.layers.map((l) => l.check())));
  let reuse = true;
  for (let attempt = 1; ; attempt++) {
    try {
      return await copyOnce(target, dest, opts, encodings, reuse, start);
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
function items(image, encoding, byKey) {
  const layers = image.layers.map((l) => {
    const item = layerItem(l, encoding);
    const key = item.blob.digest ?? `${item.blob.diffID}/${item.blob.compression}/${encoding.level}`;
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
async function sendImage(image, dest, opts, encoding, reuse, byKey, present) {
  const { progress } = opts;
  const caps = dest.capabilities;
  const { layers, config } = items(image, encoding, byKey);
  for (const l of layers) l.bar = progress.layer(l.outcome.digest, l.outcome.size);
  if (present) {
    for (const l of layers) l.bar.done(`skipped (${present})`);
    return { layers, manifest: image.manifest };
  }
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
  const encoded = layers.some((l) => l.encoded);
  return { layers, manifest: encoded ? image.manifestFor(layers.map((l) => l.descriptor)) : image.manifest };
}
async function copyOnce(target, dest, opts, encodings, reuse, start) {
  const { progress } = opts;
  const byKey = /* @__PURE__ */ new Map();
  try {
    const opened = await dest.open(target, { reuse, progress });
    let committed;
    let sent;
    let images;
    if (isIndex(target)) {
      sent = [];
      for (const [i, image] of target.images.entries()) {
        const s = await sendImage(image, dest, opts, encodings[i], reuse, byKey, void 0);
        await dest.commitChild(image, s.manifest, { progress });
        sent.push(s);
      }
      const index = target.indexFor(sent.map((s) => s.manifest));
      committed = await dest.commitIndex(target, index, { progress });
      committed.manifestDigest ??= index.digest;
      images = target.images.map((image, i) => ({ platform: platformString(image.platform), manifestDigest: sent[i].manifest.digest, layers: sent[i].layers.map((l) => l.outcome) }));
    } else {
      const s = await sendImage(target, dest, opts, encodings[0], reuse, byKey, opened.present);
      sent = [s];
      committed = await dest.commit(target, s.manifest, { progress });
    }
    await dest.close();
    const outcomes = sent.flatMap((s) => s.layers.map((l) => l.outcome));
    return {
      destination: dest.description,
      reference: committed.reference,
      ...committed.references && committed.references.length > 1 ? { references: committed.references } : {},
      ...committed.manifestDigest ? { manifestDigest: committed.manifestDigest } : {},
      ...committed.imageId ? { imageId: committed.imageId } : {},
      compression: encodings[0].compression,
      ...images ? { images } : {},
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
var loadTarWriter = () => import("./writer-YY3FLQXT.mjs");
function realPath(path, namedBy) {
  try {
    return realpathSync(path);
  } catch {
    throw new UserError("IMAGE_NOT_FOUND", `image JSON ${path}${namedBy ? ` (named by the index JSON ${namedBy})` : ""} does not exist; build it with nix-build first`);
  }
}
function openSource(path, opts = {}) {
  const real = realPath(path);
  const readImage = (p) => loadImageFile(realPath(p, path));
  const got = loadImageOrIndex(real, readImage);
  const ro = { tarWriter: loadTarWriter, annotations: opts.annotations };
  if (got.kind === "image") return { kind: "image", image: resolveImage(real, got.image, ro), files: { kind: "image", file: got.image } };
  return { kind: "index", index: resolveIndex(real, got.index, ro), files: { kind: "index", loaded: got.index } };
}

// src/dest/parse.ts
var TRANSPORTS = {
  "docker://": async () => (await import("./registry-B5XTHF2W.mjs")).parseRegistryDestination,
  oci: async () => (await import("./oci-layout-BLCUQ4KC.mjs")).parseOciLayoutDestination,
  "oci-archive": async () => (await import("./archive-file-JZEY5PYE.mjs")).parseOciArchiveDestination,
  "docker-archive": async () => (await import("./archive-file-JZEY5PYE.mjs")).parseDockerArchiveDestination,
  "docker-daemon": async () => (await import("./daemon-UKG7SXVL.mjs")).parseDockerDaemonDestination,
  podman: async () => (await import("./daemon-UKG7SXVL.mjs")).parsePodmanDestination,
  "containers-storage": async () => (await import("./daemon-UKG7SXVL.mjs")).parseContainersStorageDestination,
  dir: async () => (await import("./dir-SJRZUYEL.mjs")).parseDirDestination
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
    let last = "checking";
    const id = `${shortDigest(digest)} ${humanBytes(size).padStart(9)}${label ? " " + label : ""}`;
    return {
      // A line a change of state: the flow and the upload both say "uploading".
      state: (s) => {
        if (s !== last) this.out.write(`${id}: ${s}
`);
        last = s;
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
  const what = r.images ? ` (an index of ${r.images.length} images: ${r.images.map((i) => i.platform).join(", ")})` : r.platform ? ` (the ${r.platform} image of the index)` : "";
  const also = r.references && r.references.length > 1 ? `, also as ${r.references.slice(1).join(", ")}` : "";
  return `copied to ${r.reference}${what}${also}: ${parts.join(", ")}; ${humanBytes(r.bytesSent)} sent in ${r.seconds.toFixed(2)} s`;
}
async function copyCommand(args) {
  const source = openSource(args.image, { annotations: args.annotations });
  const dest = await parseDestination(args.destination, args);
  const progress = makeProgress({ quiet: args.quiet || args.json });
  try {
    const opts = { progress, jobs: args.jobs ?? 4, compression: args.compression, compressionLevel: args.compressionLevel, platform: args.platform };
    if (source.kind === "image" && args.platform) throw new UserError("USAGE", `--platform chooses an image of an index; ${args.image} is one image (for ${platformString(source.image.platform)})`);
    const result = source.kind === "index" ? await copyIndex(source.index, dest, opts) : await copyImage(source.image, dest, opts);
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
  annotationsArg,
  toCopyArgs,
  openSource,
  copyCommand
};
