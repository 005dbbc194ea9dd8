// The one image model every destination consumes: config and manifest bytes plus re-creatable layer streams.
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { ImageFile, LayerRecord } from './schema.js';
import { MEDIA_TYPE_DOCKER_LAYER_GZIP, MEDIA_TYPE_LAYER_GZIP, MEDIA_TYPE_LAYER_TAR } from './schema.js';
import { sha256 } from '../util/digest.js';
import { DigestMismatchError, UserError } from '../util/errors.js';

export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface BlobBytes extends Descriptor {
  bytes: Buffer;
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
  manifest: BlobBytes;
  layers: LayerBlob[];
  /** The OCI image config document, as serialised in config.bytes. */
  configDocument: Record<string, unknown>;
}

/** Holds back the last chunk until the digest is known, so a mismatch surfaces as an error, not an end. */
class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private held: Buffer | null = null;
  private bytes = 0;
  constructor(private readonly expected: Descriptor, private readonly onMismatch: (got: string, size: number) => Promise<Error>) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const out = this.held;
    this.held = chunk;
    cb(null, out ?? undefined);
  }
  override _flush(cb: TransformCallback): void {
    const got = 'sha256:' + this.hash.digest('hex');
    if (got === this.expected.digest && this.bytes === this.expected.size) {
      cb(null, this.held ?? undefined);
      return;
    }
    this.onMismatch(got, this.bytes).then(
      (err) => cb(err),
      (err) => cb(err),
    );
  }
}

async function explainMismatch(rec: LayerRecord, got: string, size: number): Promise<Error> {
  const head = `layer ${rec.digest} (${rec.paths.length} store path${rec.paths.length === 1 ? '' : 's'}) regenerated as ${got} (${size} bytes, expected ${rec.size})`;
  if (rec.blob) return new DigestMismatchError(`${head}: the fetched blob ${rec.blob} was modified`, rec.blob);
  if (rec.sources) {
    // A second pass with fingerprints names the source that changed.
    const { digestLayer } = await import('../tar/writer.js');
    const now = digestLayer(rec).sources;
    for (const key of Object.keys(rec.sources).sort()) {
      if (now[key] !== rec.sources[key]) {
        const what = key === 'declared' ? 'the declared entries (users, directories, symlinks)' : key.startsWith('copyToRoot:') ? `copyToRoot ${key.slice(11)}` : `store path ${key}`;
        return new DigestMismatchError(`${head}: ${what} changed since the image was built; rebuild it with nix-build`, key);
      }
    }
    for (const key of Object.keys(now)) {
      if (!(key in rec.sources)) return new DigestMismatchError(`${head}: ${key} appeared in the layer since it was built`, key);
    }
  }
  // Same names, sizes and modes: a file's content changed. Nix's database holds each path's hash.
  for (const p of [...rec.paths, ...rec.copyToRoot]) {
    const { execa } = await import('execa');
    const r = await execa('nix-store', ['--verify-path', p], { reject: false, all: true }).catch(() => undefined);
    if (r && r.exitCode !== 0 && /modified|hash mismatch|was modified/i.test(r.all ?? ''))
      return new DigestMismatchError(`${head}: the content of store path ${p} was modified since the image was built (nix-store --verify-path: ${(r.all ?? '').trim().split('\n')[0]}); repair it with nix-store --repair-path or rebuild`, p);
  }
  return new DigestMismatchError(
    `${head}: no store path changed, so the tar writer differs (layer written by ${rec.writer ?? 'an unknown writer'}); rebuild the image with this longshore`,
  );
}

function layerBlob(rec: LayerRecord): LayerBlob {
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
          throw new UserError(`layer ${rec.digest} needs store path ${p}, which is missing (garbage-collected?); rebuild the image with nix-build`);
        }
      }
    },
    open() {
      const verify = new VerifyingStream(desc, (got, size) => explainMismatch(rec, got, size));
      if (rec.blob) {
        const src = createReadStream(rec.blob, { highWaterMark: 1 << 20 });
        src.on('error', (e) => verify.destroy(new UserError(`cannot read ${rec.blob}: ${(e as NodeJS.ErrnoException).code ?? e}`)));
        return src.pipe(verify);
      }
      if (rec.mediaType !== MEDIA_TYPE_LAYER_TAR) throw new UserError(`layer ${rec.digest}: unsupported media type ${rec.mediaType}`);
      // The tar writer loads on first use: a push that skips every layer never needs it.
      import('../tar/writer.js').then(
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

/** OCI manifests get OCI media types, Docker manifests Docker ones (same bytes: gzip is gzip). */
export function manifestLayerType(mediaType: string, docker: boolean | undefined): string {
  if (docker) return mediaType === MEDIA_TYPE_LAYER_GZIP ? MEDIA_TYPE_DOCKER_LAYER_GZIP : mediaType;
  if (mediaType === MEDIA_TYPE_DOCKER_LAYER_GZIP) return MEDIA_TYPE_LAYER_GZIP;
  if (mediaType === 'application/vnd.docker.image.rootfs.diff.tar') return MEDIA_TYPE_LAYER_TAR;
  return mediaType;
}

/** JSON with a fixed key order, as given: config and manifest bytes must be identical for identical inputs. */
const canonical = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

export interface ResolveOptions {
  /** Docker schema2 media types (for daemons and docker-archive); OCI otherwise. */
  docker?: boolean;
}

export function resolveImage(file: string, img: ImageFile, opts: ResolveOptions = {}): ResolvedImage {
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
    mediaType: opts.docker ? MEDIA_TYPE_DOCKER_CONFIG : MEDIA_TYPE_OCI_CONFIG,
    digest: sha256(configBytes),
    size: configBytes.length,
    bytes: configBytes,
  };
  const layers = img.layers.map(layerBlob);
  const manifestDoc = {
    schemaVersion: 2,
    mediaType: opts.docker ? MEDIA_TYPE_DOCKER_MANIFEST : MEDIA_TYPE_OCI_MANIFEST,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: manifestLayerType(l.mediaType, opts.docker), digest: l.digest, size: l.size })),
  };
  const manifestBytes = canonical(manifestDoc);
  return {
    source: file,
    name: img.name,
    tag: img.tag ?? defaultTag(file),
    config,
    manifest: { mediaType: manifestDoc.mediaType, digest: sha256(manifestBytes), size: manifestBytes.length, bytes: manifestBytes },
    layers,
    configDocument,
  };
}

/** As in nix2container: with no tag given, the tag is the hash part of the image's store path. */
export function defaultTag(file: string): string | undefined {
  const m = /^([0-9a-z]{32})-/.exec(basename(file));
  return m ? m[1] : undefined;
}
