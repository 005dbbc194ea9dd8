import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  KnownBlobs,
  pairsFromImage
} from "./chunk-KMF2HFYC.mjs";
import {
  fileError,
  writeAtomically
} from "./chunk-ERSFCDHN.mjs";
import {
  checkOciLayoutTag
} from "./chunk-7RPV3IJF.mjs";
import {
  COMPRESSOR_ANNOTATION,
  MEDIA_TYPE_OCI_INDEX,
  digestHex,
  isDigest
} from "./chunk-CIGM6B6C.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/dest/oci-layout.ts
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
var REF_NAME = "org.opencontainers.image.ref.name";
async function exists(file, size) {
  try {
    return (await stat(file)).size === size;
  } catch {
    return false;
  }
}
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
  async tryReuseBlob(blob) {
    if (blob.digest !== void 0) return await exists(this.blobPath(blob.digest), blob.size) ? { action: "skipped", detail: "already in layout" } : void 0;
    for (const k of (await this.known()).candidates(blob.diffID, blob.mediaType)) {
      if (await exists(this.blobPath(k.digest), k.size))
        return { action: "skipped", detail: "already in layout", descriptor: { mediaType: k.mediaType, digest: k.digest, size: k.size, ...k.compressor ? { annotations: { [COMPRESSOR_ANNOTATION]: k.compressor } } : {} } };
    }
    return void 0;
  }
  knownBlobs;
  /** The compressed layers of the images index.json names (an unreadable one is passed over). */
  known() {
    return this.knownBlobs ??= (async () => {
      const known = new KnownBlobs();
      const json = async (digest) => isDigest(digest) ? JSON.parse(await readFile(this.blobPath(digest), "utf8")) : void 0;
      let entries = [];
      try {
        const index = JSON.parse(await readFile(join(this.dir, "index.json"), "utf8"));
        if (Array.isArray(index.manifests)) entries = index.manifests;
      } catch {
      }
      for (const m of entries) {
        try {
          const manifest = await json(m.digest);
          known.add(pairsFromImage(manifest, await json(manifest?.config?.digest)));
        } catch {
        }
      }
      return known;
    })();
  }
  async putBlob(blob) {
    if (blob.digest !== void 0) {
      await writeAtomically(this.blobPath(blob.digest), (tmp2) => pipeline(blob.open(), createWriteStream(tmp2)));
      return { digest: blob.digest, size: blob.size };
    }
    const src = blob.open();
    const tmp = join(this.dir, "blobs", "sha256", `incoming.tmp-${randomBytes(6).toString("hex")}`);
    try {
      await pipeline(src, createWriteStream(tmp));
      const got = await src.measured;
      await rename(tmp, this.blobPath(got.digest));
      return got;
    } catch (e) {
      await rm(tmp, { force: true });
      throw fileError(e, tmp);
    }
  }
  async commit(image, manifest) {
    const tag = this.tag ?? image.tag;
    const manifestFile = this.blobPath(manifest.digest);
    if (!await exists(manifestFile, manifest.size)) await writeAtomically(manifestFile, (tmp) => writeFile(tmp, manifest.bytes));
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
