// `longshore lock docker://REF`: pins a base image for Nix. The lock holds the platform's manifest and
// config as exact bytes (their digests are checked wherever they are read), and a summary of the
// layers (digest, size, media type, diffID) that the Nix library turns into one fixed-output
// derivation per blob.
import { writeFile } from 'node:fs/promises';
import { RegistryClient } from '../registry/client.js';
import { resolveCredential, type CredentialFlags } from '../registry/credentials.js';
import { formatReference, parseRegistryReference, type RegistryReference } from '../reference/reference.js';
import { RegistryReader } from '../registry/pull.js';
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES, LAYER_TYPES, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST } from '../image/media-types.js';
import { UserError } from '../util/errors.js';
import { sha256 } from '../util/digest.js';
import { debugEnabled } from '../util/debug.js';
import { writeAtomically } from '../util/atomic.js';
import { humanBytes } from '../util/human.js';
import { platformMatches, platformString, type Platform } from '../image/platform.js';

export const LOCK_VERSION = 1;
export const LOCK_KIND = 'longshore-image-lock';

export type { Platform } from '../image/platform.js';

export interface LockLayer {
  digest: string;
  size: number;
  mediaType: string;
  diffID: string;
}

export interface ImageLock {
  version: number;
  kind: string;
  /** What was locked, as given (a tag or a digest). */
  reference: string;
  registry: string;
  repository: string;
  tag?: string;
  platform: Platform;
  /** The multi-arch index the manifest was chosen from, when there was one. */
  index?: { digest: string; mediaType: string };
  manifest: { digest: string; mediaType: string; size: number; raw: string };
  config: { digest: string; mediaType: string; size: number; raw: string };
  layers: LockLayer[];
}


export interface LockFlags extends CredentialFlags {
  tlsVerify?: boolean;
  caCert?: string;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

type Obj = Record<string, unknown>;

/** "docker://HOST/NAME:TAG" or "HOST/NAME@sha256:…" → reference (":latest" when neither is given). */
export function parseSourceRef(ref: string): RegistryReference {
  const rest = ref.replace(/^docker:\/\//, '');
  const r = parseRegistryReference(rest, ref);
  if (!r.tag && !r.digest) r.tag = 'latest';
  return r;
}


/** Picks the platform's entry of an OCI index or Docker manifest list. */
export function choosePlatform(index: Obj, want: Platform, what: string): { digest: string; mediaType: string; platform: Platform } {
  const entries = Array.isArray(index.manifests) ? (index.manifests as Obj[]) : [];
  const cands = entries.filter((m) => {
    const p = (m.platform ?? {}) as Obj;
    return platformMatches(want, { os: String(p.os), architecture: String(p.architecture), ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) });
  });
  if (!cands.length) {
    const have = entries.map((m) => {
      const p = (m.platform ?? {}) as Obj;
      return p.os ? platformString({ os: String(p.os), architecture: String(p.architecture), variant: p.variant as string | undefined }) : '(no platform)';
    });
    throw new UserError('PLATFORM_MISMATCH', `${what} has no manifest for ${platformString(want)}; it has ${have.join(', ') || 'no manifests'}`, 'choose one with --os, --arch and --variant');
  }
  // Without a variant asked for, the first listed wins (registries list the preferred one first).
  const m = cands[0];
  const p = m.platform as Obj;
  if (typeof m.digest !== 'string' || typeof m.mediaType !== 'string') throw new UserError('REGISTRY_PROTOCOL', `${what}: an index entry without digest or mediaType`);
  return { digest: m.digest, mediaType: m.mediaType, platform: { os: String(p.os), architecture: String(p.architecture), ...(p.variant ? { variant: String(p.variant) } : {}) } };
}

/** The part of a lock that describes the image itself, made from its exact bytes. */
export type ImageParts = Pick<ImageLock, 'manifest' | 'config' | 'layers'> & {
  /** The config's os, architecture and variant. */
  configPlatform: Platform;
};

/** A manifest's media type: its "mediaType", else what its shape says (OCI allows leaving it out). */
export function manifestMediaType(doc: Obj): string | undefined {
  if (typeof doc.mediaType === 'string') return doc.mediaType;
  if (Array.isArray(doc.manifests)) return MEDIA_TYPE_OCI_INDEX;
  if (typeof doc.config === 'object' && doc.config && Array.isArray(doc.layers)) return MEDIA_TYPE_OCI_MANIFEST;
  return undefined;
}

/** The config descriptor of an image manifest; refuses indexes, schema 1 and whatever is not an image manifest. */
export function configDescriptor(display: string, mediaType: string, bytes: Buffer): { digest: string; size?: number; mediaType: string } {
  if (!IMAGE_MANIFEST_TYPES.has(mediaType)) {
    throw new UserError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${display}: unsupported manifest type ${mediaType}`,
      mediaType.includes('v1+') || mediaType.includes('manifest.v1') ? 'Docker schema 1 images are deprecated; re-push the image with a current tool' : undefined,
    );
  }
  const cfgDesc = (JSON.parse(bytes.toString('utf8')) as Obj).config as Obj | undefined;
  if (!cfgDesc || typeof cfgDesc.digest !== 'string') throw new UserError('REGISTRY_PROTOCOL', `${display}: the manifest has no config descriptor`);
  return { digest: cfgDesc.digest, mediaType: String(cfgDesc.mediaType), ...(typeof cfgDesc.size === 'number' ? { size: cfgDesc.size } : {}) };
}

/**
 * An image's manifest, config and layer summary from the manifest's and the config's exact bytes:
 * the config must be the one the manifest names, the layers usable as base layers, one diff_id each.
 */
export function imageParts(display: string, top: { bytes: Buffer; mediaType: string; digest: string }, configBytes: Buffer): ImageParts {
  const cfgDesc = configDescriptor(display, top.mediaType, top.bytes);
  const cfgDigest = sha256(configBytes);
  if (cfgDigest !== cfgDesc.digest) throw new UserError('DIGEST_MISMATCH', `${display}: the config has digest ${cfgDigest}, but the manifest names ${cfgDesc.digest}`);
  const manifest = JSON.parse(top.bytes.toString('utf8')) as Obj;
  const config = JSON.parse(configBytes.toString('utf8')) as Obj;
  const configPlatform: Platform = {
    os: String(config.os ?? ''),
    architecture: String(config.architecture ?? ''),
    ...(typeof config.variant === 'string' ? { variant: config.variant } : {}),
  };
  const layersRaw = Array.isArray(manifest.layers) ? (manifest.layers as Obj[]) : [];
  const diffIDs = ((config.rootfs as Obj | undefined)?.diff_ids ?? []) as string[];
  if (diffIDs.length !== layersRaw.length) {
    throw new UserError('REGISTRY_PROTOCOL', `${display}: the manifest lists ${layersRaw.length} layers but the config has ${diffIDs.length} diff_ids`);
  }
  const layers = layersRaw.map((l, i): LockLayer => {
    const mt = String(l.mediaType);
    if (!LAYER_TYPES.has(mt)) {
      throw new UserError('UNSUPPORTED_MEDIA_TYPE', `${display}: layer ${i} has media type ${mt}, which longshore cannot use as a base layer${/foreign|nondistributable/.test(mt) ? ' (foreign layers are fetched from elsewhere)' : ''}`);
    }
    return { digest: String(l.digest), size: Number(l.size), mediaType: mt, diffID: diffIDs[i] };
  });
  return {
    manifest: { digest: top.digest, mediaType: top.mediaType, size: top.bytes.length, raw: top.bytes.toString('utf8') },
    config: { digest: cfgDesc.digest, mediaType: cfgDesc.mediaType, size: configBytes.length, raw: configBytes.toString('utf8') },
    layers,
    configPlatform,
  };
}

/** The platform's image manifest: `top` itself, or the entry of an index that `want` picks. The caller owns `reader`. */
export async function resolveManifest(reader: RegistryReader, ref: RegistryReference, want: Platform): Promise<{ top: Awaited<ReturnType<RegistryReader['manifest']>>; index?: ImageLock['index']; platform?: Platform; display: string }> {
  const display = `${formatReference(ref, ref.tag)}${ref.digest ? '@' + ref.digest : ''}`;
  let top = await reader.manifest(ref.digest ?? ref.tag!);
  if (!INDEX_TYPES.has(top.mediaType)) return { top, display };
  const chosen = choosePlatform(JSON.parse(top.bytes.toString('utf8')) as Obj, want, display);
  const index = { digest: top.digest, mediaType: top.mediaType };
  top = await reader.manifest(chosen.digest);
  return { top, index, platform: chosen.platform, display };
}

/** Fetches everything a lock needs. The caller owns `reader` (and closes it). */
export async function buildLock(reader: RegistryReader, ref: RegistryReference, want: Platform): Promise<ImageLock> {
  const { top, index, platform, display } = await resolveManifest(reader, ref, want);
  const cfgDesc = configDescriptor(display, top.mediaType, top.bytes);
  const configBytes = await reader.blobBytes(cfgDesc.digest, cfgDesc.size);
  const { configPlatform, ...parts } = imageParts(display, top, configBytes);
  if (!index && (configPlatform.os !== want.os || configPlatform.architecture !== want.architecture)) {
    throw new UserError('PLATFORM_MISMATCH', `${display} is a single-platform image for ${platformString(configPlatform)}, not ${platformString(want)}`, `lock it with --os ${configPlatform.os} --arch ${configPlatform.architecture}`);
  }
  return {
    version: LOCK_VERSION,
    kind: LOCK_KIND,
    reference: display,
    registry: ref.registry,
    repository: ref.repository,
    ...(ref.tag ? { tag: ref.tag } : {}),
    platform: platform ?? configPlatform,
    ...(index ? { index } : {}),
    ...parts,
  };
}

/** Checks a lock's internal consistency (digests of the raw documents, layer summary), naming what is off. */
export function checkLock(lock: unknown, file: string): ImageLock {
  const l = lock as ImageLock;
  if (typeof l !== 'object' || l === null || l.kind !== LOCK_KIND) throw new UserError('INVALID_LOCK', `${file}: not a longshore lock file (make one with \`longshore lock docker://…\`)`);
  if (l.version !== LOCK_VERSION) throw new UserError('INVALID_LOCK', `${file}: lock format version ${JSON.stringify(l.version)} is not supported; re-run longshore lock`);
  for (const k of ['manifest', 'config'] as const) {
    const d = l[k];
    if (!d || typeof d.raw !== 'string') throw new UserError('INVALID_LOCK', `${file}: "${k}.raw" is missing`);
    const got = sha256(Buffer.from(d.raw, 'utf8'));
    if (got !== d.digest) throw new UserError('INVALID_LOCK', `${file}: the ${k} text has digest ${got}, but the lock says ${d.digest}; the lock was edited — re-run longshore lock`);
  }
  const manifest = JSON.parse(l.manifest.raw) as { config: { digest: string }; layers: { digest: string; size: number; mediaType: string }[] };
  const config = JSON.parse(l.config.raw) as { rootfs?: { diff_ids?: string[] } };
  if (manifest.config.digest !== l.config.digest) throw new UserError('INVALID_LOCK', `${file}: the manifest's config is ${manifest.config.digest}, but the lock's config is ${l.config.digest}`);
  const diffIDs = config.rootfs?.diff_ids ?? [];
  if (manifest.layers.length !== l.layers.length || diffIDs.length !== l.layers.length)
    throw new UserError('INVALID_LOCK', `${file}: the layer list does not match the manifest (${manifest.layers.length} layers) and config (${diffIDs.length} diff_ids); re-run longshore lock`);
  manifest.layers.forEach((m, i) => {
    const s = l.layers[i];
    if (s.digest !== m.digest || s.size !== m.size || s.mediaType !== m.mediaType || s.diffID !== diffIDs[i])
      throw new UserError('INVALID_LOCK', `${file}: layers[${i}] (${s.digest}) does not match the manifest's ${m.digest}; the lock was edited — re-run longshore lock`);
  });
  return l;
}

export interface LockArgs extends LockFlags {
  reference: string;
  os?: string;
  arch?: string;
  variant?: string;
  output?: string;
}

/** Runs `fn` with a reader of the reference's repository, with the command line's credentials and TLS settings. */
async function withReader<T>(a: LockArgs, fn: (reader: RegistryReader, ref: RegistryReference, want: Platform) => Promise<T>): Promise<T> {
  const ref = parseSourceRef(a.reference);
  const want: Platform = { os: a.os ?? DEFAULT_PLATFORM.os, architecture: a.arch ?? DEFAULT_PLATFORM.architecture, ...(a.variant ? { variant: a.variant } : {}) };
  const credential = await resolveCredential(ref.registry, ref.repository, a);
  const client = new RegistryClient({ ref, credential, tlsVerify: a.tlsVerify, caCert: a.caCert, debug: debugEnabled() });
  const reader = new RegistryReader(client, ref.repository);
  try {
    await client.ping();
    return await fn(reader, ref, want);
  } finally {
    await reader.close();
    await client.close();
  }
}

export async function lockCommand(a: LockArgs): Promise<ImageLock> {
  return withReader(a, async (reader, ref, want) => {
    const lock = await buildLock(reader, ref, want);
    const text = JSON.stringify(lock, null, 2) + '\n';
    if (a.output && a.output !== '-') {
      await writeAtomically(a.output, (tmp) => writeFile(tmp, text));
      const n = lock.layers.length;
      process.stderr.write(
        `locked ${lock.reference} (${platformString(lock.platform)}) at ${lock.manifest.digest}: ${n} ${n === 1 ? 'layer' : 'layers'}, ${humanBytes(lock.layers.reduce((s, l) => s + l.size, 0))} → ${a.output}\n`,
      );
    } else process.stdout.write(text);
    return lock;
  });
}

/**
 * `longshore manifest docker://REF`: the platform's image manifest, exact bytes, as the registry
 * serves it (an index resolved to --os/--arch/--variant): nix2container's format for
 * pullImageFromManifest, which its getManifest passthru prints.
 */
export async function manifestCommand(a: LockArgs): Promise<Buffer> {
  return withReader(a, async (reader, ref, want) => {
    const { top, display } = await resolveManifest(reader, ref, want);
    configDescriptor(display, top.mediaType, top.bytes); // an image manifest, not schema 1 or anything else
    if (a.output && a.output !== '-') {
      await writeAtomically(a.output, (tmp) => writeFile(tmp, top.bytes));
      process.stderr.write(`${display}: manifest ${top.digest} → ${a.output}\n`);
    } else process.stdout.write(top.bytes);
    return top.bytes;
  });
}
