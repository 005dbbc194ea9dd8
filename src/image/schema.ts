// The JSON that the Nix library emits (layers JSON and image JSON), parsed and checked once here.
import { readFileSync } from 'node:fs';
import { fsReason } from '../util/atomic.js';
import { isDigest } from '../util/digest.js';
import { UserError } from '../util/errors.js';
import { COMPRESSIONS, type Compression } from './media-types.js';
import { platformString, samePlatform, type Platform } from './platform.js';

export const FORMAT_VERSION = 1;

/** nix2container's perms shape: applies to entries coming from `path` whose image path matches `regex`. */
export interface PermRule {
  path: string;
  regex: string;
  mode?: string;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /**
   * "root": the rule applies to the copy at / of copyToRoot entry `path` only, and the store copy
   * of `path` stays as Nix made it; build-layers sets it on every rule whose path is a copyToRoot
   * entry. Absent: the rule applies to every entry that comes from `path`, both copies included
   * (what layers built before this field existed were written with).
   */
  scope?: 'root';
  /** What made the rule when it was not the user's perms list (e.g. "initializeNixDatabase"), for messages. */
  by?: string;
}

/** An entry declared in Nix and written straight into the tar (no fakeroot, no VM). */
export interface DeclaredEntry {
  path: string; // absolute image path
  type: 'file' | 'directory' | 'symlink';
  mode?: string; // octal string
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  content?: string; // files
  target?: string; // symlinks
  /** The declaration it comes from ("directories[0]", "users[1] (app) home", …), for messages. */
  by?: string;
}

/** Everything the tar writer needs to regenerate a layer byte for byte. */
export interface LayerContent {
  paths: string[]; // store paths written whole at their own location
  copyToRoot: string[]; // store paths whose contents are also copied to /
  perms: PermRule[];
  entries: DeclaredEntry[];
}

export interface LayerRecord extends LayerContent {
  mediaType: string;
  digest: string; // of the blob as stored/pushed
  size: number;
  diffID: string; // of the uncompressed tar
  /** Fingerprint per source (store path, "copyToRoot:<path>", "declared") to name what changed. */
  sources?: Record<string, string>;
  history: { created_by?: string; comment?: string; author?: string; created?: string; empty_layer?: boolean };
  /** Base-image layers: fetched blobs in the store rather than generated tar. */
  blob?: string;
  /** Base-image layers: "HOST/NAME" the blob came from, for cross-repository mounts on push. */
  sourceRepository?: string;
  writer?: string;
}

/** What a base image (pullImageFromManifest, pullImage) contributes besides its layers. */
export interface BaseImageInfo {
  reference: string;
  manifestDigest: string;
  os: string;
  architecture: string;
  variant?: string;
  /** The base config's "config" section (Env, Cmd, …), merged under the user's by buildImage. */
  config: Record<string, unknown>;
  /** The base config's full history, empty_layer entries included, in order. */
  history: LayerRecord['history'][];
}

export interface LayersFile {
  version: number;
  layers: LayerRecord[];
  /** Present in the layers JSON of a pulled base image. */
  base?: BaseImageInfo;
}

export interface ImageFile {
  version: number;
  name?: string;
  tag?: string;
  arch: string;
  os: string;
  variant?: string;
  created: string;
  config: Record<string, unknown>; // normalised OCI config (see config.ts)
  layers: LayerRecord[];
  /** The layer compression this image asks for by default (buildImage's `compression`). */
  compression?: { type: Compression; level?: number };
  /**
   * A base image's full history (empty_layer entries included, in order). Its non-empty entries
   * describe the first layers of `layers`; the config's history is this followed by one entry per
   * remaining layer.
   */
  baseHistory?: LayerRecord['history'][];
  /** The manifest's annotations (buildImage's `annotations`), not the config's labels. */
  annotations?: Record<string, string>;
}

/** What marks an index JSON (a buildImageIndex output) apart from an image JSON. */
export const INDEX_KIND = 'longshore-image-index';

/** The index JSON: images of one name for several platforms, pushed as one OCI image index. */
export interface IndexFile {
  version: number;
  kind: typeof INDEX_KIND;
  name?: string;
  tag?: string;
  /** The index's annotations (buildImageIndex's `annotations`). */
  annotations?: Record<string, string>;
  /** The image JSONs of its images, in the index's order. */
  images: string[];
}

/** An index JSON with its images' JSONs read and checked: one image per platform. */
export interface LoadedIndex {
  file: IndexFile;
  images: { path: string; file: ImageFile; platform: Platform }[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(file: string, where: string, msg: string): never {
  throw new UserError('INVALID_IMAGE_FILE', `${file}: ${where}: ${msg}`);
}

function strArray(file: string, where: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(file, where, 'expected a list of strings');
  return v as string[];
}

export function parseLayerRecord(file: string, where: string, v: unknown): LayerRecord {
  if (!isObj(v)) fail(file, where, 'expected an object');
  for (const k of ['digest', 'diffID'] as const) {
    if (!isDigest(v[k])) fail(file, `${where}.${k}`, `expected "sha256:<64 hex>", got ${JSON.stringify(v[k])}`);
  }
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) fail(file, `${where}.size`, 'expected a byte count');
  if (typeof v.mediaType !== 'string') fail(file, `${where}.mediaType`, 'expected a string');
  const perms = v.perms ?? [];
  if (!Array.isArray(perms)) fail(file, `${where}.perms`, 'expected a list');
  const entries = v.entries ?? [];
  if (!Array.isArray(entries)) fail(file, `${where}.entries`, 'expected a list');
  if (v.blob !== undefined && typeof v.blob !== 'string') fail(file, `${where}.blob`, 'expected a store path');
  return {
    mediaType: v.mediaType,
    digest: v.digest as string,
    size: v.size,
    diffID: v.diffID as string,
    paths: strArray(file, `${where}.paths`, v.paths),
    copyToRoot: strArray(file, `${where}.copyToRoot`, v.copyToRoot),
    perms: perms as PermRule[],
    entries: entries as DeclaredEntry[],
    sources: isObj(v.sources) ? (v.sources as Record<string, string>) : undefined,
    history: isObj(v.history) ? (v.history as LayerRecord['history']) : {},
    blob: v.blob as string | undefined,
    ...(typeof v.sourceRepository === 'string' ? { sourceRepository: v.sourceRepository } : {}),
    writer: typeof v.writer === 'string' ? v.writer : undefined,
  };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new UserError('FILE_UNREADABLE', `${file} is a directory, not an image JSON (a buildImage output: the path nix-build prints)`);
    throw new UserError('FILE_UNREADABLE', `cannot read ${file}: ${fsReason(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError('INVALID_IMAGE_FILE', `${file}: not valid JSON: ${(e as Error).message}`);
  }
}

export function loadLayersFile(file: string): LayersFile {
  const v = readJson(file);
  if (!isObj(v) || !Array.isArray(v.layers)) fail(file, 'top level', 'expected {"version": 1, "layers": [...]} (a buildLayer output)');
  if (v.version !== FORMAT_VERSION) fail(file, 'version', `unsupported format version ${JSON.stringify(v.version)}; rebuild with this longshore`);
  const layers = v.layers.map((l, i) => parseLayerRecord(file, `layers[${i}]`, l));
  if (v.base === undefined) return { version: FORMAT_VERSION, layers };
  const b = v.base;
  if (!isObj(b) || !isObj(b.config) || !Array.isArray(b.history) || typeof b.os !== 'string' || typeof b.architecture !== 'string')
    fail(file, 'base', 'expected {reference, manifestDigest, os, architecture, config, history} (a pullImageFromManifest output)');
  return { version: FORMAT_VERSION, layers, base: b as unknown as BaseImageInfo };
}

function parseCompression(file: string, v: unknown): { type: Compression; level?: number } {
  if (!isObj(v) || !COMPRESSIONS.includes(v.type as Compression)) fail(file, 'compression', `expected {"type": ${COMPRESSIONS.map((c) => `"${c}"`).join(' | ')}, "level"?: N}`);
  if (v.level !== undefined && (typeof v.level !== 'number' || !Number.isSafeInteger(v.level))) fail(file, 'compression.level', 'expected a whole number');
  return { type: v.type as Compression, ...(v.level !== undefined ? { level: v.level as number } : {}) };
}

/** An annotations map: string keys to string values. */
export function parseAnnotations(file: string, where: string, v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== 'string')) fail(file, where, 'expected an object of strings');
  return Object.keys(v).length ? (v as Record<string, string>) : undefined;
}

export function loadImageFile(file: string): ImageFile {
  return parseImageFile(file, readJson(file));
}

/** The platform an image JSON is for. */
export const imagePlatform = (img: Pick<ImageFile, 'os' | 'arch' | 'variant'>): Platform => ({ os: img.os, architecture: img.arch, ...(img.variant ? { variant: img.variant } : {}) });

/**
 * An index JSON (a buildImageIndex output) and the image JSONs it names, each read and checked;
 * two images for one platform are an error naming both.
 */
export function parseIndexFile(file: string, v: Obj, readImage: (path: string) => ImageFile = loadImageFile): LoadedIndex {
  if (v.version !== FORMAT_VERSION) fail(file, 'version', `unsupported format version ${JSON.stringify(v.version)}; rebuild with this longshore`);
  if (!Array.isArray(v.images) || v.images.length === 0 || v.images.some((p) => typeof p !== 'string'))
    fail(file, 'images', 'expected a non-empty list of image JSON paths (buildImage outputs)');
  for (const k of ['name', 'tag'] as const) if (v[k] !== undefined && v[k] !== null && typeof v[k] !== 'string') fail(file, k, 'expected a string');
  const annotations = parseAnnotations(file, 'annotations', v.annotations);
  const index: IndexFile = {
    version: FORMAT_VERSION,
    kind: INDEX_KIND,
    ...(typeof v.name === 'string' ? { name: v.name } : {}),
    ...(typeof v.tag === 'string' ? { tag: v.tag } : {}),
    ...(annotations ? { annotations } : {}),
    images: v.images as string[],
  };
  const images: LoadedIndex['images'] = [];
  index.images.forEach((path, i) => {
    const img = readImage(path);
    const platform = imagePlatform(img);
    const twin = images.findIndex((o) => samePlatform(o.platform, platform));
    if (twin >= 0)
      throw new UserError('PLATFORM_CONFLICT', `${file}: images[${twin}] ${images[twin].path} and images[${i}] ${path} are both for ${platformString(platform)}; an index holds one image per platform`);
    images.push({ path, file: img, platform });
  });
  return { file: index, images };
}

/** An image JSON or an index JSON, told apart by the index's "kind", each parsed and checked once. */
export function loadImageOrIndex(file: string, readImage?: (path: string) => ImageFile): { kind: 'image'; image: ImageFile } | { kind: 'index'; index: LoadedIndex } {
  const v = readJson(file);
  if (isObj(v) && v.kind === INDEX_KIND) return { kind: 'index', index: parseIndexFile(file, v, readImage) };
  return { kind: 'image', image: parseImageFile(file, v) };
}

function parseImageFile(file: string, v: unknown): ImageFile {
  if (isObj(v) && v.kind === INDEX_KIND) fail(file, 'kind', 'this is an index JSON (a buildImageIndex output), where an image JSON (a buildImage output) is needed');
  if (!isObj(v) || !Array.isArray(v.layers) || !isObj(v.config))
    fail(file, 'top level', 'expected an image JSON (a buildImage output) with "config" and "layers"');
  if (v.version !== FORMAT_VERSION) fail(file, 'version', `unsupported format version ${JSON.stringify(v.version)}; rebuild with this longshore`);
  for (const k of ['arch', 'os', 'created'] as const) if (typeof v[k] !== 'string') fail(file, k, 'expected a string');
  return {
    version: FORMAT_VERSION,
    name: typeof v.name === 'string' ? v.name : undefined,
    tag: typeof v.tag === 'string' ? v.tag : undefined,
    arch: v.arch as string,
    os: v.os as string,
    variant: typeof v.variant === 'string' ? v.variant : undefined,
    created: v.created as string,
    config: v.config,
    layers: v.layers.map((l, i) => parseLayerRecord(file, `layers[${i}]`, l)),
    baseHistory: Array.isArray(v.baseHistory) ? (v.baseHistory as ImageFile['baseHistory']) : undefined,
    ...(v.compression !== undefined ? { compression: parseCompression(file, v.compression) } : {}),
    ...(parseAnnotations(file, 'annotations', v.annotations) ? { annotations: parseAnnotations(file, 'annotations', v.annotations) } : {}),
  };
}
