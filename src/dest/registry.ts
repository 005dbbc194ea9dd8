// docker://HOST/NAME[:TAG|@DIGEST] — a registry repository (OCI distribution spec). Every blob is
// HEADed before any upload; what is missing is mounted from another repository where one is known,
// else uploaded straight from the store; the manifest, and with it the tag, goes last.
//
// A layer compressed on the way has no digest until it is compressed. Before compressing it, the
// destination looks for a compressed blob of it the registry already holds, using only what the
// registry holds: the images under the tag being pushed and under --cache-from, and the record of
// earlier pushes kept in the repository (blob-map.ts); each candidate is confirmed with a HEAD.
import { Readable } from 'node:stream';
import { isIndex, type Blob, type Capabilities, type Committed, type CopyTarget, type ImageDestination, type Opened, type PutEvents, type Reused, type StepContext } from '../copy/types.js';
import { KnownBlobs, pairsFromImage, type KnownBlob } from '../image/known-blobs.js';
import { COMPRESSOR_ANNOTATION, IMAGE_MANIFEST_TYPES, INDEX_TYPES, MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_DOCKER_LIST } from '../image/media-types.js';
import type { BlobBytes, ResolvedImage, ResolvedIndex } from '../image/model.js';
import { RepositoryApi } from '../registry/api.js';
import { mergeBlobMap, readBlobMap, writeBlobMap, type BlobMap } from '../registry/blob-map.js';
import { RegistryClient } from '../registry/client.js';
import { resolveCredential } from '../registry/credentials.js';
import { checkTag, formatReference, parseName, parseRegistryReference, type RegistryReference } from '../reference/reference.js';
import { pushBlob, type UploadModes } from '../registry/upload.js';
import { debugEnabled } from '../util/debug.js';
import { UserError } from '../util/errors.js';
import { measuring, type Measured } from '../util/measure.js';
import { extraTags, type CopyFlags, type TransportParser } from './flags.js';

/**
 * The repository (same registry) a blob can be mounted from: the blob's own source (a base-image
 * layer, "HOST/NAME"), else --mount-from (HOST/NAME or a bare NAME on this registry).
 */
export function mountSource(sourceRepository: string | undefined, ref: RegistryReference, flag?: string): string | undefined {
  for (const cand of [sourceRepository, flag]) {
    if (!cand) continue;
    const name = parseName(cand, `mounting from ${cand}`);
    const parsed = name.host !== undefined ? parseRegistryReference(cand) : { ...ref, repository: name.path };
    if (parsed.registry === ref.registry && parsed.repository !== ref.repository) return parsed.repository;
  }
  return undefined;
}

/** A compressed blob known to hold a layer, and the repository of this registry it was seen in. */
interface Candidate extends KnownBlob {
  repository: string;
}

const IMAGE_ACCEPT = [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_DOCKER_LIST].join(', ');
/** Of an index under a tag, the images read for their compressed layers. */
const MAX_INDEX_IMAGES = 16;

export class RegistryDestination implements ImageDestination {
  readonly capabilities: Capabilities = {
    reuse: 'probe',
    serial: false,
    putAction: 'uploaded',
    configBeside: true,
    compressions: ['gzip', 'zstd', 'none'],
    defaultCompression: 'gzip',
    followsImageCompression: true,
    needsSizeFirst: false,
    // Every image of an index, by digest, then the index under the tag.
    index: 'all',
  };
  readonly description: string;
  private client: RegistryClient | undefined;
  private api: RepositoryApi | undefined;
  /** Upload sessions a refused mount opened (202), used by the blob's upload. */
  private readonly sessions = new Map<string, string>();
  /** What uploads this registry takes, learnt as the copy goes. */
  private readonly modes: UploadModes = {};
  private known: Promise<{ blobs: KnownBlobs; record: BlobMap }> | undefined;
  /** Compressed blobs this copy made present, for the record. */
  private readonly pushed: KnownBlob[] = [];
  /** The tag being pushed (none for a push by digest). */
  private tagNow: string | undefined;

  constructor(
    readonly ref: RegistryReference,
    private readonly flags: CopyFlags,
    private readonly cacheFrom: RegistryReference | undefined,
  ) {
    this.description = `docker://${formatReference(ref, ref.tag)}${ref.digest ? '@' + ref.digest : ''}`;
  }

  private tag(target: CopyTarget): string | undefined {
    return this.ref.digest ? undefined : (this.ref.tag ?? target.tag ?? 'latest');
  }

  async open(target: CopyTarget): Promise<Opened> {
    const ref = this.ref;
    const digest = isIndex(target) ? target.index.digest : target.manifest.digest;
    if (ref.digest && ref.digest !== digest) {
      throw new UserError('DIGEST_MISMATCH', `${this.description}: the ${isIndex(target) ? 'image index' : "image's manifest"} is ${digest}, not ${ref.digest}`);
    }
    const credential = await resolveCredential(ref.registry, ref.repository, this.flags);
    this.client = new RegistryClient({ ref, credential, tlsVerify: this.flags.tlsVerify, caCert: this.flags.caCert, debug: debugEnabled() });
    await this.client.ping();
    this.api = new RepositoryApi(this.client, ref.repository);
    this.tagNow = this.tag(target);
    return {};
  }

  /**
   * Compressed blobs the registry holds for uncompressed layers, read once, when the first blob
   * compressed on the way asks: the image under the tag being pushed, the repository's record,
   * the image under --cache-from, and the record of the --mount-from repository. What cannot be
   * read adds nothing.
   */
  private knownBlobs(): Promise<{ blobs: KnownBlobs; record: BlobMap }> {
    return (this.known ??= (async () => {
      const api = this.api!;
      // The image under a reference, or each image of the index there.
      const fromImage = async (repoApi: RepositoryApi, reference: string | undefined, nested = false): Promise<Candidate[]> => {
        if (!reference) return [];
        try {
          const m = await repoApi.getManifest(reference, IMAGE_ACCEPT);
          if (m && !nested && INDEX_TYPES.has(m.mediaType)) {
            const list = (JSON.parse(m.bytes.toString('utf8')) as { manifests?: { digest?: unknown }[] }).manifests ?? [];
            const digests = list.map((e) => e.digest).filter((d): d is string => typeof d === 'string').slice(0, MAX_INDEX_IMAGES);
            return (await Promise.all(digests.map((d) => fromImage(repoApi, d, true)))).flat();
          }
          if (!m || !IMAGE_MANIFEST_TYPES.has(m.mediaType)) return [];
          const manifest = JSON.parse(m.bytes.toString('utf8')) as { config?: { digest?: string } };
          if (!manifest.config?.digest) return [];
          const config = JSON.parse((await repoApi.getBlobBytes(manifest.config.digest)).toString('utf8')) as unknown;
          return pairsFromImage(manifest, config).map((k) => ({ ...k, repository: repoApi.repository }));
        } catch (e) {
          if (e instanceof UserError || e instanceof SyntaxError) return [];
          throw e;
        }
      };
      const cache = this.cacheFrom;
      const cacheApi = cache ? new RepositoryApi(this.client!, cache.repository) : undefined;
      const mountRepo = mountSource(undefined, this.ref, this.flags.mountFrom);
      const none: BlobMap = { found: false, entries: [] };
      const recordOf = (repoApi: RepositoryApi): Promise<BlobMap> => readBlobMap(repoApi).catch(() => none);
      const candidates = (r: BlobMap, repoApi: RepositoryApi): Candidate[] => r.entries.map((k) => ({ ...k, repository: repoApi.repository }));
      const mountApi = mountRepo ? new RepositoryApi(this.client!, mountRepo) : undefined;
      const [own, record, cached, mountable] = await Promise.all([
        fromImage(api, this.tagNow),
        recordOf(api),
        cacheApi ? fromImage(cacheApi, cache!.digest ?? cache!.tag ?? 'latest') : Promise.resolve([]),
        mountApi ? recordOf(mountApi) : Promise.resolve(none),
      ]);
      const blobs = new KnownBlobs();
      for (const list of [own, candidates(record, api), cached, mountApi ? candidates(mountable, mountApi) : []]) blobs.add(list);
      return { blobs, record };
    })());
  }

  async tryReuseBlob(blob: Blob, ctx: StepContext): Promise<Reused | undefined> {
    const api = this.api!;
    if (blob.digest === undefined) return this.reuseCompressed(blob, ctx);
    if (await api.hasBlob(blob.digest, blob.size)) return { action: 'skipped', detail: 'already in registry' };
    const from = mountSource(blob.sourceRepository, this.ref, this.flags.mountFrom);
    if (!from) return undefined;
    const m = await api.mount(blob.digest, from);
    if (m.mounted) return { action: 'mounted', detail: `from ${from}` };
    if (m.location) this.sessions.set(blob.digest, m.location);
    return undefined;
  }

  /** A layer compressed on the way: a blob the registry holds for it, confirmed by HEAD (or mounted from --cache-from). */
  private async reuseCompressed(blob: Blob, _ctx: StepContext): Promise<Reused | undefined> {
    const api = this.api!;
    const { blobs, record } = await this.knownBlobs();
    // The record learns what it does not list yet; an entry it has keeps its place.
    const learn = (k: Candidate) => {
      if (!record.entries.some((e) => e.diffID === k.diffID && e.digest === k.digest)) this.pushed.push(k);
    };
    for (const k of blobs.candidates(blob.diffID!, blob.mediaType) as Candidate[]) {
      const descriptor = { mediaType: blob.mediaType, digest: k.digest, size: k.size, ...(k.compressor ? { annotations: { [COMPRESSOR_ANNOTATION]: k.compressor } } : {}) };
      if (await api.hasBlob(k.digest, k.size)) {
        learn(k);
        return { action: 'skipped', detail: 'already in registry, compressed', descriptor };
      }
      if (k.repository !== api.repository && (await api.mount(k.digest, k.repository)).mounted) {
        learn(k);
        return { action: 'mounted', detail: `from ${k.repository}, compressed`, descriptor };
      }
    }
    return undefined;
  }

  async putBlob(blob: Blob, events: PutEvents): Promise<Measured> {
    const session = blob.digest ? this.sessions.get(blob.digest) : undefined;
    if (blob.digest) this.sessions.delete(blob.digest);
    const label = blob.digest ? `${blob.kind} ${blob.digest}` : `${blob.kind} ${blob.diffID} (${blob.compression})`;
    const held = await pushBlob(this.api!, { digest: blob.digest, size: blob.size, open: () => blob.open(), label, session }, events, this.modes);
    if (blob.digest === undefined && blob.diffID)
      this.pushed.push({ diffID: blob.diffID, digest: held.digest, size: held.size, mediaType: blob.mediaType, ...(blob.annotations?.[COMPRESSOR_ANNOTATION] ? { compressor: blob.annotations[COMPRESSOR_ANNOTATION] } : {}) });
    return held;
  }

  async commit(_image: ResolvedImage, manifest: BlobBytes, ctx: StepContext): Promise<Committed> {
    return this.name(manifest, ctx);
  }

  /** An image of an index: its manifest by digest, present, under no tag. */
  async commitChild(_image: ResolvedImage, manifest: BlobBytes): Promise<void> {
    await this.api!.putManifest(manifest.digest, manifest.bytes, manifest.mediaType);
  }

  /** The index, once every image of it is present: the tag moves here. */
  async commitIndex(_index: ResolvedIndex, bytes: BlobBytes, ctx: StepContext): Promise<Committed> {
    return this.name(bytes, ctx);
  }

  /** The manifest (or index) under the tag, then under --tag's, each a PUT of the same bytes; then the record. */
  private async name(manifest: BlobBytes, ctx: StepContext): Promise<Committed> {
    const ref = this.ref;
    const tag = this.tagNow;
    const digest = await this.api!.putManifest(tag ?? manifest.digest, manifest.bytes, manifest.mediaType);
    const more = extraTags(this.flags, tag, (t) => checkTag(t, `--tag ${t}`));
    for (const t of more) await this.api!.putManifest(t, manifest.bytes, manifest.mediaType);
    if (this.pushed.length > 0) await this.updateRecord(ctx);
    const first = tag ? formatReference(ref, tag) : `${formatReference(ref)}@${digest}`;
    return { reference: first, ...(more.length ? { references: [first, ...more.map((t) => formatReference(ref, t))] } : {}), manifestDigest: digest };
  }

  /** The record of compressed blobs, with this push's first; a failure costs later pushes a compression, not this one. */
  private async updateRecord(ctx: StepContext): Promise<void> {
    const api = this.api!;
    try {
      const { record } = await this.knownBlobs();
      const entries = mergeBlobMap(this.pushed, record.entries);
      const upload = async (bytes: Buffer, digest: string) => {
        await pushBlob(api, { digest, size: bytes.length, open: () => measuring(Readable.from([bytes]), { digest, size: bytes.length }), label: `record ${digest}` }, { state() {} }, this.modes);
      };
      await writeBlobMap(api, record, entries, upload);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      ctx.progress.info(`warning: the image is pushed, but the record of its compressed layers was not updated (${e.message}); a later push from a machine without them may compress them again`);
    }
  }

  async close(): Promise<void> {
    const api = this.api;
    if (api) for (const loc of this.sessions.values()) await api.cancelUpload(loc);
    this.sessions.clear();
    await this.client?.close();
    this.client = undefined;
  }
}

/** --cache-from: an image in the same registry, as HOST/NAME[:TAG|@DIGEST] or NAME[:TAG] on it. */
function parseCacheFrom(value: string, ref: RegistryReference): RegistryReference {
  const v = value.replace(/^docker:\/\//, '');
  const name = parseName(v.replace(/[:@][^/]*$/, ''), `--cache-from ${value}`);
  const parsed = name.host !== undefined ? parseRegistryReference(v, `--cache-from ${value}`) : parseRegistryReference(`${ref.registry}/${v}`, `--cache-from ${value}`);
  if (parsed.registry !== ref.registry) throw new UserError('USAGE', `--cache-from ${value}: must be on the registry being pushed to (${ref.registry})`);
  return parsed;
}

export const parseRegistryDestination: TransportParser = (rest, flags) => {
  if (flags.mountFrom) parseName(flags.mountFrom, `--mount-from ${flags.mountFrom}`);
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  const ref = parseRegistryReference(rest);
  return new RegistryDestination(ref, flags, flags.cacheFrom ? parseCacheFrom(flags.cacheFrom, ref) : undefined);
};
