// The one deterministic tar writer: build-time digesting and every copy go through here.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { LayerContent } from '../image/schema.js';
import { UserError } from '../util/errors.js';
import { planLayer, type PlanEntry } from './plan.js';
import { freshAllocator, slabAllocator, type Allocator } from './slabs.js';

/** Bumped whenever the bytes produced for the same input change. */
export const WRITER_VERSION = 'longshore-tar-1';
// Fixed and independent of the image's `created`: changing `created` must not change layers.
export const MTIME = new Date(1000);
const SMALL_FILE = 1 << 20;

export interface TarOptions {
  /**
   * Also fingerprint each source (store path, copyToRoot, declared) by its entries' metadata (names,
   * types, modes, owners, sizes, link targets, and inline content), so a mismatch can be pinned on one.
   * File contents are left out: hashing them twice would double the build-time cost, and Nix's own
   * database can tell which store path's content changed (see image/model.ts).
   */
  fingerprint?: boolean;
}

export interface TarResult {
  diffID: string;
  size: number;
  sources: Record<string, string>;
}

type Header = Omit<Partial<tar.Header>, 'linkname'> & { name: string; linkname?: string; pax?: Record<string, string> };

function headerFor(e: PlanEntry): Header {
  const name = e.name === '.' ? './' : e.type === 'directory' ? e.name + '/' : e.name;
  const h: Header = {
    name,
    type: e.type,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    uname: e.uname,
    gname: e.gname,
    mtime: MTIME,
    size: e.type === 'file' ? e.size : 0,
  };
  if (e.type === 'symlink') h.linkname = e.linkname;
  // Non-ASCII names and link targets go into a PAX record, which is UTF-8 by definition.
  if (!/^[\x20-\x7e]*$/.test(name) || (h.linkname !== undefined && !/^[\x20-\x7e]*$/.test(h.linkname))) h.pax = {};
  return h;
}

function sourceKey(origin: string): string {
  return origin === 'implicit' ? 'declared' : origin;
}

interface Fingerprints {
  fp(origin: string): Hash | undefined;
  sources(): Record<string, string>;
}

function fingerprints(enabled: boolean | undefined): Fingerprints {
  const fps = new Map<string, Hash>();
  return {
    fp(origin) {
      if (!enabled) return undefined;
      const k = sourceKey(origin);
      let h = fps.get(k);
      if (!h) fps.set(k, (h = createHash('sha256')));
      return h;
    },
    sources() {
      const out: Record<string, string> = {};
      for (const k of [...fps.keys()].sort()) out[k] = 'sha256:' + fps.get(k)!.digest('hex');
      return out;
    },
  };
}

/** Starts the tar-stream packer fed from the plan; feeding errors destroy the packer. */
async function startPack(content: LayerContent, fps: Fingerprints, alloc: Allocator = freshAllocator): Promise<tar.Pack> {
  const plan = await planLayer(content);
  const pack = tar.pack();
  feed(pack, plan, (o) => fps.fp(o), alloc).catch((e) => pack.destroy(e));
  return pack;
}

/**
 * Streams the layer's tar. `result` resolves once the stream has been fully read, with the sha256
 * and length of exactly the bytes that were emitted.
 */
export function layerTarStream(content: LayerContent, opts: TarOptions = {}): { stream: Readable; result: Promise<TarResult> } {
  const layerHash = createHash('sha256');
  const fps = fingerprints(opts.fingerprint);
  let size = 0;
  let pack: tar.Pack | undefined;
  let resolve!: (r: TarResult) => void;
  let reject!: (e: unknown) => void;
  const result = new Promise<TarResult>((res, rej) => ((resolve = res), (reject = rej)));
  result.catch(() => {});
  // Chunks flow from the packer straight into a plain Readable, paused when the consumer is full.
  const stream = new Readable({
    highWaterMark: 1 << 20,
    read() {
      pack?.resume();
    },
    destroy(err, cb) {
      pack?.destroy(err ?? undefined);
      cb(err);
    },
  });
  stream.on('error', (e) => reject(e));
  startPack(content, fps).then(
    (p) => {
      pack = p;
      p.on('data', (c: unknown) => {
      const chunk = c as Buffer;
        layerHash.update(chunk);
        size += chunk.length;
        if (!stream.push(chunk)) p.pause();
      });
      p.on('end', () => {
        resolve({ diffID: 'sha256:' + layerHash.digest('hex'), size, sources: fps.sources() });
        stream.push(null);
      });
      p.on('error', (e: Error) => stream.destroy(e));
    },
    (e) => stream.destroy(e),
  );
  return { stream, result };
}

function metaLine(e: PlanEntry): string {
  return `${e.name}\0${e.type}\0${e.mode}\0${e.uid}\0${e.gid}\0${e.uname}\0${e.gname}\0${e.size}\0${e.linkname ?? ''}\n`;
}

async function feed(pack: tar.Pack, plan: PlanEntry[], fp: (origin: string) => Hash | undefined, alloc: Allocator): Promise<void> {
  for (const e of plan) {
    const h = fp(e.origin);
    if (e.type === 'file' && !e.content) {
      await fileEntry(pack, e, alloc, h);
      continue;
    }
    h?.update(metaLine(e));
    if (e.content) h?.update(e.content);
    await entry(pack, headerFor(e), e.content);
  }
  pack.finalize();
}

function changedWhileReading(e: PlanEntry): UserError {
  return new UserError(`${e.source} changed while longshore was reading it (was ${e.size} bytes); is something writing into /nix/store?`);
}

function entry(pack: tar.Pack, header: Header, data: Buffer | undefined): Promise<void> {
  return new Promise((res, rej) => {
    const cb = (err?: Error | null) => (err ? rej(err) : res());
    if (data) pack.entry(header as tar.Header, data, cb);
    else pack.entry(header as tar.Header, cb);
  });
}

/**
 * Reads a file synchronously in chunks (page-cache reads are fast; thread-pool round trips are not)
 * and writes them into the entry, waiting when the consumer is behind.
 */
async function fileEntry(pack: tar.Pack, e: PlanEntry, alloc: Allocator, h: Hash | undefined): Promise<void> {
  let fd: number;
  try {
    fd = openSync(e.source!, 'r');
  } catch (err) {
    throw new UserError(`cannot read ${e.source}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    const st = fstatSync(fd);
    if (e.size < 0) e.size = st.size;
    else if (st.size !== e.size) throw changedWhileReading(e);
    if (e.mode < 0) e.mode = st.mode & 0o7777;
    const header = headerFor(e);
    h?.update(metaLine(e));
    if (e.size <= SMALL_FILE) {
      const buf = alloc.take(e.size);
      if (e.size > 0 && readSync(fd, buf, 0, e.size, 0) !== e.size) throw changedWhileReading(e);
      await entry(pack, header, buf);
      return;
    }
    let sink!: ReturnType<tar.Pack['entry']>;
    const done = new Promise<void>((res, rej) => {
      sink = pack.entry(header as tar.Header, (err) => (err ? rej(/Size mismatch/.test(err.message) ? changedWhileReading(e) : err) : res()));
    });
    done.catch(() => {});
    let off = 0;
    while (off < e.size) {
      const n = Math.min(SMALL_FILE, e.size - off);
      const buf = alloc.take(n);
      const got = readSync(fd, buf, 0, n, off);
      if (got !== n) throw changedWhileReading(e);
      off += n;
      if (!sink.write(buf)) await new Promise<void>((res) => sink.once('drain', () => res()));
    }
    (sink as unknown as { end(): void }).end();
    await done;
  } finally {
    closeSync(fd);
  }
}

/** Reads the whole tar only to measure it: what `buildLayer` records at build time. */
export async function digestLayer(content: LayerContent): Promise<TarResult> {
  const layerHash = createHash('sha256');
  const fps = fingerprints(true);
  let size = 0;
  const alloc = slabAllocator();
  const pack = await startPack(content, fps, alloc);
  await new Promise<void>((res, rej) => {
    pack.on('data', (c: unknown) => {
      const chunk = c as Buffer;
      layerHash.update(chunk);
      size += chunk.length;
      alloc.release(chunk);
    });
    pack.on('end', () => res());
    pack.on('error', (e: Error) => rej(e));
  });
  return { diffID: 'sha256:' + layerHash.digest('hex'), size, sources: fps.sources() };
}
