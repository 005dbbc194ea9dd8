// docker://HOST/NAME[:TAG|@DIGEST] — a registry repository (OCI distribution spec). Every blob is
// HEADed before any upload; what is missing is mounted from another repository where one is known,
// else uploaded straight from the store; the manifest, and with it the tag, goes last.
import type { Blob, Capabilities, Committed, ImageDestination, Opened, PutEvents, Reused } from '../copy/types.js';
import type { BlobBytes, ResolvedImage } from '../image/model.js';
import { RepositoryApi } from '../registry/api.js';
import { RegistryClient } from '../registry/client.js';
import { resolveCredential } from '../registry/credentials.js';
import { formatReference, parseName, parseRegistryReference, type RegistryReference } from '../reference/reference.js';
import { pushBlob } from '../registry/upload.js';
import { debugEnabled } from '../util/debug.js';
import { UserError } from '../util/errors.js';
import type { CopyFlags, TransportParser } from './flags.js';

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

export class RegistryDestination implements ImageDestination {
  readonly capabilities: Capabilities = { reuse: 'probe', serial: false, putAction: 'uploaded', configBeside: true };
  readonly description: string;
  private client: RegistryClient | undefined;
  private api: RepositoryApi | undefined;
  /** Upload sessions a refused mount opened (202), used by the blob's upload. */
  private readonly sessions = new Map<string, string>();

  constructor(
    readonly ref: RegistryReference,
    private readonly flags: CopyFlags,
  ) {
    this.description = `docker://${formatReference(ref, ref.tag)}${ref.digest ? '@' + ref.digest : ''}`;
  }

  async open(image: ResolvedImage): Promise<Opened> {
    const ref = this.ref;
    if (ref.digest && ref.digest !== image.manifest.digest) {
      throw new UserError('DIGEST_MISMATCH', `${this.description}: the image's manifest is ${image.manifest.digest}, not ${ref.digest}`);
    }
    const credential = await resolveCredential(ref.registry, ref.repository, this.flags);
    this.client = new RegistryClient({ ref, credential, tlsVerify: this.flags.tlsVerify, caCert: this.flags.caCert, debug: debugEnabled() });
    await this.client.ping();
    this.api = new RepositoryApi(this.client, ref.repository);
    return {};
  }

  async tryReuseBlob(blob: Blob): Promise<Reused | undefined> {
    const api = this.api!;
    if (await api.hasBlob(blob.digest, blob.size)) return { action: 'skipped', detail: 'already in registry' };
    const from = mountSource(blob.sourceRepository, this.ref, this.flags.mountFrom);
    if (!from) return undefined;
    const m = await api.mount(blob.digest, from);
    if (m.mounted) return { action: 'mounted', detail: `from ${from}` };
    if (m.location) this.sessions.set(blob.digest, m.location);
    return undefined;
  }

  async putBlob(blob: Blob, events: PutEvents): Promise<void> {
    const session = this.sessions.get(blob.digest);
    this.sessions.delete(blob.digest);
    await pushBlob(this.api!, { digest: blob.digest, size: blob.size, open: () => blob.open(), label: blob.kind, session }, events);
  }

  async commit(image: ResolvedImage, manifest: BlobBytes): Promise<Committed> {
    const ref = this.ref;
    const tag = ref.digest ? undefined : (ref.tag ?? image.tag ?? 'latest');
    const digest = await this.api!.putManifest(tag ?? manifest.digest, manifest.bytes, manifest.mediaType);
    return { reference: tag ? formatReference(ref, tag) : `${formatReference(ref)}@${digest}`, manifestDigest: digest };
  }

  async close(): Promise<void> {
    const api = this.api;
    if (api) for (const loc of this.sessions.values()) await api.cancelUpload(loc);
    this.sessions.clear();
    await this.client?.close();
    this.client = undefined;
  }
}

export const parseRegistryDestination: TransportParser = (rest, flags) => {
  if (flags.mountFrom) parseName(flags.mountFrom, `--mount-from ${flags.mountFrom}`);
  return new RegistryDestination(parseRegistryReference(rest), flags);
};
