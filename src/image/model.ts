// The one image model every destination consumes: config and manifest bytes plus re-creatable layer streams.
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { basename } from 'node:path';
import { imagePlatform, type ImageFile, type LayerContent, type LayerRecord, type LoadedIndex } from './schema.js';
import {
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_LAYER_TAR,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_LAYER_TAR,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from './media-types.js';
import type { Platform } from './platform.js';
import { explainMismatch, VerifyingStream, type Fingerprint } from './verify.js';
import { sha256 } from '../util/digest.js';
import { UserError } from '../util/errors.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface BlobBytes extends Descriptor {
  bytes: Buffer;
}

/** A layer as a manifest lists it: the blob as it travels, with its annotations. */
export interface ManifestLayer extends Descriptor {
  annotations?: Record<string, string>;
}

export interface LayerBlob extends Descriptor {
  diffID: string;
  /** Store paths (and other sources) the layer is made of, for messages. */
  paths: string[];
  record: LayerRecord;
  /**
   * A fresh stream of the blob, regenerated from the store each call. It fails with a
   * DigestMismatchError naming the store path at fault, before its last chunk, if the bytes differ
   * from what was recorded at build time, so a consumer never sees a complete wrong blob.
   */
  open(): Readable;
  /** Fails early, before any byte is sent, when a store path the layer needs is gone. */
  check(): Promise<void>;
}

export interface ResolvedImage {
  /** Where the image came from (the image JSON path), for messages. */
  source: string;
  name?: string;
  tag?: string;
  config: BlobBytes;
  /** The manifest listing the layers as they are stored (uncompressed, or as a base image had them). */
  manifest: BlobBytes;
  /** The manifest listing these layers instead (the same count, in order): after compression on the way. */
  manifestFor(layers: readonly ManifestLayer[]): BlobBytes;
  layers: LayerBlob[];
  /** The compression the image asks for by default (buildImage's `compression`), if any. */
  compression?: ImageFile['compression'];
  /** The OCI image config document, as serialised in config.bytes. */
  configDocument: Record<string, unknown>;
  /** The platform of its config (os, architecture, variant). */
  platform: Platform;
  /** The manifest's annotations (the image JSON's, then those given at copy time). */
  annotations?: Record<string, string>;
}

/** An image as an index lists it: its manifest, and the platform. */
export interface IndexEntry extends Descriptor {
  platform: Platform;
}

/** The OCI image index over these manifests, in this order: the same entries give the same bytes. */
export function imageIndex(entries: readonly IndexEntry[], annotations?: Record<string, string>): BlobBytes {
  const doc = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_INDEX,
    manifests: entries.map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: indexPlatform(m.platform) })),
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
  const bytes = canonical(doc);
  return { mediaType: doc.mediaType, digest: sha256(bytes), size: bytes.length, bytes };
}

/** An image index (buildImageIndex): one image per platform, under one name. */
export interface ResolvedIndex {
  /** Where it came from (the index JSON path), for messages. */
  source: string;
  name?: string;
  tag?: string;
  /** Its images, in the index's order. */
  images: ResolvedImage[];
  annotations?: Record<string, string>;
  /** The index listing the images' manifests as stored (uncompressed layers). */
  index: BlobBytes;
  /** The index listing these manifests instead (the same count, in order): as they went. */
  indexFor(manifests: readonly Descriptor[]): BlobBytes;
}

/** What `copy` and `inspect` take: an image JSON or an index JSON. */
export type ResolvedSource = { kind: 'image'; image: ResolvedImage } | { kind: 'index'; index: ResolvedIndex };

/**
 * What the model needs of the tar writer (src/tar/writer.ts), handed in by whoever resolves an
 * image so that the model stays below the writer. Loaded on first use: a copy that skips every
 * layer never needs it.
 */
export interface LayerTarWriter {
  /** The layer's tar, read from the store as the consumer pulls. */
  layerTarStream(content: LayerContent): Readable;
  /** Per-source fingerprints of the layer as it would be written now. */
  digestLayer(content: LayerContent): { sources: Record<string, string> };
}

function layerBlob(rec: LayerRecord, tarWriter: () => Promise<LayerTarWriter>): LayerBlob {
  const desc: Descriptor = { mediaType: rec.mediaType, digest: rec.digest, size: rec.size };
  return {
    ...desc,
    diffID: rec.diffID,
    paths: rec.blob ? [rec.blob] : [...rec.paths, ...rec.copyToRoot.map((p) => `copyToRoot:${p}`)],
    record: rec,
    async check() {
      for (const p of rec.blob ? [rec.blob] : [...rec.paths, ...rec.copyToRoot]) {
        try {
          await lstat(p);
        } catch {
          throw new UserError('STORE_PATH_MISSING', `layer ${rec.digest} needs store path ${p}, which is missing (garbage-collected?); rebuild the image with nix-build`);
        }
      }
    },
    open() {
      const fingerprint = async (): Promise<Fingerprint> => {
        const w = await tarWriter();
        return (c) => w.digestLayer(c).sources;
      };
      const verify = new VerifyingStream(desc, (got, size) => explainMismatch(rec, got, size, fingerprint));
      if (rec.blob) {
        const src = createReadStream(rec.blob, { highWaterMark: 1 << 20 });
        src.on('error', (e) => verify.destroy(new UserError('FILE_UNREADABLE', `cannot read ${rec.blob}: ${(e as NodeJS.ErrnoException).code ?? e}`)));
        return src.pipe(verify);
      }
      if (rec.mediaType !== MEDIA_TYPE_LAYER_TAR) throw new UserError('UNSUPPORTED_MEDIA_TYPE', `layer ${rec.digest}: unsupported media type ${rec.mediaType}`);
      tarWriter().then(
        ({ layerTarStream }) => {
          if (verify.destroyed) return;
          const stream = layerTarStream(rec);
          stream.on('error', (e) => verify.destroy(e));
          verify.once('close', () => stream.destroy());
          stream.pipe(verify);
        },
        (e) => verify.destroy(e),
      );
      return verify;
    },
  };
}

/**
 * One history entry per layer, except that a base image's history (fromImage) is kept whole: its
 * empty_layer entries stay where they were, and its non-empty entries stand for the base layers.
 */
export function imageHistory(img: ImageFile): LayerRecord['history'][] {
  const own = (l: LayerRecord) => ({ created: img.created, ...l.history });
  const base = img.baseHistory;
  if (base) {
    const n = base.filter((h) => !h.empty_layer).length;
    if (n <= img.layers.length) return [...base, ...img.layers.slice(n).map(own)];
  }
  return img.layers.map(own);
}

/** Manifests are OCI: a base image's Docker layer types become their OCI names (same bytes: gzip is gzip). */
export function ociLayerType(mediaType: string): string {
  if (mediaType === MEDIA_TYPE_DOCKER_LAYER_GZIP) return MEDIA_TYPE_LAYER_GZIP;
  if (mediaType === MEDIA_TYPE_DOCKER_LAYER_TAR) return MEDIA_TYPE_LAYER_TAR;
  return mediaType;
}

/** JSON with a fixed key order, as given: config and manifest bytes must be identical for identical inputs. */
const canonical = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

export interface ResolveOptions {
  /** Loads the tar writer that regenerates layers (src/tar/writer.ts). */
  tarWriter: () => Promise<LayerTarWriter>;
  /** Annotations added at copy time (`copy --annotation`), over the image JSON's own. */
  annotations?: Record<string, string>;
}

/** `base` with `extra` over it; undefined when both are empty (no "annotations" key then). */
function mergeAnnotations(base: Record<string, string> | undefined, extra: Record<string, string> | undefined): Record<string, string> | undefined {
  const out = { ...base, ...extra };
  return Object.keys(out).length ? out : undefined;
}

/** The image of an image JSON (`file`, parsed as `img`): config and manifest bytes, and its layers. */
export function resolveImage(file: string, img: ImageFile, opts: ResolveOptions): ResolvedImage {
  const history = imageHistory(img);
  const configDocument: Record<string, unknown> = {
    created: img.created,
    architecture: img.arch,
    ...(img.variant ? { variant: img.variant } : {}),
    os: img.os,
    config: img.config,
    rootfs: { type: 'layers', diff_ids: img.layers.map((l) => l.diffID) },
    history,
  };
  const configBytes = canonical(configDocument);
  const config: BlobBytes = {
    mediaType: MEDIA_TYPE_OCI_CONFIG,
    digest: sha256(configBytes),
    size: configBytes.length,
    bytes: configBytes,
  };
  const layers = img.layers.map((rec) => layerBlob(rec, opts.tarWriter));
  const annotations = mergeAnnotations(img.annotations, opts.annotations);
  const manifestFor = (list: readonly ManifestLayer[]): BlobBytes => {
    const doc = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
      layers: list.map((l) => ({ mediaType: ociLayerType(l.mediaType), digest: l.digest, size: l.size, ...(l.annotations ? { annotations: l.annotations } : {}) })),
      ...(annotations ? { annotations } : {}),
    };
    const bytes = canonical(doc);
    return { mediaType: doc.mediaType, digest: sha256(bytes), size: bytes.length, bytes };
  };
  return {
    source: file,
    name: img.name,
    tag: img.tag ?? defaultTag(file),
    config,
    manifest: manifestFor(layers),
    manifestFor: (list) => {
      if (list.length !== layers.length) throw new Error(`a manifest needs ${layers.length} layers, got ${list.length}`);
      return manifestFor(list);
    },
    layers,
    ...(img.compression ? { compression: img.compression } : {}),
    configDocument,
    platform: imagePlatform(img),
    ...(annotations ? { annotations } : {}),
  };
}

/**
 * The index of an index JSON (`file`, parsed as `loaded`): its images resolved (copy-time
 * annotations go to the index, not to its images), and the OCI index listing their manifests,
 * each with its platform.
 */
export function resolveIndex(file: string, loaded: LoadedIndex, opts: ResolveOptions): ResolvedIndex {
  const images = loaded.images.map((c) => resolveImage(c.path, c.file, { tarWriter: opts.tarWriter }));
  const annotations = mergeAnnotations(loaded.file.annotations, opts.annotations);
  const indexFor = (list: readonly Descriptor[]): BlobBytes => {
    if (list.length !== images.length) throw new Error(`an index needs ${images.length} manifests, got ${list.length}`);
    return imageIndex(list.map((m, i) => ({ ...m, platform: images[i].platform })), annotations);
  };
  return {
    source: file,
    name: loaded.file.name,
    tag: loaded.file.tag ?? defaultTag(file),
    images,
    ...(annotations ? { annotations } : {}),
    index: indexFor(images.map((i) => i.manifest)),
    indexFor,
  };
}

/** An index entry's platform, in the image-spec's key order. */
export const indexPlatform = (p: Platform): Platform => ({ architecture: p.architecture, os: p.os, ...(p.variant ? { variant: p.variant } : {}) });

/** As in nix2container: with no tag given, the tag is the hash part of the image's store path. */
export function defaultTag(file: string): string | undefined {
  const m = /^([0-9a-z]{32})-/.exec(basename(file));
  return m ? m[1] : undefined;
}
