// Build time: a base image's lock (or a pullImage directory) and its fetched blobs → a layers JSON
// that buildImage's fromImage accepts. Blobs stay as the registry serves them (gzip included): the
// records carry `blob`, the registry digest/size/mediaType, the diffID from the config, and the
// repository they came from (for cross-repository mounts on push). The base config rides along in
// `base`, so buildImage can merge it.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNixAttrs } from '../nix-attrs.js';
import { FORMAT_VERSION, type BaseImageInfo, type LayerRecord, type LayersFile } from '../image/schema.js';
import { UserError } from '../util/errors.js';
import { digestHex } from '../util/digest.js';
import { checkLock, type ImageLock } from './lock.js';

type Obj = Record<string, unknown>;

export function baseLayers(lock: ImageLock, blobOf: (digest: string) => string, sourceRepository: string): LayersFile {
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

/**
 * Attributes: `lock` (the lock's text) and `blobs` ({digest: store path}), or `dir` (a pullImage
 * output: lock.json and blobs/<hex>); `sourceRepository` ("HOST/NAME").
 */
export function baseLayersCommand(args: { attrs?: string }): void {
  const a = readNixAttrs(args.attrs);
  const at = a.attrs;
  let lockText: string;
  let blobOf: (d: string) => string;
  if (typeof at.dir === 'string') {
    const dir = at.dir;
    lockText = readFileSync(join(dir, 'lock.json'), 'utf8');
    blobOf = (d) => join(dir, 'blobs', digestHex(d));
  } else if (typeof at.lock === 'string' && typeof at.blobs === 'object' && at.blobs) {
    lockText = at.lock;
    const blobs = at.blobs as Record<string, string>;
    blobOf = (d) => {
      if (typeof blobs[d] !== 'string') throw new UserError('BUILD_ATTRS', `${a.file}: no fetched blob for ${d}`);
      return blobs[d];
    };
  } else throw new UserError('BUILD_ATTRS', `${a.file}: expected "lock" and "blobs", or "dir"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(lockText);
  } catch (e) {
    throw new UserError('INVALID_LOCK', `the lock file is not valid JSON: ${(e as Error).message}`);
  }
  const lock = checkLock(parsed, typeof at.lockName === 'string' ? at.lockName : 'the lock file');
  const src = typeof at.sourceRepository === 'string' ? at.sourceRepository : `${lock.registry}/${lock.repository}`;
  writeFileSync(a.out, JSON.stringify(baseLayers(lock, blobOf, src), null, 1) + '\n');
}
