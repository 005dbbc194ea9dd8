// docker://HOST/NAME[:TAG] — push straight from the store: HEAD every blob first, mount or upload
// only what is missing, and tag only once every referenced blob is verified present.
import { Readable } from 'node:stream';
import type { LayerBlob, ResolvedImage } from '../image/model.js';
import { RepositoryApi } from '../registry/api.js';
import { RegistryClient } from '../registry/client.js';
import { resolveCredential } from '../registry/credentials.js';
import { formatReference, parseName, parseRegistryReference, type RegistryReference } from '../reference/reference.js';
import { pushBlob } from '../registry/upload.js';
import { UserError } from '../util/errors.js';
import { runLimited } from '../util/limit.js';
import type { CopyFlags } from './flags.js';
import { registerTransport } from './parse.js';
import type { CopyContext, CopyResult, Destination, LayerOutcome } from './types.js';
import { debugEnabled } from '../util/debug.js';

/** HEADs are cheap and must not wait behind uploads: they get their own, wider limit. */
const HEAD_JOBS = 16;

/**
 * The repository (same registry) a layer can be mounted from. Base-image layers (issue 5) may
 * carry `sourceRepository` ("HOST/NAME") on their LayerRecord; --mount-from applies to all layers.
 */
export function mountSource(layer: LayerBlob, ref: RegistryReference, flag?: string): string | undefined {
  for (const cand of [layer.record.sourceRepository, flag]) {
    if (!cand) continue;
    // "HOST/NAME" on the same registry, or a bare NAME meaning this registry.
    const name = parseName(cand, `mounting from ${cand}`);
    const parsed = name.host !== undefined ? parseRegistryReference(cand) : { ...ref, repository: name.path };
    if (parsed.registry === ref.registry && parsed.repository !== ref.repository) return parsed.repository;
  }
  return undefined;
}

export class RegistryDestination implements Destination {
  readonly description: string;
  readonly ref: RegistryReference;
  constructor(rest: string, private readonly flags: CopyFlags) {
    this.ref = parseRegistryReference(rest);
    if (flags.mountFrom) parseName(flags.mountFrom, `--mount-from ${flags.mountFrom}`);
    this.description = `docker://${formatReference(this.ref, this.ref.tag)}${this.ref.digest ? '@' + this.ref.digest : ''}`;
  }

  async copy(image: ResolvedImage, ctx: CopyContext): Promise<CopyResult> {
    const start = Date.now();
    const ref = this.ref;
    if (ref.digest && ref.digest !== image.manifest.digest) {
      throw new UserError(`${this.description}: the image's manifest is ${image.manifest.digest}, not ${ref.digest}`);
    }
    const tag = ref.digest ? undefined : ref.tag ?? image.tag ?? 'latest';
    const credential = await resolveCredential(ref.registry, ref.repository, this.flags);
    const client = new RegistryClient({
      ref,
      credential,
      tlsVerify: this.flags.tlsVerify,
      caCert: this.flags.caCert,
      debug: debugEnabled(),
    });
    try {
      await client.ping();
      const api = new RepositoryApi(client, ref.repository);
      const jobs = Math.max(1, ctx.jobs);

      // 1. Every layer and the config in parallel, before any upload.
      const progress = image.layers.map((l) => ctx.progress.layer(l.digest, l.size));
      progress.forEach((p) => p.state('checking'));
      const blobs = [...image.layers.map((l) => ({ digest: l.digest, size: l.size })), { digest: image.config.digest, size: image.config.size }];
      const present = await runLimited(blobs, HEAD_JOBS, (b) => api.hasBlob(b.digest, b.size));

      // 2. Mount or upload what is missing; a failed blob restarts from the store. The config is
      // tiny: it goes up beside the layers, not after them.
      const config = present[blobs.length - 1]
        ? undefined
        : pushBlob(api, { digest: image.config.digest, size: image.config.size, open: () => Readable.from([image.config.bytes]), label: 'config' }, { state() {}, bytes() {} });
      config?.catch(() => {}); // awaited below; a layer failure must not leave it unhandled
      const outcomes = await runLimited(image.layers, jobs, async (l, i): Promise<LayerOutcome> => {
        const p = progress[i];
        if (present[i]) {
          p.done('skipped (already in registry)');
          return { digest: l.digest, size: l.size, action: 'skipped', bytesSent: 0 };
        }
        const r = await pushBlob(api, { digest: l.digest, size: l.size, open: () => l.open(), mountFrom: mountSource(l, ref, this.flags.mountFrom), label: 'layer' }, p);
        p.done(r.action === 'mounted' ? 'mounted' : 'uploaded');
        return { digest: l.digest, size: l.size, action: r.action, bytesSent: r.bytesSent };
      });
      await config;

      // 3. The tag moves last: a failure above leaves the previous tag as it was.
      const manifestDigest = await api.putManifest(tag ?? image.manifest.digest, image.manifest.bytes, image.manifest.mediaType);
      const bytesSent = outcomes.reduce((a, o) => a + o.bytesSent, 0);
      return {
        destination: this.description,
        reference: tag ? formatReference(ref, tag) : `${formatReference(ref)}@${manifestDigest}`,
        manifestDigest,
        layers: outcomes,
        bytesSent,
        seconds: (Date.now() - start) / 1000,
      };
    } finally {
      await client.close();
    }
  }
}

registerTransport('docker://', (rest, flags) => new RegistryDestination(rest, flags));
