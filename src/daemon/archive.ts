// The outer archive a daemon loads (docker-archive or oci-archive), streamed with the same header
// encoder as the layers (src/tar/header.ts). Layer entries embed `layer.open()` streams of known
// size; the layer tars themselves come from src/tar.
import { Readable } from 'node:stream';
import { END_OF_ARCHIVE, headerLength, padding, writeHeader, type TarHeader } from '../tar/header.js';
import type { LayerBlob, ResolvedImage } from '../image/model.js';
import { digestHex } from '../util/digest.js';
import type { Progress } from '../util/progress.js';
import type { LayerOutcome } from '../dest/types.js';

export type ArchiveFormat = 'docker' | 'oci';

export interface ArchiveOptions {
  /**
   * docker: manifest.json + repositories (what every Docker and Podman reads) and an OCI layout
   * sharing the same blob files (what Docker ≥ 25 prefers). oci: an OCI layout only.
   */
  format: ArchiveFormat;
  /** References as the user wrote them ("app:v1"), for manifest.json RepoTags and index.json. */
  repoTags: string[];
  /** org.opencontainers.image.ref.name in index.json (a tag, by the oci-archive convention). */
  refName?: string;
  /** Layers (by diffID) the receiver already holds: listed in the manifests, their files left out. */
  omit?: ReadonlySet<string>;
  progress?: Progress;
  /** Label for progress lines, e.g. "loading". */
  verb?: string;
  /** Leave out ARCHIVE_HEAD: the receiver already has it (DockerApi.beginLoad). */
  headSent?: boolean;
}

/** `done` when the consumer stopped reading early: its own error is the one to report. */
export class ArchiveAbandoned extends Error {
  constructor() {
    super('the archive was not read to its end');
  }
}

export interface ImageArchive {
  /** The tar; it fails (never ends cleanly) if any layer fails, so a receiver never loads half an image. */
  stream: Readable;
  /** Per-layer outcome, once the archive has been written in full. */
  done: Promise<LayerOutcome[]>;
}

// Fixed header fields: the same image gives the same archive bytes.
const FIXED = { uid: 0, gid: 0, uname: '', gname: '', mtime: 1 } as const;

const blobName = (digest: string): string => `blobs/sha256/${digestHex(digest)}`;

/** "app:v1" → "docker.io/library/app:v1", as Docker names images it loads. */
export function fullDockerName(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

function header(h: TarHeader): Buffer {
  const buf = Buffer.alloc(headerLength(h));
  writeHeader(h, buf, 0);
  return buf;
}

function* file(name: string, bytes: Buffer): Generator<Buffer> {
  yield header({ ...FIXED, name, type: 'file', mode: 0o644, size: bytes.length });
  yield bytes;
  if (padding(bytes.length)) yield Buffer.alloc(padding(bytes.length));
}

const dir = (name: string): Buffer => header({ ...FIXED, name, type: 'directory', mode: 0o755, size: 0 });

function indexJson(image: ResolvedImage, opts: ArchiveOptions): Buffer {
  const annotations: Record<string, string> = {};
  // Docker ≥ 25 and Podman name an OCI-layout image after this; Docker wants it fully qualified.
  const name = opts.repoTags[0];
  if (name) annotations['io.containerd.image.name'] = opts.format === 'docker' ? fullDockerName(name) : name;
  if (opts.refName) annotations['org.opencontainers.image.ref.name'] = opts.refName;
  const entry = {
    mediaType: image.manifest.mediaType,
    digest: image.manifest.digest,
    size: image.manifest.size,
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry] }));
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

/** Every archive's first entry, the same bytes for every image: a load can be opened with it early. */
export const ARCHIVE_HEAD: Buffer = Buffer.concat([...file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })))]);

export function imageArchive(image: ResolvedImage, opts: ArchiveOptions): ImageArchive {
  const omit = opts.omit ?? new Set<string>();
  let settle!: { resolve(o: LayerOutcome[]): void; reject(e: unknown): void };
  const done = new Promise<LayerOutcome[]>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => {});
  async function* chunks(): AsyncGenerator<Buffer> {
    if (!opts.headSent) yield ARCHIVE_HEAD;
    yield dir('blobs/');
    yield dir('blobs/sha256/');
    yield* file(blobName(image.config.digest), image.config.bytes);
    yield* file(blobName(image.manifest.digest), image.manifest.bytes);
    yield* file('index.json', indexJson(image, opts));
    if (opts.format === 'docker') {
      const manifest = [{ Config: blobName(image.config.digest), RepoTags: opts.repoTags, Layers: image.layers.map((l) => blobName(l.digest)) }];
      yield* file('manifest.json', Buffer.from(JSON.stringify(manifest)));
      yield* file('repositories', repositoriesJson(image, opts.repoTags));
    }
    const outcomes: LayerOutcome[] = [];
    const written = new Set<string>();
    for (const l of image.layers) {
      const p = opts.progress?.layer(l.digest, l.size);
      // A layer listed twice is stored once; one the receiver holds is not stored at all.
      if (omit.has(l.diffID) || written.has(l.digest)) {
        p?.done(omit.has(l.diffID) ? 'skipped (daemon has it)' : 'skipped (repeated)');
        outcomes.push({ digest: l.digest, size: l.size, action: 'skipped', bytesSent: 0 });
        continue;
      }
      p?.state(opts.verb ?? 'writing');
      yield header({ ...FIXED, name: blobName(l.digest), type: 'file', mode: 0o644, size: l.size });
      // layer.open() verifies size and digest as it goes: a mismatch fails the stream, and the archive.
      let sent = 0;
      const src = l.open();
      // The layer's own failure is what `done` reports; a consumer that stops reading destroys
      // src without an error.
      src.once('error', (e) => settle.reject(e));
      for await (const chunk of src as AsyncIterable<Buffer>) {
        sent += chunk.length;
        p?.bytes(chunk.length);
        yield chunk;
      }
      if (padding(l.size)) yield Buffer.alloc(padding(l.size));
      written.add(l.digest);
      p?.done(opts.verb === 'loading' ? 'sent' : 'written');
      outcomes.push({ digest: l.digest, size: l.size, action: opts.verb === 'loading' ? 'uploaded' : 'written', bytesSent: sent });
    }
    yield Buffer.alloc(END_OF_ARCHIVE);
    settle.resolve(outcomes);
  }
  const stream = Readable.from(chunks(), { objectMode: false });
  // A consumer that stops reading (a refused load, a full disk) leaves the archive unfinished.
  stream.once('close', () => settle.reject(new ArchiveAbandoned()));
  return { stream, done };
}
