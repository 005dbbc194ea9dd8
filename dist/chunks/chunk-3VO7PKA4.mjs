import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  END_OF_ARCHIVE,
  headerLength,
  padding,
  writeHeader
} from "./chunk-U7P74N4L.mjs";
import {
  MEDIA_TYPE_OCI_INDEX,
  digestHex
} from "./chunk-AYVEAJJV.mjs";
import {
  DigestMismatchError,
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/archive/archive.ts
import { PassThrough } from "node:stream";
var FIXED = { uid: 0, gid: 0, uname: "", gname: "", mtime: 1 };
var blobName = (digest) => `blobs/sha256/${digestHex(digest)}`;
function header(h) {
  const buf = Buffer.alloc(headerLength(h));
  writeHeader(h, buf, 0);
  return buf;
}
function fileEntry(name, bytes) {
  return Buffer.concat([header({ ...FIXED, name, type: "file", mode: 420, size: bytes.length }), bytes, Buffer.alloc(padding(bytes.length))]);
}
var dirEntry = (name) => header({ ...FIXED, name, type: "directory", mode: 493, size: 0 });
var ARCHIVE_HEAD = fileEntry("oci-layout", Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
function fullDockerName(ref) {
  const slash = ref.indexOf("/");
  const first = slash < 0 ? "" : ref.slice(0, slash);
  if (first && (first.includes(".") || first.includes(":") || first === "localhost")) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}
function repositoriesJson(image, repoTags) {
  const top = image.layers.at(-1);
  const repos = {};
  for (const rt of repoTags) {
    const i = rt.lastIndexOf(":");
    if (i <= rt.lastIndexOf("/") || !top) continue;
    (repos[rt.slice(0, i)] ??= {})[rt.slice(i + 1)] = digestHex(top.diffID);
  }
  return Buffer.from(JSON.stringify(repos));
}
function indexJson(format, manifest, names) {
  const entries = Array.from({ length: Math.max(1, names.repoTags.length, names.refNames.length) }, (_, i) => {
    const annotations = {};
    const name = names.repoTags[i];
    if (name) annotations["io.containerd.image.name"] = format === "docker" ? fullDockerName(name) : name;
    if (names.refNames[i]) annotations["org.opencontainers.image.ref.name"] = names.refNames[i];
    return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, ...Object.keys(annotations).length ? { annotations } : {} };
  });
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: entries }));
}
var ImageArchive = class {
  /** headSent: the receiver already has ARCHIVE_HEAD (a load opened early). */
  constructor(format, opts = {}) {
    this.format = format;
    this.stream.on("error", () => {
    });
    if (!opts.headSent) this.stream.write(ARCHIVE_HEAD);
    this.stream.write(Buffer.concat([dirEntry("blobs/"), dirEntry("blobs/sha256/")]));
  }
  format;
  stream = new PassThrough({ highWaterMark: 1 << 20 });
  failure;
  finished = false;
  /**
   * Ties the archive to its receiver: if the receiver fails (a refused load, a full disk) or stops
   * reading before the end, writes fail with the receiver's error instead of waiting forever.
   */
  attach(receiver) {
    receiver.then(
      () => {
        if (!this.finished) this.abort(new UserError("DAEMON_REFUSED", "the receiver stopped reading before the archive ended"));
      },
      (e) => this.abort(e)
    );
  }
  async write(chunk) {
    if (this.failure !== void 0) throw this.failure;
    if (this.stream.write(chunk)) return;
    await new Promise((resolve, reject) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        if (this.failure !== void 0) reject(this.failure);
        else resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
    });
  }
  /**
   * Adds blobs/sha256/<hex> with `size` bytes from `src`. The entry's header goes first, so the
   * bytes must be those measured before (a blob compressed on the way is made twice): a stream
   * that delivers other bytes fails the archive.
   */
  async putBlob(digest, size, src) {
    await this.write(header({ ...FIXED, name: blobName(digest), type: "file", mode: 420, size }));
    let n = 0;
    for await (const chunk of src) {
      n += chunk.length;
      if (n > size) break;
      await this.write(chunk);
    }
    const got = n > size ? void 0 : await src.measured;
    if (!got || got.digest !== digest || got.size !== size)
      throw new DigestMismatchError(`${blobName(digest)}: the blob came out as ${got ? `${got.digest} (${got.size} bytes)` : `more than ${size} bytes`} the second time it was made; the compressor is not deterministic here`, digest);
    if (padding(size)) await this.write(Buffer.alloc(padding(size)));
  }
  /** Adds a manifest (or an image index) as a blob: an image of an index, or the index itself. */
  async putManifest(manifest) {
    await this.write(fileEntry(blobName(manifest.digest), manifest.bytes));
  }
  /** oci: adds the image index as a blob and index.json naming it, and ends the archive (its images' manifests were put before). */
  async finishIndex(index, names) {
    if (this.format !== "oci") throw new Error("a docker-archive holds no image index");
    await this.write(Buffer.concat([fileEntry(blobName(index.digest), index.bytes), fileEntry("index.json", indexJson(this.format, index, names)), Buffer.alloc(END_OF_ARCHIVE)]));
    this.finished = true;
    this.stream.end();
  }
  /** Adds the manifest, index.json (and Docker's manifest.json and repositories), and ends the archive. */
  async finish(image, manifest, names) {
    const parts = [fileEntry(blobName(manifest.digest), manifest.bytes), fileEntry("index.json", indexJson(this.format, manifest, names))];
    if (this.format === "docker") {
      const layers = JSON.parse(manifest.bytes.toString("utf8")).layers;
      const list = [{ Config: blobName(image.config.digest), RepoTags: names.repoTags, Layers: layers.map((l) => blobName(l.digest)) }];
      parts.push(fileEntry("manifest.json", Buffer.from(JSON.stringify(list))), fileEntry("repositories", repositoriesJson(image, names.repoTags)));
    }
    parts.push(Buffer.alloc(END_OF_ARCHIVE));
    await this.write(Buffer.concat(parts));
    this.finished = true;
    this.stream.end();
  }
  /** Fails the stream: the receiver sees an archive cut short, with an error, and keeps nothing. */
  abort(e) {
    if (this.finished || this.failure !== void 0) return;
    this.failure = e;
    this.stream.destroy(e instanceof Error ? e : new Error(String(e)));
  }
};

export {
  ARCHIVE_HEAD,
  ImageArchive
};
