// `longshore index create DEST SRC…`: joins images already pushed (typically each built natively on
// a machine of its platform) into one OCI image index, in the registry that holds them. Each
// source's platform is read from its config (a source that is an index gives each of its images);
// sources in other repositories of the registry are mounted into DEST's, blob by blob; each image's
// manifest is put by digest, then the index under DEST's tag (and --tag's): the tag moves last.
import { RegistryClient } from '../registry/client.js';
import { RepositoryApi } from '../registry/api.js';
import { RegistryReader } from '../registry/pull.js';
import { resolveCredential, type CredentialFlags } from '../registry/credentials.js';
import { checkTag, formatReference, parseRegistryReference, type RegistryReference } from '../reference/reference.js';
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES } from '../image/media-types.js';
import { imageIndex, type Descriptor, type IndexEntry } from '../image/model.js';
import { platformString, samePlatform, type Platform } from '../image/platform.js';
import { debugEnabled } from '../util/debug.js';
import { UserError } from '../util/errors.js';
import { runLimited } from '../util/limit.js';

export interface IndexCreateArgs extends CredentialFlags {
  destination: string;
  sources: string[];
  tlsVerify?: boolean;
  caCert?: string;
  /** --annotation, for the index. */
  annotations?: Record<string, string>;
  /** --tag: more tags for the index. */
  tags?: string[];
  json?: boolean;
  quiet?: boolean;
}

/** One image of the index to be, as found in a source. */
interface Found extends IndexEntry {
  /** The source as the user wrote it, for messages. */
  source: string;
  repository: string;
  bytes: Buffer;
  /** Its config and layers: what DEST's repository must hold before the manifest. */
  blobs: Descriptor[];
}

export interface IndexCreateResult {
  reference: string;
  references?: string[];
  manifestDigest: string;
  images: { platform: string; digest: string; source: string; blobsMounted: number }[];
}

type Obj = Record<string, unknown>;

function registryRef(value: string, what: string): RegistryReference {
  if (!value.startsWith('docker://')) throw new UserError('USAGE', `${what} ${JSON.stringify(value)}: index create works in a registry: write docker://HOST/NAME[:TAG]`);
  return parseRegistryReference(value.slice('docker://'.length), value);
}

const descriptor = (v: unknown, what: string): Descriptor => {
  const d = v as Obj | undefined;
  if (!d || typeof d.digest !== 'string' || typeof d.size !== 'number' || typeof d.mediaType !== 'string') throw new UserError('REGISTRY_PROTOCOL', `${what}: a descriptor without mediaType, digest or size`);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
};

/** The image (or, for an index, each image) a source names, with its platform. */
async function readSource(client: RegistryClient, source: string, ref: RegistryReference): Promise<Found[]> {
  const reader = new RegistryReader(client, ref.repository);
  try {
    const image = async (m: { bytes: Buffer; mediaType: string; digest: string }, listed?: Platform): Promise<Found> => {
      if (!IMAGE_MANIFEST_TYPES.has(m.mediaType)) throw new UserError('UNSUPPORTED_MEDIA_TYPE', `${source}: ${m.mediaType} is not an image manifest`);
      const doc = JSON.parse(m.bytes.toString('utf8')) as Obj;
      const config = descriptor(doc.config, `${source}: its config`);
      const layers = (Array.isArray(doc.layers) ? doc.layers : []).map((l, i) => descriptor(l, `${source}: layer ${i}`));
      let platform = listed;
      if (!platform) {
        const c = JSON.parse((await reader.blobBytes(config.digest, config.size)).toString('utf8')) as Obj;
        if (typeof c.os !== 'string' || typeof c.architecture !== 'string') throw new UserError('REGISTRY_PROTOCOL', `${source}: its config names no os and architecture`);
        platform = { os: c.os, architecture: c.architecture, ...(typeof c.variant === 'string' && c.variant ? { variant: c.variant } : {}) };
      }
      return { source, repository: ref.repository, mediaType: m.mediaType, digest: m.digest, size: m.bytes.length, bytes: m.bytes, platform, blobs: [config, ...layers] };
    };
    const top = await reader.manifest(ref.digest ?? ref.tag ?? 'latest');
    if (!INDEX_TYPES.has(top.mediaType)) return [await image(top)];
    // An index among the sources: each of its images (attestations, "unknown/unknown", left out).
    const entries = ((JSON.parse(top.bytes.toString('utf8')) as Obj).manifests ?? []) as Obj[];
    const found: Found[] = [];
    for (const e of entries) {
      const p = (e.platform ?? {}) as Obj;
      if (typeof p.os !== 'string' || typeof p.architecture !== 'string' || p.os === 'unknown') continue;
      const d = descriptor(e, `${source}: an index entry`);
      found.push(await image(await reader.manifest(d.digest), { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' && p.variant ? { variant: p.variant } : {}) }));
    }
    return found;
  } finally {
    await reader.close();
  }
}

export async function indexCreate(a: IndexCreateArgs): Promise<IndexCreateResult> {
  const dest = registryRef(a.destination, 'index create: DEST');
  if (dest.digest) throw new UserError('USAGE', `index create: DEST ${a.destination} names a digest; give it a tag (the index's digest is known once it is made)`);
  const tag = dest.tag ?? 'latest';
  const more = (a.tags ?? []).filter((t, i, all) => t !== tag && all.indexOf(t) === i);
  for (const t of more) checkTag(t, `--tag ${t}`);
  if (a.sources.length === 0) throw new UserError('USAGE', 'index create: name at least one source image: longshore index create DEST SRC…');
  const sources = a.sources.map((s) => ({ s, ref: registryRef(s, 'index create: SRC') }));
  for (const { s, ref } of sources)
    if (ref.registry !== dest.registry) throw new UserError('USAGE', `index create: ${s} is on ${ref.registry}, not on ${dest.registry}: an index joins images of one registry (copy the image there first)`);
  const credential = await resolveCredential(dest.registry, dest.repository, a);
  const client = new RegistryClient({ ref: dest, credential, tlsVerify: a.tlsVerify, caCert: a.caCert, debug: debugEnabled() });
  try {
    await client.ping();
    const found = (await runLimited(sources, 4, ({ s, ref }) => readSource(client, s, ref))).flat();
    for (const [i, f] of found.entries()) {
      const twin = found.findIndex((g, j) => j < i && samePlatform(g.platform, f.platform));
      if (twin >= 0) throw new UserError('PLATFORM_CONFLICT', `index create: ${found[twin].source} (${found[twin].digest}) and ${f.source} (${f.digest}) are both for ${platformString(f.platform)}; an index holds one image per platform`);
    }
    const api = new RepositoryApi(client, dest.repository);
    // Each image present in DEST's repository: its blobs (mounted from its source's), then its manifest by digest.
    const mounted = await runLimited(found, 2, async (f) => {
      let n = 0;
      if (f.repository !== dest.repository) {
        await runLimited(f.blobs, 8, async (b) => {
          if (await api.hasBlob(b.digest, b.size)) return;
          const m = await api.mount(b.digest, f.repository);
          if (!m.mounted) {
            if (m.location) await api.cancelUpload(m.location);
            throw new UserError('REGISTRY_REFUSED', `index create: ${dest.registry} would not mount blob ${b.digest} of ${f.source} from ${f.repository} into ${dest.repository}`, 'push the images to the repository of the index, or give credentials that may pull from the sources');
          }
          n++;
        });
      }
      await api.putManifest(f.digest, f.bytes, f.mediaType);
      return n;
    });
    const index = imageIndex(found, a.annotations);
    const digest = await api.putManifest(tag, index.bytes, index.mediaType);
    for (const t of more) await api.putManifest(t, index.bytes, index.mediaType);
    const reference = formatReference(dest, tag);
    const result: IndexCreateResult = {
      reference,
      ...(more.length ? { references: [reference, ...more.map((t) => formatReference(dest, t))] } : {}),
      manifestDigest: digest,
      images: found.map((f, i) => ({ platform: platformString(f.platform), digest: f.digest, source: f.source, blobsMounted: mounted[i] })),
    };
    if (a.json) process.stdout.write(JSON.stringify(result) + '\n');
    else if (!a.quiet)
      process.stderr.write(`created image index ${reference} (${digest}) of ${found.length} images: ${result.images.map((i) => `${i.platform} from ${i.source}${i.blobsMounted ? ` (${i.blobsMounted} blobs mounted)` : ''}`).join(', ')}${more.length ? `; also as ${more.join(', ')}` : ''}\n`);
    return result;
  } finally {
    await client.close();
  }
}
