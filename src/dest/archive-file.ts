// docker-archive:FILE[:NAME[:TAG]] and oci-archive:FILE[:TAG] — the archive a daemon would load,
// written to a temporary file and renamed into place only when complete.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ImageArchive, type ArchiveFormat, type ArchiveNames } from '../archive/archive.js';
import type { Measured } from '../util/measure.js';
import type { Blob, Capabilities, Committed, ImageDestination, Opened } from '../copy/types.js';
import type { BlobBytes, ResolvedImage } from '../image/model.js';
import { checkOciLayoutTag, parseNameTag } from '../reference/reference.js';
import { fileError } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import type { TransportParser } from './flags.js';

export class ArchiveFileDestination implements ImageDestination {
  readonly capabilities: Capabilities;
  readonly description: string;
  private archive: ImageArchive | undefined;
  private writing: Promise<void> | undefined;
  private tmp = '';

  constructor(
    readonly format: ArchiveFormat,
    readonly file: string,
    /** docker: NAME[:TAG]; oci: the TAG */
    readonly ref: string | undefined,
  ) {
    this.description = `${format}-archive:${file}${ref ? ':' + ref : ''}`;
    this.capabilities = {
      reuse: 'none',
      serial: true,
      putAction: 'written',
      configBeside: false,
      // docker-archive's manifest.json is Docker's, which has no zstd layers.
      compressions: format === 'oci' ? ['none', 'gzip', 'zstd'] : ['none', 'gzip'],
      defaultCompression: 'none',
      followsImageCompression: true,
      needsSizeFirst: true,
    };
  }

  private names(image: ResolvedImage): ArchiveNames {
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

  async open(): Promise<Opened> {
    this.tmp = `${this.file}.tmp-${randomBytes(6).toString('hex')}`;
    const archive = (this.archive = new ImageArchive(this.format));
    this.writing = pipeline(archive.stream, createWriteStream(this.tmp)).catch((e: unknown) => {
      throw fileError(e, this.file);
    });
    this.writing.catch(() => {}); // awaited in commit
    archive.attach(this.writing);
    return {};
  }

  async tryReuseBlob(): Promise<undefined> {
    return undefined;
  }

  async putBlob(blob: Blob): Promise<Measured> {
    // The copy flow measured a blob compressed on the way: a tar entry needs its size first.
    const held = { digest: blob.digest!, size: blob.size! };
    await this.archive!.putBlob(held.digest, held.size, blob.open());
    return held;
  }

  async commit(image: ResolvedImage, manifest: BlobBytes): Promise<Committed> {
    const names = this.names(image);
    await this.archive!.finish(image, manifest, names);
    await this.writing;
    await rename(this.tmp, this.file).catch((e: unknown) => {
      throw fileError(e, this.file);
    });
    const name = this.format === 'docker' ? names.repoTags[0] : names.refName;
    return { reference: `${this.format}-archive:${this.file}${name ? ':' + name : ''}`, manifestDigest: manifest.digest, imageId: image.config.digest };
  }

  async close(failure?: unknown): Promise<void> {
    if (failure === undefined) return;
    this.archive?.abort(failure);
    await this.writing?.catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/** FILE[:REF]: the file name ends at the first ':', as in containers/image. */
function splitFileRef(rest: string, transport: string): { file: string; ref?: string } {
  const i = rest.indexOf(':');
  const file = i < 0 ? rest : rest.slice(0, i);
  const ref = i < 0 ? undefined : rest.slice(i + 1);
  if (!file) throw new UserError('INVALID_REFERENCE', `${transport}: needs a file name, as in ${transport}:FILE${transport === 'oci-archive' ? '[:TAG]' : '[:NAME:TAG]'}`);
  return { file, ref };
}

export const parseDockerArchiveDestination: TransportParser = (rest) => {
  const { file, ref } = splitFileRef(rest, 'docker-archive');
  if (ref !== undefined) parseNameTag(ref, 'docker-archive', `docker-archive:${rest}`); // fail early on a bad name
  return new ArchiveFileDestination('docker', file, ref);
};

export const parseOciArchiveDestination: TransportParser = (rest) => {
  const { file, ref } = splitFileRef(rest, 'oci-archive');
  if (ref !== undefined) checkOciLayoutTag(ref, `oci-archive:${rest}`);
  return new ArchiveFileDestination('oci', file, ref);
};
