import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  ImageArchive
} from "./chunk-3VO7PKA4.mjs";
import {
  extraTags
} from "./chunk-ZZT7JNPV.mjs";
import "./chunk-U7P74N4L.mjs";
import {
  checkOciLayoutTag,
  checkTag,
  parseNameTag
} from "./chunk-JO7HQLJM.mjs";
import {
  hostPlatform
} from "./chunk-477LFGEH.mjs";
import "./chunk-AYVEAJJV.mjs";
import {
  fileError
} from "./chunk-5SF5CXX5.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/dest/archive-file.ts
import { open, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
var ArchiveFileDestination = class {
  constructor(format, file, ref, flags = {}) {
    this.format = format;
    this.file = file;
    this.ref = ref;
    this.flags = flags;
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
      needsSizeFirst: true,
      // An OCI layout holds an index; docker-archive's manifest.json, one image per platform.
      index: format === "oci" ? "all" : "one"
    };
  }
  format;
  file;
  ref;
  flags;
  capabilities;
  description;
  archive;
  writing;
  tmp = "";
  /** docker-archive: the image of an index for this machine's platform (`docker load` here), unless --platform. */
  async platform() {
    return hostPlatform();
  }
  names(target) {
    if (this.format === "oci") {
      const tag2 = this.ref ?? target.tag;
      const tags2 = [...tag2 ? [tag2] : [], ...extraTags(this.flags, tag2, (t) => checkOciLayoutTag(t, `--tag ${t}`))];
      return { repoTags: target.name ? tags2.map((t) => `${target.name}:${t}`) : [], refNames: tags2 };
    }
    const nt = this.ref ? parseNameTag(this.ref, "docker-archive") : target.name ? { name: target.name, tag: void 0 } : void 0;
    if (!nt) {
      if (this.flags.tags?.length) throw new UserError("USAGE", `${this.description}: --tag needs a name: write docker-archive:FILE:NAME[:TAG], or build the image with a name`);
      return { repoTags: [], refNames: [] };
    }
    const tag = nt.tag ?? target.tag ?? "latest";
    const tags = [tag, ...extraTags(this.flags, tag, (t) => checkTag(t, `--tag ${t}`))];
    return { repoTags: tags.map((t) => `${nt.name}:${t}`), refNames: tags };
  }
  async open() {
    const dir = dirname(this.file);
    if (!await stat(dir).then((s) => s.isDirectory(), () => false))
      throw new UserError("FILE_SYSTEM", `${this.description}: the directory ${dir} does not exist`, "create it first, or name a file in a directory that exists");
    if (await stat(this.file).then((s) => s.isDirectory(), () => false))
      throw new UserError("FILE_SYSTEM", `${this.description}: ${this.file} is a directory`, `name the archive file to write, as in ${this.format}-archive:${join(this.file, "image.tar")}`);
    this.tmp = `${this.file}.tmp-${randomBytes(6).toString("hex")}`;
    const handle = await open(this.tmp, "wx").catch((e) => {
      throw fileError(e, this.file);
    });
    const archive = this.archive = new ImageArchive(this.format);
    this.writing = pipeline(archive.stream, handle.createWriteStream()).catch((e) => {
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
    return { ...await this.done(names), manifestDigest: manifest.digest, imageId: image.config.digest };
  }
  async commitChild(_image, manifest) {
    await this.archive.putManifest(manifest);
  }
  async commitIndex(index, bytes) {
    const names = this.names(index);
    await this.archive.finishIndex(bytes, names);
    return { ...await this.done(names), manifestDigest: bytes.digest };
  }
  /** The archive complete: renamed into place. Its references, as skopeo would name them. */
  async done(names) {
    await this.writing;
    await rename(this.tmp, this.file).catch((e) => {
      throw fileError(e, this.file);
    });
    const refs = (this.format === "docker" ? names.repoTags : names.refNames).map((n) => `${this.format}-archive:${this.file}:${n}`);
    return { reference: refs[0] ?? `${this.format}-archive:${this.file}`, ...refs.length > 1 ? { references: refs } : {} };
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
var parseDockerArchiveDestination = (rest, flags) => {
  const { file, ref } = splitFileRef(rest, "docker-archive");
  if (ref !== void 0) parseNameTag(ref, "docker-archive", `docker-archive:${rest}`);
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  return new ArchiveFileDestination("docker", file, ref, flags);
};
var parseOciArchiveDestination = (rest, flags) => {
  const { file, ref } = splitFileRef(rest, "oci-archive");
  if (ref !== void 0) checkOciLayoutTag(ref, `oci-archive:${rest}`);
  for (const t of flags.tags ?? []) checkOciLayoutTag(t, `--tag ${t}`);
  return new ArchiveFileDestination("oci", file, ref, flags);
};
export {
  ArchiveFileDestination,
  parseDockerArchiveDestination,
  parseOciArchiveDestination
};
