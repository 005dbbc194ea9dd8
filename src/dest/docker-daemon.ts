// docker-daemon:NAME[:TAG] — loads into dockerd over its API, sending only the layers it lacks.
import type { ResolvedImage } from '../image/model.js';
import { UserError } from '../util/errors.js';
import { DockerApi, dockerEndpoint, EarlyLoadRefused, type PendingLoad } from '../daemon/docker-api.js';
import { ARCHIVE_HEAD } from '../daemon/archive.js';
import { alreadyLoaded, loadArchive, loadOmitting, loadResult } from '../daemon/load.js';
import { layersToSkip } from '../daemon/layers.js';
import { parseNameTag } from '../reference/reference.js';
import { registerTransport } from './parse.js';
import type { CopyContext, CopyResult, Destination, LayerOutcome } from './types.js';

/**
 * Docker's image ID is the config digest; with its containerd image store (the default for new
 * installs since Docker 29, not available on this machine's 20.10) it is the manifest's digest.
 */
const isOurs = (id: string, image: ResolvedImage): boolean => id === image.config.digest || id === image.manifest.digest;

export class DockerDaemonDestination implements Destination {
  readonly description: string;
  constructor(readonly name: string, readonly tag: string | undefined) {
    this.description = `docker-daemon:${name}${tag ? ':' + tag : ''}`;
  }

  async copy(image: ResolvedImage, ctx: CopyContext): Promise<CopyResult> {
    const start = Date.now();
    const tag = this.tag ?? image.tag ?? 'latest';
    const ref = `${this.name}:${tag}`;
    const api = new DockerApi(dockerEndpoint());
    // Most copies load something; the load's first bytes make dockerd start unpacking meanwhile.
    let early: PendingLoad | undefined = api.beginLoad(ARCHIVE_HEAD);
    try {
      await api.negotiate();
      let layers: LayerOutcome[];
      const images = await api.images();
      const exact = images.find((i) => isOurs(i.id, image));
      if (exact) {
        // The daemon holds this exact image: tagging is all there is to do.
        early?.cancel();
        early = undefined;
        await api.tag(exact.id, this.name, tag);
        layers = alreadyLoaded(image, ctx.progress);
      } else {
        // The classic loader skips a layer file whose ChainID it has, so those files are left out.
        const omit = await layersToSkip(image.layers.map((l) => l.diffID), 'stack-prefix', { name: this.name, ref }, images, (ids) => api.stacks(ids));
        // A daemon that needs every file (e.g. the containerd image store) gets the full archive.
        layers = await loadOmitting(omit, 'the Docker daemon', ctx.progress, async (o) => {
          const load = (p?: PendingLoad) =>
            loadArchive(image, { format: 'docker', repoTags: [ref], omit: o, progress: ctx.progress, headSent: !!p }, (s, signal) => (p ? p.send(s, signal) : api.load(s, signal)));
          // A retry (the daemon refused the first archive) opens a load of its own.
          const pending = early;
          early = undefined;
          if (!pending) return load();
          try {
            return await load(pending);
          } catch (e) {
            if (!(e instanceof EarlyLoadRefused)) throw e;
            return load();
          }
        });
      }
      const got = await api.inspect(ref);
      if (!got) throw new UserError(`the Docker daemon reported success but has no image ${ref}`);
      if (!isOurs(got.Id, image)) throw new UserError(`the Docker daemon holds ${got.Id} as ${ref}, expected ${image.config.digest} (or, in a containerd image store, ${image.manifest.digest})`);
      return loadResult(this.description, ref, image, layers, start);
    } finally {
      early?.cancel();
      await api.close();
    }
  }
}

registerTransport('docker-daemon', (rest) => {
  const { name, tag } = parseNameTag(rest, 'docker-daemon');
  return new DockerDaemonDestination(name, tag);
});
