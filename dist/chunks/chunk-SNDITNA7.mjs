import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  platformString,
  samePlatform
} from "./chunk-477LFGEH.mjs";
import {
  COMPRESSIONS,
  isDigest
} from "./chunk-AYVEAJJV.mjs";
import {
  fsReason
} from "./chunk-5SF5CXX5.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/image/schema.ts
import { readFileSync } from "node:fs";
var FORMAT_VERSION = 1;
var INDEX_KIND = "longshore-image-index";
var isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function fail(file, where, msg) {
  throw new UserError("INVALID_IMAGE_FILE", `${file}: ${where}: ${msg}`);
}
function strArray(file, where, v) {
  if (v === void 0 || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) fail(file, where, "expected a list of strings");
  return v;
}
function parseLayerRecord(file, where, v) {
  if (!isObj(v)) fail(file, where, "expected an object");
  for (const k of ["digest", "diffID"]) {
    if (!isDigest(v[k])) fail(file, `${where}.${k}`, `expected "sha256:<64 hex>", got ${JSON.stringify(v[k])}`);
  }
  if (typeof v.size !== "number" || !Number.isSafeInteger(v.size) || v.size < 0) fail(file, `${where}.size`, "expected a byte count");
  if (typeof v.mediaType !== "string") fail(file, `${where}.mediaType`, "expected a string");
  const perms = v.perms ?? [];
  if (!Array.isArray(perms)) fail(file, `${where}.perms`, "expected a list");
  const entries = v.entries ?? [];
  if (!Array.isArray(entries)) fail(file, `${where}.entries`, "expected a list");
  if (v.blob !== void 0 && typeof v.blob !== "string") fail(file, `${where}.blob`, "expected a store path");
  return {
    mediaType: v.mediaType,
    digest: v.digest,
    size: v.size,
    diffID: v.diffID,
    paths: strArray(file, `${where}.paths`, v.paths),
    copyToRoot: strArray(file, `${where}.copyToRoot`, v.copyToRoot),
    perms,
    entries,
    sources: isObj(v.sources) ? v.sources : void 0,
    history: isObj(v.history) ? v.history : {},
    blob: v.blob,
    ...typeof v.sourceRepository === "string" ? { sourceRepository: v.sourceRepository } : {},
    writer: typeof v.writer === "string" ? v.writer : void 0
  };
}
function readJson(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e.code === "EISDIR") throw new UserError("FILE_UNREADABLE", `${file} is a directory, not an image JSON (a buildImage output: the path nix-build prints)`);
    throw new UserError("FILE_UNREADABLE", `cannot read ${file}: ${fsReason(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError("INVALID_IMAGE_FILE", `${file}: not valid JSON: ${e.message}`);
  }
}
function loadLayersFile(file) {
  const v = readJson(file);
  if (!isObj(v) || !Array.isArray(v.layers)) fail(file, "top level", 'expected {"version": 1, "layers": [...]} (a buildLayer output)');
  if (v.version !== FORMAT_VERSION) fail(file, "version", `unsupported format version ${JSON.stringify(v.version)}; rebuild with this longshore`);
  const layers = v.layers.map((l, i) => parseLayerRecord(file, `layers[${i}]`, l));
  if (v.base === void 0) return { version: FORMAT_VERSION, layers };
  const b = v.base;
  if (!isObj(b) || !isObj(b.config) || !Array.isArray(b.history) || typeof b.os !== "string" || typeof b.architecture !== "string")
    fail(file, "base", "expected {reference, manifestDigest, os, architecture, config, history} (a pullImageFromManifest output)");
  return { version: FORMAT_VERSION, layers, base: b };
}
function parseCompression(file, v) {
  if (!isObj(v) || !COMPRESSIONS.includes(v.type)) fail(file, "compression", `expected {"type": ${COMPRESSIONS.map((c) => `"${c}"`).join(" | ")}, "level"?: N}`);
  if (v.level !== void 0 && (typeof v.level !== "number" || !Number.isSafeInteger(v.level))) fail(file, "compression.level", "expected a whole number");
  return { type: v.type, ...v.level !== void 0 ? { level: v.level } : {} };
}
function parseAnnotations(file, where, v) {
  if (v === void 0 || v === null) return void 0;
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== "string")) fail(file, where, "expected an object of strings");
  return Object.keys(v).length ? v : void 0;
}
function loadImageFile(file) {
  return parseImageFile(file, readJson(file));
}
var imagePlatform = (img) => ({ os: img.os, architecture: img.arch, ...img.variant ? { variant: img.variant } : {} });
function parseIndexFile(file, v, readImage = loadImageFile) {
  if (v.version !== FORMAT_VERSION) fail(file, "version", `unsupported format version ${JSON.stringify(v.version)}; rebuild with this longshore`);
  if (!Array.isArray(v.images) || v.images.length === 0 || v.images.some((p) => typeof p !== "string"))
    fail(file, "images", "expected a non-empty list of image JSON paths (buildImage outputs)");
  for (const k of ["name", "tag"]) if (v[k] !== void 0 && v[k] !== null && typeof v[k] !== "string") fail(file, k, "expected a string");
  const annotations = parseAnnotations(file, "annotations", v.annotations);
  const index = {
    version: FORMAT_VERSION,
    kind: INDEX_KIND,
    ...typeof v.name === "string" ? { name: v.name } : {},
    ...typeof v.tag === "string" ? { tag: v.tag } : {},
    ...annotations ? { annotations } : {},
    images: v.images
  };
  const images = [];
  index.images.forEach((path, i) => {
    const img = readImage(path);
    const platform = imagePlatform(img);
    const twin = images.findIndex((o) => samePlatform(o.platform, platform));
    if (twin >= 0)
      throw new UserError("PLATFORM_CONFLICT", `${file}: images[${twin}] ${images[twin].path} and images[${i}] ${path} are both for ${platformString(platform)}; an index holds one image per platform`);
    images.push({ path, file: img, platform });
  });
  return { file: index, images };
}
function loadImageOrIndex(file, readImage) {
  const v = readJson(file);
  if (isObj(v) && v.kind === INDEX_KIND) return { kind: "index", index: parseIndexFile(file, v, readImage) };
  return { kind: "image", image: parseImageFile(file, v) };
}
function parseImageFile(file, v) {
  if (isObj(v) && v.kind === INDEX_KIND) fail(file, "kind", "this is an index JSON (a buildImageIndex output), where an image JSON (a buildImage output) is needed");
  if (!isObj(v) || !Array.isArray(v.layers) || !isObj(v.config))
    fail(file, "top level", 'expected an image JSON (a buildImage output) with "config" and "layers"');
  if (v.version !== FORMAT_VERSION) fail(file, "version", `unsupported format version ${JSON.stringify(v.version)}; rebuild with this longshore`);
  for (const k of ["arch", "os", "created"]) if (typeof v[k] !== "string") fail(file, k, "expected a string");
  return {
    version: FORMAT_VERSION,
    name: typeof v.name === "string" ? v.name : void 0,
    tag: typeof v.tag === "string" ? v.tag : void 0,
    arch: v.arch,
    os: v.os,
    variant: typeof v.variant === "string" ? v.variant : void 0,
    created: v.created,
    config: v.config,
    layers: v.layers.map((l, i) => parseLayerRecord(file, `layers[${i}]`, l)),
    baseHistory: Array.isArray(v.baseHistory) ? v.baseHistory : void 0,
    ...v.compression !== void 0 ? { compression: parseCompression(file, v.compression) } : {},
    ...parseAnnotations(file, "annotations", v.annotations) ? { annotations: parseAnnotations(file, "annotations", v.annotations) } : {}
  };
}

export {
  FORMAT_VERSION,
  loadLayersFile,
  loadImageFile,
  imagePlatform,
  loadImageOrIndex
};
