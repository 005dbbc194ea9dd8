// podman:NAME[:TAG] — loads into Podman's storage, sending only the layers it lacks.
import type { ResolvedImage } from '../image/model.js';
import { UserError } from '../util/errors.js';
import { digestHex } from '../util/digest.js';
import { alreadyLoaded, loadArchive, loadOmitting, loadResult } from '../daemon/load.js';
import { podmanBackend } from '../daemon/podman.js';
import { layersToSkip } from '../daemon/layers.js';
import { parseNameTag } from '../reference/reference.js';
import { registerTransport } from './parse.js';
import type { CopyContext, CopyResult, Destination, LayerOutcome } from './types.js';

export class PodmanDestination implements Destination {
  readonly description: string;
  constructor(readonly name: string, readonly tag: string | undefined) {
    this.description = `podman:${name}${tag ? ':' + tag : ''}`;
  }

  async copy(image: ResolvedImage, ctx: CopyContext): Promise<CopyResult> {
    const start = Date.now();
    const tag = this.tag ?? image.tag ?? 'latest';
    const ref = `${this.name}:${tag}`;
    const id = digestHex(image.config.digest);
    const podman = await podmanBackend((m) => ctx.progress.info(m));
    try {
      let layers: LayerOutcome[];
      const [exact, images] = await Promise.all([podman.exists(id), podman.images()]);
      if (exact) {
        layers = alreadyLoaded(image, ctx.progress);
      } else {
        // Podman reuses a layer by its uncompressed digest wherever it sits in the stack, and its
        // oci-archive reader opens a blob only when it cannot reuse it.
        const omit = await layersToSkip(image.layers.map((l) => l.diffID), 'anywhere', { name: this.name, ref }, images, (ids) => podman.stacks(ids));
        layers = await loadOmitting(omit, podman.label, ctx.progress, (o) =>
          loadArchive(image, { format: 'oci', repoTags: [ref], refName: tag, omit: o, progress: ctx.progress }, (s, signal) => podman.load(s, signal)),
        );
      }
      // The archive's name annotation already names it; tagging makes sure, whatever Podman made of it.
      await podman.tag(id, this.name, tag);
      const got = (await podman.inspect(ref))?.id;
      if (!got) throw new UserError(`${podman.label} reported success but has no image ${ref}`);
      if (got !== id) throw new UserError(`${podman.label} holds sha256:${got} as ${ref}, expected ${image.config.digest}`);
      return loadResult(this.description, ref, image, layers, start);
    } finally {
      await podman.close();
    }
  }
}

registerTransport('podman', (rest) => {
  const { name, tag } = parseNameTag(rest, 'podman');
  return new PodmanDestination(name, tag);
});
