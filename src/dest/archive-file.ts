// docker-archive:FILE[:NAME[:TAG]] and oci-archive:FILE[:TAG] — the archive a daemon would load,
// written to a temporary file and renamed into place only when complete.
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ImageArchive, type ArchiveFormat, type ArchiveNames } from '../archive/archive.js';
import type { Measured } from '../util/measure.js';
import type { Blob, Capabilities, Committed, CopyTarget, ImageDestination, Opened } from '../copy/types.js';
import type { BlobBytes, ResolvedImage, ResolvedIndex } from '../image/model.js';
import { hostPlatform, type Platform } from '../image/platform.js';
import { checkOciLayoutTag, checkTag, parseNameTag } from '../reference/reference.js';
import { fileError } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { extraTags, type CopyFlags, type TransportParser } from './flags.js';

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
    private readonly flags: CopyFlags = {},
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
      // An OCI layout holds an index; docker-archive's manifest.json, one image per platform.
      index: format === 'oci' ? 'all' : 'one',
    };
  }

  /** docker-archive: the image of an index for this machine's platform (`docker load` here), unless --platform. */
  async platform(): Promise<Platform> {
    return hostPlatform();
  }

  private names(target: CopyTarget): ArchiveNames {
    if (this.format === 'oci') {
      // ref.name is the tag (the OCI convention); io.containerd.image.name, which Podman and
      // Docker ≥ 25 name the loaded image after, gets the image's name with it.
      const tag = this.ref ?? target.tag;
      const tags = [...(tag ? [tag] : []), ...extraTags(this.flags, tag, (t) => checkOciLayoutTag(t, `--tag ${t}`))];
      return { repoTags: target.name ? tags.map((t) => `${target.name}:${t}`) : [], refNames: tags };
    }
    // With no NAME given, the image's own name and tag, so `docker load` tags it.
    const nt = this.ref ? parseNameTag(this.ref, 'docker-archive') : target.name ? { name: target.name, tag: undefined } : undefined;
    if (!nt) {
      if (this.flags.tags?.length) throw new UserError('USAGE', `${this.description}: --tag needs a name: write docker-archive:FILE:NAME[:TAG], or build the image with a name`);
      return { repoTags: [], refNames: [] };
    }
    const tag = nt.tag ?? target.tag ?? 'latest';
    const tags = [tag, ...extraTags(this.flags, tag, (t) => checkTag(t, `--tag ${t}`))];
    return { repoTags: tags.map((t) => `${nt.name}:${t}`), refNames: tags };
  }

  async open(): Promise<Opened> {
    // What cannot be written fails here, before a layer is read.
    const dir = dirname(this.file);
    if (!(await stat(dir).then((s) => s.isDirectory(), () => false)))
      throw new UserError('FILE_SYSTEM', `${this.description}: the directory ${dir} does not exist`, 'create it first, or name a file in a directory that exists');
    if (await stat(this.file).then((s) => s.isDirectory(), () => false))
      throw new UserError('FILE_SYSTEM', `${this.description}: ${this.file} is a directory`, `name the archive file to write, as in ${this.format}-archive:${join(this.file, 'image.tar')}`);
    this.tmp = `${this.file}.tmp-${randomBytes(6).toString('hex')}`;
    const handle = await open(this.tmp, 'wx').catch((e: unknown) => {
      throw fileError(e, this.file);
    });
    const archive = (this.archive = new ImageArchive(this.format));
    this.writing = pipeline(archive.stream, handle.createWriteStream()).catch((e: unknown) => {
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
    return { ...(await this.done(names)), manifestDigest: manifest.digest, imageId: image.config.digest };
  }

  async commitChild(_image: ResolvedImage, manifest: BlobBytes): Promise<void> {
    await this.archive!.putManifest(manifest);
  }

  async commitIndex(index: ResolvedIndex, bytes: BlobBytes): Promise<Committed> {
    const names = this.names(index);
    await this.archive!.finishIndex(bytes, names);
    return { ...(await this.done(names)), manifestDigest: bytes.digest };
  }

  /** The archive complete: renamed into place. Its references, as skopeo would name them. */
  private async done(names: ArchiveNames): Promise<Committed> {
    await this.writing;
    await rename(this.tmp, this.file).catch((e: unknown) => {
      throw fileError(e, this.file);
    });
    const refs = (this.format === 'docker' ? names.repoTags : names.refNames).map((n) => `${this.format}-archive:${this.file}:${n}`);
    return { reference: refs[0] ?? `${this.format}-archive:${this.file}`, ...(refs.length > 1 ? { references: refs } : {}) };
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

export const parseDockerArchiveDestination: TransportParser = (rest, flags) => {
  const { file, ref } = splitFileRef(rest, 'docker-archive');
  if (ref !== undefined) parseNameTag(ref, 'docker-archive', `docker-archive:${rest}`); // fail early on a bad name
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  return new ArchiveFileDestination('docker', file, ref, flags);
};

export const parseOciArchiveDestination: TransportParser = (rest, flags) => {
  const { file, ref } = splitFileRef(rest, 'oci-archive');
  if (ref !== undefined) checkOciLayoutTag(ref, `oci-archive:${rest}`);
  for (const t of flags.tags ?? []) checkOciLayoutTag(t, `--tag ${t}`);
  return new ArchiveFileDestination('oci', file, ref, flags);
};
