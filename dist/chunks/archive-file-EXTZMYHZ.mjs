import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  fileError
} from "./chunk-ERSFCDHN.mjs";
import {
  ImageArchive
} from "./chunk-KA44EAXD.mjs";
import "./chunk-U7P74N4L.mjs";
import {
  checkOciLayoutTag,
  parseNameTag
} from "./chunk-JO7HQLJM.mjs";
import "./chunk-CIGM6B6C.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/dest/archive-file.ts
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
var ArchiveFileDestination = class {
  constructor(format, file, ref) {
    this.format = format;
    this.file = file;
    this.ref = ref;
    this.description = `${format}-archive:${file}${ref ? ":" + ref : ""}`;
    this.capabilities = {
      reuse: "none",
      serial: true,
      putAction: "written",
      configBeside: false,
      // docker-archive's manifest.json is Docker's, which has no zstd layers.
      compressions: format === "oci" ? ["none", "gzip", "zstd"] : ["none", "gzip"],
      defaultCompression: "none",
      followsImageCompression: true,
      needsSizeFirst: true
    };
  }
  format;
  file;
  ref;
  capabilities;
  description;
  archive;
  writing;
  tmp = "";
  names(image) {
    if (this.format === "oci") {
      const tag2 = this.ref ?? image.tag;
      return { repoTags: image.name && tag2 ? [`${image.name}:${tag2}`] : [], refName: tag2 };
    }
    const nt = this.ref ? parseNameTag(this.ref, "docker-archive") : image.name ? { name: image.name, tag: void 0 } : void 0;
    if (!nt) return { repoTags: [] };
    const tag = nt.tag ?? image.tag ?? "latest";
    return { repoTags: [`${nt.name}:${tag}`], refName: tag };
  }
  async open() {
    this.tmp = `${this.file}.tmp-${randomBytes(6).toString("hex")}`;
    const archive = this.archive = new ImageArchive(this.format);
    this.writing = pipeline(archive.stream, createWriteStream(this.tmp)).catch((e) => {
      throw fileError(e, this.file);
    });
    this.writing.catch(() => {
    });
    archive.attach(this.writing);
    return {};
  }
  async tryReuseBlob() {
    return void 0;
  }
  async putBlob(blob) {
    const held = { digest: blob.digest, size: blob.size };
    await this.archive.putBlob(held.digest, held.size, blob.open());
    return held;
  }
  async commit(image, manifest) {
    const names = this.names(image);
    await this.archive.finish(image, manifest, names);
    await this.writing;
    await rename(this.tmp, this.file).catch((e) => {
      throw fileError(e, this.file);
    });
    const name = this.format === "docker" ? names.repoTags[0] : names.refName;
    return { reference: `${this.format}-archive:${this.file}${name ? ":" + name : ""}`, manifestDigest: manifest.digest, imageId: image.config.digest };
  }
  async close(failure) {
    if (failure === void 0) return;
    this.archive?.abort(failure);
    await this.writing?.catch(() => void 0);
    await rm(this.tmp, { force: true });
  }
};
function splitFileRef(rest, transport) {
  const i = rest.indexOf(":");
  const file = i < 0 ? rest : rest.slice(0, i);
  const ref = i < 0 ? void 0 : rest.slice(i + 1);
  if (!file) throw new UserError("INVALID_REFERENCE", `${transport}: needs a file name, as in ${transport}:FILE${transport === "oci-archive" ? "[:TAG]" : "[:NAME:TAG]"}`);
  return { file, ref };
}
var parseDockerArchiveDestination = (rest) => {
  const { file, ref } = splitFileRef(rest, "docker-archive");
  if (ref !== void 0) parseNameTag(ref, "docker-archive", `docker-archive:${rest}`);
  return new ArchiveFileDestination("docker", file, ref);
};
var parseOciArchiveDestination = (rest) => {
  const { file, ref } = splitFileRef(rest, "oci-archive");
  if (ref !== void 0) checkOciLayoutTag(ref, `oci-archive:${rest}`);
  return new ArchiveFileDestination("oci", file, ref);
};
export {
  ArchiveFileDestination,
  parseDockerArchiveDestination,
  parseOciArchiveDestination
};
