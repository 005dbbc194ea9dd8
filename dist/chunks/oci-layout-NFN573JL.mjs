import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  addImageBlobs,
  hasBlobFile,
  putBlobFile,
  readBlobJson,
  reuseBlobFile
} from "./chunk-UNAYW2DD.mjs";
import {
  KnownBlobs
} from "./chunk-KMF2HFYC.mjs";
import {
  fileError,
  writeAtomically
} from "./chunk-ERSFCDHN.mjs";
import {
  checkOciLayoutTag
} from "./chunk-JO7HQLJM.mjs";
import {
  MEDIA_TYPE_OCI_INDEX,
  digestHex
} from "./chunk-CIGM6B6C.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/dest/oci-layout.ts
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
var REF_NAME = "org.opencontainers.image.ref.name";
var OciLayoutDestination = class {
  constructor(dir, tag) {
    this.dir = dir;
    this.tag = tag;
    this.description = `oci:${dir}${tag ? ":" + tag : ""}`;
  }
  dir;
  tag;
  capabilities = {
    reuse: "probe",
    serial: false,
    putAction: "written",
    configBeside: false,
    compressions: ["none", "gzip", "zstd"],
    defaultCompression: "none",
    followsImageCompression: true,
    needsSizeFirst: false
  };
  description;
  blobPath(digest) {
    return join(this.dir, "blobs", "sha256", digestHex(digest));
  }
  async open() {
    await mkdir(join(this.dir, "blobs", "sha256"), { recursive: true }).catch((e) => {
      throw fileError(e, this.dir, "creating");
    });
    return {};
  }
  tryReuseBlob(blob) {
    return reuseBlobFile(blob, (d) => this.blobPath(d), () => this.known(), "already in layout");
  }
  knownBlobs;
  /** The compressed layers of the images index.json names (an unreadable one is passed over). */
  known() {
    return this.knownBlobs ??= (async () => {
      const known = new KnownBlobs();
      const pathOf = (d) => this.blobPath(d);
      let entries = [];
      try {
        const index = JSON.parse(await readFile(join(this.dir, "index.json"), "utf8"));
        if (Array.isArray(index.manifests)) entries = index.manifests;
      } catch {
      }
      for (const m of entries) {
        try {
          await addImageBlobs(known, await readBlobJson(pathOf, m.digest), pathOf);
        } catch {
        }
      }
      return known;
    })();
  }
  putBlob(blob) {
    return putBlobFile(blob, (d) => this.blobPath(d), join(this.dir, "blobs", "sha256"));
  }
  async commit(image, manifest) {
    const tag = this.tag ?? image.tag;
    const manifestFile = this.blobPath(manifest.digest);
    if (!await hasBlobFile(manifestFile, manifest.size)) await writeAtomically(manifestFile, (tmp) => writeFile(tmp, manifest.bytes));
    const layoutFile = join(this.dir, "oci-layout");
    await writeFile(layoutFile, JSON.stringify({ imageLayoutVersion: "1.0.0" })).catch((e) => {
      throw fileError(e, layoutFile);
    });
    const indexFile = join(this.dir, "index.json");
    let index = { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [] };
    try {
      index = JSON.parse(await readFile(indexFile, "utf8"));
      if (!Array.isArray(index.manifests)) throw new Error('no "manifests" list');
    } catch (e) {
      if (e.code !== "ENOENT") throw new UserError("INVALID_LAYOUT", `${indexFile}: not an OCI index: ${e.message}`);
    }
    const entry = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, ...tag ? { annotations: { [REF_NAME]: tag } } : {} };
    index.manifests = index.manifests.filter((m) => tag ? m.annotations?.[REF_NAME] !== tag : m.digest !== entry.digest);
    index.manifests.push(entry);
    await writeAtomically(indexFile, (tmp) => writeFile(tmp, JSON.stringify(index)));
    return { reference: `oci:${this.dir}${tag ? ":" + tag : ""}`, manifestDigest: manifest.digest };
  }
  async close() {
  }
};
var parseOciLayoutDestination = (rest) => {
  const i = rest.lastIndexOf(":");
  const path = i <= 0 ? rest : rest.slice(0, i);
  const tag = i <= 0 ? void 0 : rest.slice(i + 1);
  if (!path) throw new UserError("INVALID_REFERENCE", "oci: needs a directory, as in oci:DIR[:TAG]");
  if (tag !== void 0) checkOciLayoutTag(tag, `oci:${rest}`);
  return new OciLayoutDestination(path, tag);
};
export {
  OciLayoutDestination,
  parseOciLayoutDestination
};
