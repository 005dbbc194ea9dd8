import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  addImageBlobs,
  hasBlobFile,
  putBlobFile,
  readBlobJson,
  reuseBlobFile
} from "./chunk-GBOC2TZ3.mjs";
import {
  KnownBlobs
} from "./chunk-AEDLIB2P.mjs";
import {
  extraTags
} from "./chunk-ZZT7JNPV.mjs";
import {
  checkOciLayoutTag
} from "./chunk-JO7HQLJM.mjs";
import {
  MEDIA_TYPE_OCI_INDEX,
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
import "./chunk-MKYGQBWT.mjs";

// src/dest/oci-layout.ts
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
var REF_NAME = "org.opencontainers.image.ref.name";
var OciLayoutDestination = class {
  constructor(dir, tag, flags = {}) {
    this.dir = dir;
    this.tag = tag;
    this.flags = flags;
    this.description = `oci:${dir}${tag ? ":" + tag : ""}`;
  }
  dir;
  tag;
  flags;
  capabilities = {
    reuse: "probe",
    serial: false,
    putAction: "written",
    configBeside: false,
    compressions: ["none", "gzip", "zstd"],
    defaultCompression: "none",
    followsImageCompression: true,
    needsSizeFirst: false,
    index: "all"
  };
  description;
  blobPath(digest) {
    return join(this.dir, "blobs", "sha256", digestHex(digest));
  }
  async open() {
    await makeDirectory(join(this.dir, "blobs", "sha256"));
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
    await this.writeBlob(manifest);
    return this.name(manifest, image.tag);
  }
  async commitChild(_image, manifest) {
    await this.writeBlob(manifest);
  }
  async commitIndex(index, bytes) {
    await this.writeBlob(bytes);
    return this.name(bytes, index.tag);
  }
  async writeBlob(b) {
    const file = this.blobPath(b.digest);
    if (!await hasBlobFile(file, b.size)) await writeAtomically(file, (tmp) => writeFile(tmp, b.bytes));
  }
  /** index.json names the manifest (or image index) under the tag and --tag's, moving last. */
  async name(manifest, defaultTag) {
    const first = this.tag ?? defaultTag;
    const tags = [...first ? [first] : [], ...extraTags(this.flags, first, (t) => checkOciLayoutTag(t, `--tag ${t}`))];
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
    const desc = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
    const entries = tags.length ? tags.map((t) => ({ ...desc, annotations: { [REF_NAME]: t } })) : [desc];
    index.manifests = index.manifests.filter((m) => tags.length ? !tags.includes(m.annotations?.[REF_NAME]) : m.digest !== desc.digest);
    index.manifests.push(...entries);
    await writeAtomically(indexFile, (tmp) => writeFile(tmp, JSON.stringify(index)));
    const refs = tags.length ? tags.map((t) => `oci:${this.dir}:${t}`) : [`oci:${this.dir}`];
    return { reference: refs[0], ...refs.length > 1 ? { references: refs } : {}, manifestDigest: manifest.digest };
  }
  async close() {
  }
};
var parseOciLayoutDestination = (rest, flags) => {
  const i = rest.lastIndexOf(":");
  const path = i <= 0 ? rest : rest.slice(0, i);
  const tag = i <= 0 ? void 0 : rest.slice(i + 1);
  if (!path) throw new UserError("INVALID_REFERENCE", "oci: needs a directory, as in oci:DIR[:TAG]");
  if (tag !== void 0) checkOciLayoutTag(tag, `oci:${rest}`);
  for (const t of flags.tags ?? []) checkOciLayoutTag(t, `--tag ${t}`);
  return new OciLayoutDestination(path, tag, flags);
};
export {
  OciLayoutDestination,
  parseOciLayoutDestination
};
