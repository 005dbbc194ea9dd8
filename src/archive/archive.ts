// The image archive that daemons load and archive files hold: an OCI image layout (oci-layout,
// blobs/sha256/…, index.json) and, for docker-archive, Docker's manifest.json and repositories
// naming the same blob files. Written entry by entry as blobs arrive, with the header encoder the
// layers use (src/tar/header.ts); the same inputs give the same bytes.
import { PassThrough } from 'node:stream';
import type { BlobBytes, Descriptor, ResolvedImage } from '../image/model.js';
import { END_OF_ARCHIVE, headerLength, padding, writeHeader, type TarHeader } from '../tar/header.js';
import { digestHex } from '../util/digest.js';
import { DigestMismatchError, UserError } from '../util/errors.js';
import type { MeasuredStream } from '../util/measure.js';
import { MEDIA_TYPE_OCI_INDEX } from '../image/media-types.js';

/**
 * docker: an OCI layout plus manifest.json and repositories (what every Docker and Podman reads;
 * Docker ≥ 25 prefers the layout). oci: the OCI layout alone (oci-archive).
 */
export type ArchiveFormat = 'docker' | 'oci';

export interface ArchiveNames {
  /** References as the user wrote them ("app:v1"), for manifest.json RepoTags and index.json. */
  repoTags: string[];
  /**
   * org.opencontainers.image.ref.name in index.json (a tag, by the oci-archive convention), one
   * per reference: index.json lists the manifest once for each (with repoTags' name alongside).
   */
  refNames: string[];
}

// Fixed header fields: the same image gives the same archive bytes.
const FIXED = { uid: 0, gid: 0, uname: '', gname: '', mtime: 1 } as const;

const blobName = (digest: string): string => `blobs/sha256/${digestHex(digest)}`;

function header(h: TarHeader): Buffer {
  const buf = Buffer.alloc(headerLength(h));
  writeHeader(h, buf, 0);
  return buf;
}

function fileEntry(name: string, bytes: Buffer): Buffer {
  return Buffer.concat([header({ ...FIXED, name, type: 'file', mode: 0o644, size: bytes.length }), bytes, Buffer.alloc(padding(bytes.length))]);
}

const dirEntry = (name: string): Buffer => header({ ...FIXED, name, type: 'directory', mode: 0o755, size: 0 });

/**
 * Every archive's first entry, the same bytes for every image: a daemon load can be opened with
 * it before anything else is known (src/daemon/docker.ts).
 */
export const ARCHIVE_HEAD: Buffer = fileEntry('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));

/** "app:v1" → "docker.io/library/app:v1", as Docker names the images it loads. */
export function fullDockerName(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

/** Docker's legacy "repositories" file: repo → tag → top layer id. */
function repositoriesJson(image: ResolvedImage, repoTags: string[]): Buffer {
  const top = image.layers.at(-1);
  const repos: Record<string, Record<string, string>> = {};
  for (const rt of repoTags) {
    const i = rt.lastIndexOf(':');
    if (i <= rt.lastIndexOf('/') || !top) continue;
    (repos[rt.slice(0, i)] ??= {})[rt.slice(i + 1)] = digestHex(top.diffID);
  }
  return Buffer.from(JSON.stringify(repos));
}

function indexJson(format: ArchiveFormat, manifest: Descriptor, names: ArchiveNames): Buffer {
  const entries = Array.from({ length: Math.max(1, names.repoTags.length, names.refNames.length) }, (_, i) => {
    const annotations: Record<string, string> = {};
    // Docker ≥ 25 and Podman name an OCI-layout image after this; Docker wants it fully qualified.
    const name = names.repoTags[i];
    if (name) annotations['io.containerd.image.name'] = format === 'docker' ? fullDockerName(name) : name;
    if (names.refNames[i]) annotations['org.opencontainers.image.ref.name'] = names.refNames[i];
    return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, ...(Object.keys(annotations).length ? { annotations } : {}) };
  });
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: entries }));
}

/**
 * An archive being written to `stream`. Blobs are added one at a time (putBlob waits while the
 * receiver is slower); finish() adds the index and ends the archive. abort() fails the stream,
 * so a receiver never sees a complete archive of half an image.
 */
export class ImageArchive {
  readonly stream = new PassThrough({ highWaterMark: 1 << 20 });
  private failure: unknown;
  private finished = false;

  /** headSent: the receiver already has ARCHIVE_HEAD (a load opened early). */
  constructor(
    readonly format: ArchiveFormat,
    opts: { headSent?: boolean } = {},
  ) {
    // Receivers listen for errors themselves; this keeps an abort from crashing the process.
    this.stream.on('error', () => {});
    if (!opts.headSent) this.stream.write(ARCHIVE_HEAD);
    this.stream.write(Buffer.concat([dirEntry('blobs/'), dirEntry('blobs/sha256/')]));
  }

  /**
   * Ties the archive to its receiver: if the receiver fails (a refused load, a full disk) or stops
   * reading before the end, writes fail with the receiver's error instead of waiting forever.
   */
  attach(receiver: Promise<unknown>): void {
    receiver.then(
      () => {
        if (!this.finished) this.abort(new UserError('DAEMON_REFUSED', 'the receiver stopped reading before the archive ended'));
      },
      (e: unknown) => this.abort(e),
    );
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        if (this.failure !== undefined) reject(this.failure);
        else resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }

  /**
   * Adds blobs/sha256/<hex> with `size` bytes from `src`. The entry's header goes first, so the
   * bytes must be those measured before (a blob compressed on the way is made twice): a stream
   * that delivers other bytes fails the archive.
   */
  async putBlob(digest: string, size: number, src: MeasuredStream): Promise<void> {
    await this.write(header({ ...FIXED, name: blobName(digest), type: 'file', mode: 0o644, size }));
    let n = 0;
    for await (const chunk of src as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > size) break;
      await this.write(chunk);
    }
    const got = n > size ? undefined : await src.measured;
    if (!got || got.digest !== digest || got.size !== size)
      throw new DigestMismatchError(`${blobName(digest)}: the blob came out as ${got ? `${got.digest} (${got.size} bytes)` : `more than ${size} bytes`} the second time it was made; the compressor is not deterministic here`, digest);
    if (padding(size)) await this.write(Buffer.alloc(padding(size)));
  }

  /** Adds a manifest (or an image index) as a blob: an image of an index, or the index itself. */
  async putManifest(manifest: BlobBytes): Promise<void> {
    await this.write(fileEntry(blobName(manifest.digest), manifest.bytes));
  }

  /** oci: adds the image index as a blob and index.json naming it, and ends the archive (its images' manifests were put before). */
  async finishIndex(index: BlobBytes, names: ArchiveNames): Promise<void> {
    if (this.format !== 'oci') throw new Error('a docker-archive holds no image index');
    await this.write(Buffer.concat([fileEntry(blobName(index.digest), index.bytes), fileEntry('index.json', indexJson(this.format, index, names)), Buffer.alloc(END_OF_ARCHIVE)]));
    this.finished = true;
    this.stream.end();
  }

  /** Adds the manifest, index.json (and Docker's manifest.json and repositories), and ends the archive. */
  async finish(image: ResolvedImage, manifest: BlobBytes, names: ArchiveNames): Promise<void> {
    const parts = [fileEntry(blobName(manifest.digest), manifest.bytes), fileEntry('index.json', indexJson(this.format, manifest, names))];
    if (this.format === 'docker') {
      // The layer files as the manifest lists them: compressed on the way, they are not the image's own.
      const layers = (JSON.parse(manifest.bytes.toString('utf8')) as { layers: { digest: string }[] }).layers;
      const list = [{ Config: blobName(image.config.digest), RepoTags: names.repoTags, Layers: layers.map((l) => blobName(l.digest)) }];
      parts.push(fileEntry('manifest.json', Buffer.from(JSON.stringify(list))), fileEntry('repositories', repositoriesJson(image, names.repoTags)));
    }
    parts.push(Buffer.alloc(END_OF_ARCHIVE));
    await this.write(Buffer.concat(parts));
    this.finished = true;
    this.stream.end();
  }

  /** Fails the stream: the receiver sees an archive cut short, with an error, and keeps nothing. */
  abort(e: unknown): void {
    if (this.finished || this.failure !== undefined) return;
    this.failure = e;
    this.stream.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}
