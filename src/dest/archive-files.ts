// docker-archive:FILE[:NAME[:TAG]] and oci-archive:FILE[:TAG] — the archive a daemon would load,
// written to a temporary file and renamed into place only when complete.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ResolvedImage } from '../image/model.js';
import { UserError } from '../util/errors.js';
import { writeAtomically } from '../util/atomic.js';
import { ArchiveAbandoned, imageArchive, type ArchiveFormat } from '../daemon/archive.js';
import { checkOciLayoutTag, parseNameTag } from '../reference/reference.js';
import { registerTransport } from './parse.js';
import type { CopyContext, CopyResult, Destination } from './types.js';

export class ArchiveFileDestination implements Destination {
  readonly description: string;
  constructor(
    readonly format: ArchiveFormat,
    readonly file: string,
    /** docker: NAME[:TAG]; oci: the TAG */
    readonly ref: string | undefined,
  ) {
    this.description = `${format}-archive:${file}${ref ? ':' + ref : ''}`;
  }

  private names(image: ResolvedImage): { repoTags: string[]; refName?: string } {
    if (this.format === 'oci') {
      // ref.name is the tag (the OCI convention); io.containerd.image.name, which Podman and
      // Docker ≥ 25 name the loaded image after, gets the image's name with it.
      const tag = this.ref ?? image.tag;
      return { repoTags: image.name && tag ? [`${image.name}:${tag}`] : [], refName: tag };
    }
    // With no NAME given, the image's own name and tag, so `docker load` tags it.
    const nt = this.ref ? parseNameTag(this.ref, 'docker-archive') : image.name ? { name: image.name, tag: undefined } : undefined;
    if (!nt) return { repoTags: [] };
    const tag = nt.tag ?? image.tag ?? 'latest';
    return { repoTags: [`${nt.name}:${tag}`], refName: tag };
  }

  async copy(image: ResolvedImage, ctx: CopyContext): Promise<CopyResult> {
    const start = Date.now();
    const { repoTags, refName } = this.names(image);
    const archive = imageArchive(image, { format: this.format, repoTags, refName, progress: ctx.progress, verb: 'writing' });
    try {
      const layers = await writeAtomically(this.file, async (tmp) => {
        await pipeline(archive.stream, createWriteStream(tmp));
        return archive.done;
      });
      return {
        destination: this.description,
        reference: `${this.format}-archive:${this.file}${this.format === 'docker' ? (repoTags[0] ? ':' + repoTags[0] : '') : refName ? ':' + refName : ''}`,
        manifestDigest: image.manifest.digest,
        imageId: image.config.digest,
        layers,
        bytesSent: layers.reduce((a, l) => a + l.bytesSent, 0),
        seconds: (Date.now() - start) / 1000,
      };
    } catch (e) {
      // The layer's own error says more than the stream's "premature close".
      const layerError = await archive.done.then(() => undefined, (err: unknown) => (err instanceof ArchiveAbandoned ? undefined : err));
      throw layerError ?? e;
    }
  }
}

/** FILE[:REF]: the file name ends at the first ':', as in containers/image. */
function splitFileRef(rest: string, transport: string): { file: string; ref?: string } {
  const i = rest.indexOf(':');
  const file = i < 0 ? rest : rest.slice(0, i);
  const ref = i < 0 ? undefined : rest.slice(i + 1);
  if (!file) throw new UserError(`${transport}: needs a file name, as in ${transport}:FILE${transport === 'oci-archive' ? '[:TAG]' : '[:NAME:TAG]'}`);
  return { file, ref };
}

registerTransport('docker-archive', (rest) => {
  const { file, ref } = splitFileRef(rest, 'docker-archive');
  if (ref !== undefined) parseNameTag(ref, 'docker-archive', `docker-archive:${rest}`); // fail early on a bad name
  return new ArchiveFileDestination('docker', file, ref);
});

registerTransport('oci-archive', (rest) => {
  const { file, ref } = splitFileRef(rest, 'oci-archive');
  if (ref !== undefined) checkOciLayoutTag(ref, `oci-archive:${rest}`);
  return new ArchiveFileDestination('oci', file, ref);
});
