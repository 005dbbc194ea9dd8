import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  addImageBlobs,
  putBlobFile,
  reuseBlobFile
} from "./chunk-GBOC2TZ3.mjs";
import {
  KnownBlobs
} from "./chunk-AEDLIB2P.mjs";
import {
  isIndex
} from "./chunk-BWZXFGLC.mjs";
import {
  digestHex
} from "./chunk-AYVEAJJV.mjs";
import {
  fileError,
  makeDirectory,
  writeAtomically
} from "./chunk-5SF5CXX5.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/dest/dir.ts
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
var DIR_VERSION = "Directory Transport Version: 1.1\n";
var MANIFEST = "manifest.json";
var BLOB_NAME = /^[0-9a-f]{64}$/;
var SIGNATURE_NAME = /^signature-[0-9]+$/;
var DirDestination = class {
  constructor(dir) {
    this.dir = dir;
    this.description = `dir:${dir}`;
  }
  dir;
  capabilities = {
    reuse: "probe",
    serial: false,
    putAction: "written",
    configBeside: false,
    compressions: ["none", "gzip", "zstd"],
    defaultCompression: "none",
    followsImageCompression: true,
    needsSizeFirst: false,
    // One image per directory: of an index, the one for this machine's platform (or --platform's).
    index: "one"
  };
  description;
  blobPath(digest) {
    return join(this.dir, digestHex(digest));
  }
  /** Refuses a directory that holds something other than an image (as skopeo does), creates a new one. */
  async open(target) {
    if (isIndex(target)) throw new Error(`${this.description} takes one image of an index, not the index`);
    let entries;
    try {
      entries = await readdir(this.dir);
    } catch (e) {
      if (e.code !== "ENOENT") throw fileError(e, this.dir, "reading");
      entries = [];
    }
    if (entries.length > 0) {
      const version = await readFile(join(this.dir, "version"), "utf8").catch(() => void 0);
      if (version !== DIR_VERSION)
        throw new UserError(
          "INVALID_LAYOUT",
          `${this.description}: ${this.dir} is not empty and is not an image directory (${version === void 0 ? 'no "version" file' : `its "version" file does not read ${JSON.stringify(DIR_VERSION)}`}); refusing to write into it`,
          "name a new or empty directory, or one that skopeo or longshore wrote with dir:"
        );
      return {};
    }
    await makeDirectory(this.dir);
    await writeFile(join(this.dir, "version"), DIR_VERSION).catch((e) => {
      throw fileError(e, join(this.dir, "version"));
    });
    return {};
  }
  tryReuseBlob(blob) {
    return reuseBlobFile(blob, (d) => this.blobPath(d), () => this.known(), "already in directory");
  }
  knownBlobs;
  /** The compressed layers of the image the directory holds (nothing, when there is none or it cannot be read). */
  known() {
    return this.knownBlobs ??= (async () => {
      const known = new KnownBlobs();
      try {
        await addImageBlobs(known, JSON.parse(await readFile(join(this.dir, MANIFEST), "utf8")), (d) => this.blobPath(d));
      } catch {
      }
      return known;
    })();
  }
  putBlob(blob) {
    return putBlobFile(blob, (d) => this.blobPath(d), this.dir);
  }
  async commit(image, manifest) {
    const file = join(this.dir, MANIFEST);
    await writeAtomically(file, (tmp) => writeFile(tmp, manifest.bytes));
    const doc = JSON.parse(manifest.bytes.toString("utf8"));
    const keep = new Set([doc.config.digest, ...doc.layers.map((l) => l.digest)].map(digestHex));
    for (const name of await readdir(this.dir)) {
      if (BLOB_NAME.test(name) && !keep.has(name) || SIGNATURE_NAME.test(name))
        await rm(join(this.dir, name), { force: true }).catch((e) => {
          throw fileError(e, join(this.dir, name), "removing");
        });
    }
    return { reference: this.description, manifestDigest: manifest.digest };
  }
  async close() {
  }
};
var parseDirDestination = (rest, flags) => {
  if (!rest) throw new UserError("INVALID_REFERENCE", "dir: needs a directory, as in dir:DIR");
  if (flags.tags?.length) throw new UserError("USAGE", `dir:${rest}: a dir: directory holds one image under no tag; --tag does not apply`);
  return new DirDestination(rest);
};

export {
  DIR_VERSION,
  DirDestination,
  parseDirDestination
};
