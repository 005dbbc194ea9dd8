// The outer archive a daemon loads (docker-archive or oci-archive), streamed with tar-stream. Layer
// entries embed `layer.open()` streams of known size; the layer tars themselves come from src/tar.
import { Readable } from 'node:stream';
import tar from 'tar-stream';
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
}

export interface ImageArchive {
  /** The tar; it fails (never ends cleanly) if any layer fails, so a receiver never loads half an image. */
  stream: Readable;
  /** Per-layer outcome, once the archive has been written in full. */
  done: Promise<LayerOutcome[]>;
}

// Fixed header fields: the same image gives the same archive bytes.
const MTIME = new Date(1000);
const FILE = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: MTIME } as const;
const DIR = { mode: 0o755, uid: 0, gid: 0, uname: '', gname: '', mtime: MTIME, type: 'directory' } as const;

const blobName = (digest: string): string => `blobs/sha256/${digestHex(digest)}`;

/** "app:v1" → "docker.io/library/app:v1", as Docker names images it loads. */
export function fullDockerName(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

function addBytes(pack: tar.Pack, name: string, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ ...FILE, name, size: bytes.length }, bytes, (err) => (err ? reject(err) : resolve()));
  });
}

function addDir(pack: tar.Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ ...DIR, name }, (err) => (err ? reject(err) : resolve()));
  });
}

async function addLayer(pack: tar.Pack, layer: LayerBlob, onBytes: (n: number) => void): Promise<number> {
  let sent = 0;
  let finished!: Promise<void>;
  const entry = (() => {
    let w!: ReturnType<tar.Pack['entry']>;
    finished = new Promise((resolve, reject) => {
      w = pack.entry({ ...FILE, name: blobName(layer.digest), size: layer.size }, (err) => (err ? reject(err) : resolve()));
    });
    return w;
  })();
  const src = layer.open();
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      sent += chunk.length;
      onBytes(chunk.length);
      if (!entry.write(chunk)) await new Promise<void>((r) => entry.once('drain', () => r()));
    }
  } catch (e) {
    entry.destroy(e as Error);
    throw e;
  }
  (entry as unknown as { end(): void }).end();
  await finished;
  return sent;
}

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

export function imageArchive(image: ResolvedImage, opts: ArchiveOptions): ImageArchive {
  const pack = tar.pack();
  const omit = opts.omit ?? new Set<string>();
  const write = async (): Promise<LayerOutcome[]> => {
    await addBytes(pack, 'oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    await addDir(pack, 'blobs/');
    await addDir(pack, 'blobs/sha256/');
    await addBytes(pack, blobName(image.config.digest), image.config.bytes);
    await addBytes(pack, blobName(image.manifest.digest), image.manifest.bytes);
    await addBytes(pack, 'index.json', indexJson(image, opts));
    if (opts.format === 'docker') {
      const manifest = [{ Config: blobName(image.config.digest), RepoTags: opts.repoTags, Layers: image.layers.map((l) => blobName(l.digest)) }];
      await addBytes(pack, 'manifest.json', Buffer.from(JSON.stringify(manifest)));
      await addBytes(pack, 'repositories', repositoriesJson(image, opts.repoTags));
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
      const sent = await addLayer(pack, l, (n) => p?.bytes(n));
      written.add(l.digest);
      p?.done(opts.verb === 'loading' ? 'sent' : 'written');
      outcomes.push({ digest: l.digest, size: l.size, action: opts.verb === 'loading' ? 'uploaded' : 'written', bytesSent: sent });
    }
    pack.finalize();
    return outcomes;
  };
  const done = write();
  done.catch((e) => pack.destroy(e as Error));
  // A Node stream for undici, pipeline() and execa alike.
  const stream = Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
  return { stream, done };
}
