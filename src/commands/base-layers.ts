// Build time: a base image's lock, registry manifest or pullImage directory, and its fetched blobs
// → a layers JSON that buildImage's fromImage accepts. Blobs stay as the registry serves them (gzip
// included): the records carry `blob`, the registry digest/size/mediaType, the diffID from the
// config, and the repository they came from (for cross-repository mounts on push). The base config
// rides along in `base`, so buildImage can merge it.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNixAttrs } from '../nix-attrs.js';
import { FORMAT_VERSION, type BaseImageInfo, type LayerRecord, type LayersFile } from '../image/schema.js';
import { UserError } from '../util/errors.js';
import { digestHex, sha256 } from '../util/digest.js';
import { checkLock, configDescriptor, imageParts, manifestMediaType, type ImageLock } from './lock.js';

type Obj = Record<string, unknown>;

export function baseLayers(lock: BaseImage, blobOf: (digest: string) => string, sourceRepository: string): LayersFile {
  const config = JSON.parse(lock.config.raw) as Obj;
  const history = (Array.isArray(config.history) ? config.history : []) as LayerRecord['history'][];
  const nonEmpty = history.filter((h) => !h.empty_layer);
  const perLayer = nonEmpty.length === lock.layers.length ? nonEmpty : undefined;
  const layers = lock.layers.map((l, i): LayerRecord => {
    const blob = blobOf(l.digest);
    let size: number;
    try {
      size = statSync(blob).size;
    } catch {
      throw new UserError('STORE_PATH_MISSING', `base layer ${l.digest}: the fetched blob ${blob} is missing`);
    }
    if (size !== l.size) throw new UserError('DIGEST_MISMATCH', `base layer ${l.digest}: the fetched blob ${blob} has ${size} bytes, the manifest says ${l.size}`);
    return {
      mediaType: l.mediaType,
      digest: l.digest,
      size: l.size,
      diffID: l.diffID,
      paths: [],
      copyToRoot: [],
      perms: [],
      entries: [],
      history: perLayer ? { ...perLayer[i] } : { created_by: `base image ${lock.reference}` },
      blob,
      sourceRepository,
    };
  });
  const base: BaseImageInfo = {
    reference: lock.reference,
    manifestDigest: lock.manifest.digest,
    os: String(config.os ?? lock.platform.os),
    architecture: String(config.architecture ?? lock.platform.architecture),
    ...(typeof config.variant === 'string' ? { variant: config.variant } : {}),
    config: (typeof config.config === 'object' && config.config ? config.config : {}) as Obj,
    history,
  };
  return { version: FORMAT_VERSION, layers, base };
}

/** What baseLayers reads of a lock: the same for a lock, a pullImage directory and a registry manifest. */
type BaseImage = Pick<ImageLock, 'reference' | 'platform' | 'manifest' | 'config' | 'layers'>;

/** A base described by a registry manifest's exact bytes and its config's (nix2container's formats). */
function fromManifest(reference: string, manifestBytes: Buffer, configOf: (digest: string) => Buffer, what: string): BaseImage {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(manifestBytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UserError('INVALID_IMAGE_FILE', `${what}: the manifest is not valid JSON: ${(e as Error).message}`);
  }
  const top = { bytes: manifestBytes, mediaType: manifestMediaType(doc) ?? 'no media type', digest: sha256(manifestBytes) };
  const { configPlatform, ...parts } = imageParts(what, top, configOf(configDescriptor(what, top.mediaType, manifestBytes).digest));
  return { reference, platform: configPlatform, ...parts };
}

/** A fetched file: the manifest, or the config (`what` names it). */
function readFetched(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new UserError('STORE_PATH_MISSING', `${what}: the fetched file ${file} is missing`);
  }
}

const configOf = (blobOf: (d: string) => string) => (d: string) => readFetched(blobOf(d), `base image config ${d}`);

/**
 * Attributes (with `sourceRepository`, "HOST/NAME"), one of:
 * - `lock` (a lock's text) and `blobs` ({digest: store path}): pullImageFromManifest with a lock;
 * - `manifest` (a registry manifest's text), `blobs` (the config's too) and `reference`:
 *   pullImageFromManifest with nix2container's manifest;
 * - `dir` (skopeo's dir layout: manifest.json and blobs named by hex digest) and `reference`: pullImage.
 */
export function baseLayersCommand(args: { attrs?: string }): void {
  const a = readNixAttrs(args.attrs);
  const at = a.attrs;
  const reference = typeof at.reference === 'string' ? at.reference : 'the base image';
  let base: BaseImage;
  let blobOf: (d: string) => string;
  if (typeof at.dir === 'string') {
    const dir = at.dir;
    blobOf = (d) => join(dir, digestHex(d));
    base = fromManifest(reference, readFetched(join(dir, 'manifest.json'), `${reference}: the manifest`), configOf(blobOf), reference);
  } else if (typeof at.blobs === 'object' && at.blobs && (typeof at.lock === 'string' || typeof at.manifest === 'string')) {
    const blobs = at.blobs as Record<string, string>;
    blobOf = (d) => {
      if (typeof blobs[d] !== 'string') throw new UserError('BUILD_ATTRS', `${a.file}: no fetched blob for ${d}`);
      return blobs[d];
    };
    const name = typeof at.lockName === 'string' ? at.lockName : 'the lock file';
    if (typeof at.manifest === 'string') base = fromManifest(reference, Buffer.from(at.manifest, 'utf8'), configOf(blobOf), name);
    else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(at.lock as string);
      } catch (e) {
        throw new UserError('INVALID_LOCK', `the lock file is not valid JSON: ${(e as Error).message}`);
      }
      base = checkLock(parsed, name);
    }
  } else throw new UserError('BUILD_ATTRS', `${a.file}: expected "lock" or "manifest" with "blobs", or "dir"`);
  const src = typeof at.sourceRepository === 'string' ? at.sourceRepository : `${(base as ImageLock).registry}/${(base as ImageLock).repository}`;
  writeFileSync(a.out, JSON.stringify(baseLayers(base, blobOf, src), null, 1) + '\n');
}
