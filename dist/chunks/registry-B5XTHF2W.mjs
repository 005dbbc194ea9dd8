import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  KnownBlobs,
  pairsFromImage
} from "./chunk-AEDLIB2P.mjs";
import {
  extraTags
} from "./chunk-ZZT7JNPV.mjs";
import {
  measuring
} from "./chunk-4PFZZYPE.mjs";
import {
  isIndex
} from "./chunk-BWZXFGLC.mjs";
import {
  DEFAULT_RETRY,
  RegistryClient,
  RepositoryApi,
  TransientError,
  backoffMs,
  header1,
  nextLocation,
  receivedBytes,
  resolveCredential,
  retryKind,
  withRetry
} from "./chunk-D6PQMSBU.mjs";
import {
  debugEnabled
} from "./chunk-AO2UATTK.mjs";
import {
  checkTag,
  formatReference,
  parseName,
  parseRegistryReference
} from "./chunk-JO7HQLJM.mjs";
import {
  COMPRESSOR_ANNOTATION,
  IMAGE_MANIFEST_TYPES,
  INDEX_TYPES,
  MEDIA_TYPE_DOCKER_LIST,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  isDigest,
  sha256
} from "./chunk-AYVEAJJV.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/dest/registry.ts
import { Readable as Readable2 } from "node:stream";

// src/registry/blob-map.ts
var BLOB_MAP_TAG = "longshore-blob-map";
var BLOB_MAP_TYPE = "application/vnd.longshore.blob-map.v1+json";
var EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 };
var MAX_ENTRIES = 2e3;
function parse(bytes) {
  const doc = JSON.parse(bytes.toString("utf8"));
  if (doc.version !== 1 || !Array.isArray(doc.entries)) return [];
  return doc.entries.filter(
    (e) => !!e && isDigest(e.diffID) && isDigest(e.digest) && typeof e.size === "number" && typeof e.mediaType === "string" && (e.compressor === void 0 || typeof e.compressor === "string")
  );
}
async function readBlobMap(api) {
  const entries = await readEntries(api);
  return entries ? { found: true, entries } : { found: false, entries: [] };
}
async function readEntries(api) {
  const m = await api.getManifest(BLOB_MAP_TAG, MEDIA_TYPE_OCI_MANIFEST);
  if (!m) return void 0;
  let doc;
  try {
    doc = JSON.parse(m.bytes.toString("utf8"));
  } catch {
    return void 0;
  }
  const layer = doc.artifactType === BLOB_MAP_TYPE && Array.isArray(doc.layers) ? doc.layers.find((l) => l?.mediaType === BLOB_MAP_TYPE) : void 0;
  if (!layer || !isDigest(layer.digest)) return void 0;
  try {
    return parse(await api.getBlobBytes(layer.digest));
  } catch {
    return void 0;
  }
}
function mergeBlobMap(pushed, read) {
  const out = [];
  const seen = /* @__PURE__ */ new Set();
  for (const e of [...pushed, ...read]) {
    const key = `${e.diffID} ${e.digest}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ diffID: e.diffID, digest: e.digest, size: e.size, mediaType: e.mediaType, ...e.compressor ? { compressor: e.compressor } : {} });
    if (out.length === MAX_ENTRIES) break;
  }
  return out;
}
async function writeBlobMap(api, previous, entries, upload) {
  if (previous.found && JSON.stringify(entries) === JSON.stringify(previous.entries)) return;
  const record = Buffer.from(JSON.stringify({ version: 1, entries }));
  const digest = sha256(record);
  if (!previous.found && !await api.hasBlob(EMPTY.digest, EMPTY.size)) await upload(Buffer.from("{}"), EMPTY.digest);
  await upload(record, digest);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      artifactType: BLOB_MAP_TYPE,
      config: EMPTY,
      layers: [{ mediaType: BLOB_MAP_TYPE, digest, size: record.length }],
      annotations: { "org.opencontainers.image.description": "longshore: compressed blobs of uncompressed layers pushed to this repository" }
    })
  );
  await api.putManifest(BLOB_MAP_TAG, manifest, MEDIA_TYPE_OCI_MANIFEST);
}

// src/registry/upload.ts
import { Readable } from "node:stream";
var CHUNK_SIZE = 4 << 20;
var FIRST_CHUNK_SIZE = 1 << 20;
var SinglePatchOnly = class extends Error {
};
async function pushBlob(api, src, ev, modes = {}, retry = DEFAULT_RETRY) {
  const what = `uploading ${src.label} to ${api.where}`;
  let session = src.session;
  const attempt = async () => {
    let location = session ?? await api.startUpload(what);
    session = void 0;
    ev.state("uploading");
    const body = src.open();
    let streamError;
    body.on("error", (e) => streamError ??= e);
    let verified;
    let got;
    try {
      if (src.digest !== void 0 && src.size !== void 0 && !modes.noMonolithic) {
        try {
          verified = await api.putBlob(location, src.digest, body, src.size, what);
          got = { digest: src.digest, size: src.size };
        } catch (e) {
          if (!(e instanceof UserError && e.status === 413)) throw e;
          modes.noMonolithic = true;
          throw new TransientError(`${what}: the registry refused the blob in one request (413); sending it in chunks`, void 0, "UPLOAD_LOST");
        }
      } else if (modes.singlePatch) {
        const res = await api.patchChunk(location, body, what);
        if (res.status !== 202 && res.status !== 201 && res.status !== 204) throw api.client.error(what, res);
        got = await body.measured;
        verified = await api.closeUpload(header1(res.headers, "location") ? nextLocation(res, what) : location, got.digest, what);
      } else {
        const chunks = ahead(chunksOf(body));
        const first = await chunks.next();
        if (!first.done && first.value.last && !modes.noMonolithic) {
          got = await body.measured;
          verified = await api.putBlob(location, got.digest, Readable.from(first.value.pieces), got.size, what);
        } else {
          location = await sendChunks(api, location, first, chunks, what, retry);
          got = await body.measured;
          verified = await api.closeUpload(location, got.digest, what);
        }
      }
    } catch (e) {
      body.destroy();
      if (streamError instanceof UserError) throw streamError;
      await api.cancelUpload(location).catch(() => void 0);
      if (e instanceof SinglePatchOnly) {
        modes.singlePatch = true;
        throw new TransientError(`${what}: the registry answered a PATCH with 201, as ECR does; sending the blob as one PATCH`, void 0, "UPLOAD_LOST");
      }
      throw e;
    }
    if (!verified && !await api.hasBlob(got.digest, got.size)) {
      throw new TransientError(`${what}: the registry accepted the upload but does not have the blob`, void 0, "UPLOAD_LOST");
    }
    return got;
  };
  return withRetry(attempt, {
    ...retry,
    onRetry: (n, err, delay) => {
      ev.state(`retry ${n} in ${(delay / 1e3).toFixed(1)} s: ${err.message}`);
      retry.onRetry?.(n, err, delay);
    }
  });
}
var Chunk = class {
  constructor(pieces, length, last) {
    this.pieces = pieces;
    this.length = length;
    this.last = last;
  }
  pieces;
  length;
  last;
  /** The bytes from `from` on, as pieces (no copy). */
  from(from) {
    const out = [];
    for (const p of this.pieces) {
      if (from >= p.length) {
        from -= p.length;
        continue;
      }
      out.push(from > 0 ? p.subarray(from) : p);
      from = 0;
    }
    return out;
  }
};
async function* chunksOf(src) {
  let size = FIRST_CHUNK_SIZE;
  let parts = [];
  let have = 0;
  for await (const c of src) {
    let rest = c;
    while (have + rest.length >= size) {
      const take = size - have;
      parts.push(rest.subarray(0, take));
      yield new Chunk(parts, size, false);
      parts = [];
      have = 0;
      rest = rest.subarray(take);
      size = CHUNK_SIZE;
    }
    if (rest.length) {
      parts.push(rest);
      have += rest.length;
    }
  }
  if (have) yield new Chunk(parts, have, true);
}
async function* ahead(it) {
  let next = it.next();
  try {
    for (; ; ) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      next.catch(() => {
      });
      yield r.value;
    }
  } finally {
    await it.return?.(void 0);
  }
}
async function resumeAt(api, location, what, offset, length, cause) {
  let status;
  try {
    status = await api.uploadStatus(location, what);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    throw cause;
  }
  if (status.received < offset || status.received > offset + length)
    throw new TransientError(`${what}: the registry holds ${status.received} bytes, outside the chunk at ${offset}; starting the blob again`, void 0, "UPLOAD_LOST");
  return status;
}
async function sendChunks(api, location, first, rest, what, retry) {
  let offset = 0;
  for (let step = first; !step.done; step = await rest.next()) {
    const chunk = step.value;
    let sent = offset;
    for (let failures = 0; sent < offset + chunk.length; ) {
      let res;
      try {
        res = await api.patchChunk(location, chunk.from(sent - offset), what, sent);
      } catch (e) {
        if (retryKind(e) === "never" || ++failures >= retry.attempts) throw e;
        await new Promise((r) => setTimeout(r, backoffMs(failures, retry)));
        ({ location, received: sent } = await resumeAt(api, location, what, offset, chunk.length, e));
        continue;
      }
      if (res.status === 201) throw new SinglePatchOnly();
      if (res.status === 416) {
        const refused = api.client.error(what, res);
        if (++failures >= retry.attempts) throw refused;
        ({ location, received: sent } = await resumeAt(api, location, what, offset, chunk.length, new TransientError(refused.message, void 0, "UPLOAD_LOST")));
        continue;
      }
      if (res.status !== 202 && res.status !== 204) throw api.client.error(what, res);
      location = header1(res.headers, "location") ? nextLocation(res, what) : location;
      const held = receivedBytes(res);
      sent = held > sent ? held : sent + (chunk.length - (sent - offset));
    }
    offset += chunk.length;
  }
  return location;
}

// src/dest/registry.ts
function mountSource(sourceRepository, ref, flag) {
  for (const cand of [sourceRepository, flag]) {
    if (!cand) continue;
    const name = parseName(cand, `mounting from ${cand}`);
    const parsed = name.host !== void 0 ? parseRegistryReference(cand) : { ...ref, repository: name.path };
    if (parsed.registry === ref.registry && parsed.repository !== ref.repository) return parsed.repository;
  }
  return void 0;
}
var IMAGE_ACCEPT = [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_DOCKER_LIST].join(", ");
var MAX_INDEX_IMAGES = 16;
var RegistryDestination = class {
  constructor(ref, flags, cacheFrom) {
    this.ref = ref;
    this.flags = flags;
    this.cacheFrom = cacheFrom;
    this.description = `docker://${formatReference(ref, ref.tag)}${ref.digest ? "@" + ref.digest : ""}`;
  }
  ref;
  flags;
  cacheFrom;
  capabilities = {
    reuse: "probe",
    serial: false,
    putAction: "uploaded",
    configBeside: true,
    compressions: ["gzip", "zstd", "none"],
    defaultCompression: "gzip",
    followsImageCompression: true,
    needsSizeFirst: false,
    // Every image of an index, by digest, then the index under the tag.
    index: "all"
  };
  description;
  client;
  api;
  /** Upload sessions a refused mount opened (202), used by the blob's upload. */
  sessions = /* @__PURE__ */ new Map();
  /** What uploads this registry takes, learnt as the copy goes. */
  modes = {};
  known;
  /** Compressed blobs this copy made present, for the record. */
  pushed = [];
  /** The tag being pushed (none for a push by digest). */
  tagNow;
  tag(target) {
    return this.ref.digest ? void 0 : this.ref.tag ?? target.tag ?? "latest";
  }
  async open(target) {
    const ref = this.ref;
    const digest = isIndex(target) ? target.index.digest : target.manifest.digest;
    if (ref.digest && ref.digest !== digest) {
      throw new UserError("DIGEST_MISMATCH", `${this.description}: the ${isIndex(target) ? "image index" : "image's manifest"} is ${digest}, not ${ref.digest}`);
    }
    const credential = await resolveCredential(ref.registry, ref.repository, this.flags);
    this.client = new RegistryClient({ ref, credential, tlsVerify: this.flags.tlsVerify, caCert: this.flags.caCert, debug: debugEnabled() });
    await this.client.ping();
    this.api = new RepositoryApi(this.client, ref.repository);
    this.tagNow = this.tag(target);
    return {};
  }
  /**
   * Compressed blobs the registry holds for uncompressed layers, read once, when the first blob
   * compressed on the way asks: the image under the tag being pushed, the repository's record,
   * the image under --cache-from, and the record of the --mount-from repository. What cannot be
   * read adds nothing.
   */
  knownBlobs() {
    return this.known ??= (async () => {
      const api = this.api;
      const fromImage = async (repoApi, reference, nested = false) => {
        if (!reference) return [];
        try {
          const m = await repoApi.getManifest(reference, IMAGE_ACCEPT);
          if (m && !nested && INDEX_TYPES.has(m.mediaType)) {
            const list = JSON.parse(m.bytes.toString("utf8")).manifests ?? [];
            const digests = list.map((e) => e.digest).filter((d) => typeof d === "string").slice(0, MAX_INDEX_IMAGES);
            return (await Promise.all(digests.map((d) => fromImage(repoApi, d, true)))).flat();
          }
          if (!m || !IMAGE_MANIFEST_TYPES.has(m.mediaType)) return [];
          const manifest = JSON.parse(m.bytes.toString("utf8"));
          if (!manifest.config?.digest) return [];
          const config = JSON.parse((await repoApi.getBlobBytes(manifest.config.digest)).toString("utf8"));
          return pairsFromImage(manifest, config).map((k) => ({ ...k, repository: repoApi.repository }));
        } catch (e) {
          if (e instanceof UserError || e instanceof SyntaxError) return [];
          throw e;
        }
      };
      const cache = this.cacheFrom;
      const cacheApi = cache ? new RepositoryApi(this.client, cache.repository) : void 0;
      const mountRepo = mountSource(void 0, this.ref, this.flags.mountFrom);
      const none = { found: false, entries: [] };
      const recordOf = (repoApi) => readBlobMap(repoApi).catch(() => none);
      const candidates = (r, repoApi) => r.entries.map((k) => ({ ...k, repository: repoApi.repository }));
      const mountApi = mountRepo ? new RepositoryApi(this.client, mountRepo) : void 0;
      const [own, record, cached, mountable] = await Promise.all([
        fromImage(api, this.tagNow),
        recordOf(api),
        cacheApi ? fromImage(cacheApi, cache.digest ?? cache.tag ?? "latest") : Promise.resolve([]),
        mountApi ? recordOf(mountApi) : Promise.resolve(none)
      ]);
      const blobs = new KnownBlobs();
      for (const list of [own, candidates(record, api), cached, mountApi ? candidates(mountable, mountApi) : []]) blobs.add(list);
      return { blobs, record };
    })();
  }
  async tryReuseBlob(blob, ctx) {
    const api = this.api;
    if (blob.digest === void 0) return this.reuseCompressed(blob, ctx);
    if (await api.hasBlob(blob.digest, blob.size)) return { action: "skipped", detail: "already in registry" };
    const from = mountSource(blob.sourceRepository, this.ref, this.flags.mountFrom);
    if (!from) return void 0;
    const m = await api.mount(blob.digest, from);
    if (m.mounted) return { action: "mounted", detail: `from ${from}` };
    if (m.location) this.sessions.set(blob.digest, m.location);
    return void 0;
  }
  /** A layer compressed on the way: a blob the registry holds for it, confirmed by HEAD (or mounted from --cache-from). */
  async reuseCompressed(blob, _ctx) {
    const api = this.api;
    const { blobs, record } = await this.knownBlobs();
    const learn = (k) => {
      if (!record.entries.some((e) => e.diffID === k.diffID && e.digest === k.digest)) this.pushed.push(k);
    };
    for (const k of blobs.candidates(blob.diffID, blob.mediaType)) {
      const descriptor = { mediaType: blob.mediaType, digest: k.digest, size: k.size, ...k.compressor ? { annotations: { [COMPRESSOR_ANNOTATION]: k.compressor } } : {} };
      if (await api.hasBlob(k.digest, k.size)) {
        learn(k);
        return { action: "skipped", detail: "already in registry, compressed", descriptor };
      }
      if (k.repository !== api.repository && (await api.mount(k.digest, k.repository)).mounted) {
        learn(k);
        return { action: "mounted", detail: `from ${k.repository}, compressed`, descriptor };
      }
    }
    return void 0;
  }
  async putBlob(blob, events) {
    const session = blob.digest ? this.sessions.get(blob.digest) : void 0;
    if (blob.digest) this.sessions.delete(blob.digest);
    const label = blob.digest ? `${blob.kind} ${blob.digest}` : `${blob.kind} ${blob.diffID} (${blob.compression})`;
    const held = await pushBlob(this.api, { digest: blob.digest, size: blob.size, open: () => blob.open(), label, session }, events, this.modes);
    if (blob.digest === void 0 && blob.diffID)
      this.pushed.push({ diffID: blob.diffID, digest: held.digest, size: held.size, mediaType: blob.mediaType, ...blob.annotations?.[COMPRESSOR_ANNOTATION] ? { compressor: blob.annotations[COMPRESSOR_ANNOTATION] } : {} });
    return held;
  }
  async commit(_image, manifest, ctx) {
    return this.name(manifest, ctx);
  }
  /** An image of an index: its manifest by digest, present, under no tag. */
  async commitChild(_image, manifest) {
    await this.api.putManifest(manifest.digest, manifest.bytes, manifest.mediaType);
  }
  /** The index, once every image of it is present: the tag moves here. */
  async commitIndex(_index, bytes, ctx) {
    return this.name(bytes, ctx);
  }
  /** The manifest (or index) under the tag, then under --tag's, each a PUT of the same bytes; then the record. */
  async name(manifest, ctx) {
    const ref = this.ref;
    const tag = this.tagNow;
    const digest = await this.api.putManifest(tag ?? manifest.digest, manifest.bytes, manifest.mediaType);
    const more = extraTags(this.flags, tag, (t) => checkTag(t, `--tag ${t}`));
    for (const t of more) await this.api.putManifest(t, manifest.bytes, manifest.mediaType);
    if (this.pushed.length > 0) await this.updateRecord(ctx);
    const first = tag ? formatReference(ref, tag) : `${formatReference(ref)}@${digest}`;
    return { reference: first, ...more.length ? { references: [first, ...more.map((t) => formatReference(ref, t))] } : {}, manifestDigest: digest };
  }
  /** The record of compressed blobs, with this push's first; a failure costs later pushes a compression, not this one. */
  async updateRecord(ctx) {
    const api = this.api;
    try {
      const { record } = await this.knownBlobs();
      const entries = mergeBlobMap(this.pushed, record.entries);
      const upload = async (bytes, digest) => {
        await pushBlob(api, { digest, size: bytes.length, open: () => measuring(Readable2.from([bytes]), { digest, size: bytes.length }), label: `record ${digest}` }, { state() {
        } }, this.modes);
      };
      await writeBlobMap(api, record, entries, upload);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      ctx.progress.info(`warning: the image is pushed, but the record of its compressed layers was not updated (${e.message}); a later push from a machine without them may compress them again`);
    }
  }
  async close() {
    const api = this.api;
    if (api) for (const loc of this.sessions.values()) await api.cancelUpload(loc);
    this.sessions.clear();
    await this.client?.close();
    this.client = void 0;
  }
};
function parseCacheFrom(value, ref) {
  const v = value.replace(/^docker:\/\//, "");
  const name = parseName(v.replace(/[:@][^/]*$/, ""), `--cache-from ${value}`);
  const parsed = name.host !== void 0 ? parseRegistryReference(v, `--cache-from ${value}`) : parseRegistryReference(`${ref.registry}/${v}`, `--cache-from ${value}`);
  if (parsed.registry !== ref.registry) throw new UserError("USAGE", `--cache-from ${value}: must be on the registry being pushed to (${ref.registry})`);
  return parsed;
}
var parseRegistryDestination = (rest, flags) => {
  if (flags.mountFrom) parseName(flags.mountFrom, `--mount-from ${flags.mountFrom}`);
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  const ref = parseRegistryReference(rest);
  return new RegistryDestination(ref, flags, flags.cacheFrom ? parseCacheFrom(flags.cacheFrom, ref) : void 0);
};
export {
  RegistryDestination,
  mountSource,
  parseRegistryDestination
};
