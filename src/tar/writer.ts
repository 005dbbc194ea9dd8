// The one deterministic tar writer: build-time digesting and every copy go through here.
// A layer is laid out synchronously into large blocks (headers, file data read straight from the
// store, padding): one hash update and one stream chunk per block instead of several per file.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { LayerContent } from '../image/schema.js';
import { UserError } from '../util/errors.js';
import { fsReason } from '../util/atomic.js';
import { END_OF_ARCHIVE, headerLength, padding, writeHeader, type TarHeader } from './header.js';
import { planLayer, type PlanEntry } from './plan.js';
import { fsPath, nameToBytes, showName } from '../util/names.js';

/**
 * Bumped whenever the bytes produced for the same input change; test/tar/writer.test.ts holds the
 * writer to the bytes of a fixture. Names that are not UTF-8, copyToRoot aliases and perms rules
 * with `scope` did not bump it: no layer could hold them before, so no recorded digest changes.
 */
export const WRITER_VERSION = 'longshore-tar-1';
// Fixed and independent of the image's `created`: changing `created` must not change layers.
export const MTIME_SECONDS = 1;
// A multiple of 512, so every entry's header starts inside one block; small enough to stay in cache
// between the read that fills it and the hash that consumes it.
const BLOCK = 1 << 20;

export interface TarResult {
  diffID: string;
  size: number;
  /**
   * A fingerprint of each source (store path, copyToRoot, declared) over its entries' metadata
   * (names, types, modes, owners, sizes, link targets, and inline content), so that a mismatch at
   * copy time can be pinned on one. File contents are left out: hashing them twice would double the
   * build-time cost, and Nix's own database can tell which store path's content changed.
   */
  sources: Record<string, string>;
}

function headerFor(e: PlanEntry): TarHeader {
  const name = e.name === '.' ? './' : e.type === 'directory' ? e.name + '/' : e.name;
  return {
    name,
    type: e.type,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    uname: e.uname,
    gname: e.gname,
    mtime: MTIME_SECONDS,
    size: e.type === 'file' ? e.size : 0,
    linkname: e.type === 'symlink' ? e.linkname : undefined,
  };
}

/** Per-source metadata fingerprints; lines are batched per source to keep hash calls few. */
class Fingerprints {
  private readonly hashes = new Map<string, Hash>();
  private key = '';
  private pending = '';

  add(e: PlanEntry): void {
    const key = e.origin === 'implicit' ? 'declared' : e.origin;
    if (key !== this.key || this.pending.length > 1 << 16) this.flush(key);
    this.pending += `${e.name}\0${e.type}\0${e.mode}\0${e.uid}\0${e.gid}\0${e.uname}\0${e.gname}\0${e.size}\0${e.linkname ?? ''}\n`;
    if (e.content) {
      this.flush(key);
      this.hash(key).update(e.content);
    }
  }

  sources(): Record<string, string> {
    this.flush('');
    const out: Record<string, string> = {};
    for (const k of [...this.hashes.keys()].sort()) out[k] = 'sha256:' + this.hashes.get(k)!.digest('hex');
    return out;
  }

  private hash(key: string): Hash {
    let h = this.hashes.get(key);
    if (!h) this.hashes.set(key, (h = createHash('sha256')));
    return h;
  }

  private flush(next: string): void {
    // A name that is not UTF-8 is hashed as its bytes, so that two such names never look alike.
    if (this.pending) this.hash(this.key).update(this.pending.isWellFormed() ? this.pending : nameToBytes(this.pending));
    this.pending = '';
    this.key = next;
  }
}

function changedWhileReading(e: PlanEntry): UserError {
  return new UserError('STORE_PATH_CHANGED', `${showName(e.source ?? '')} changed while longshore was reading it (was ${e.size} bytes); is something writing into /nix/store?`);
}

function openSource(e: PlanEntry): number {
  let fd: number;
  try {
    fd = openSync(fsPath(e.source!), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UserError('STORE_PATH_CHANGED', `${showName(e.source!)} vanished while longshore was reading the layer; is something deleting from /nix/store (a garbage collection)?`);
    throw new UserError('FILE_UNREADABLE', `cannot read ${showName(e.source!)}: ${fsReason(err)}`);
  }
  try {
    // Store files were not stat'ed when planned: size and mode come from the open file.
    const st = fstatSync(fd);
    if (e.size < 0) e.size = st.size;
    else if (st.size !== e.size) throw changedWhileReading(e);
    if (e.mode < 0) e.mode = st.mode & 0o7777;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/**
 * Yields the layer's tar as blocks of BLOCK bytes (the last one shorter). With `reuse`, every block
 * is the same buffer, so the consumer must be done with one before asking for the next.
 */
function* tarBlocks(plan: PlanEntry[], fps: Fingerprints | undefined, reuse: boolean): Generator<Buffer, void, undefined> {
  let buf = Buffer.allocUnsafeSlow(BLOCK);
  let off = 0;
  const full = function* (): Generator<Buffer, void, undefined> {
    yield off === BLOCK ? buf : buf.subarray(0, off);
    if (!reuse) buf = Buffer.allocUnsafeSlow(BLOCK);
    off = 0;
  };
  for (const e of plan) {
    const fd = e.type === 'file' && !e.content ? openSource(e) : -1;
    try {
      fps?.add(e);
      const h = headerFor(e);
      const hlen = headerLength(h);
      if (hlen > BLOCK) throw new UserError('LAYER_CONTENT', `${showName(e.source ?? '/' + e.name)}: name too long for a tar header`);
      if (off + hlen > BLOCK) yield* full();
      off = writeHeader(h, buf, off);
      if (e.type !== 'file') continue;
      for (let pos = 0; pos < e.size; ) {
        if (off === BLOCK) yield* full();
        const n = Math.min(e.size - pos, BLOCK - off);
        if (e.content) e.content.copy(buf, off, pos, pos + n);
        else if (readSync(fd, buf, off, n, pos) !== n) throw changedWhileReading(e);
        off += n;
        pos += n;
      }
      // Entries start 512-aligned and BLOCK is a multiple of 512: the padding never crosses a block.
      const pad = padding(e.size);
      buf.fill(0, off, off + pad);
      off += pad;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }
  for (let left = END_OF_ARCHIVE; left > 0; ) {
    if (off === BLOCK) yield* full();
    const n = Math.min(left, BLOCK - off);
    buf.fill(0, off, off + n);
    off += n;
    left -= n;
  }
  yield* full();
}

/** The layer's tar as a stream, read from the store as the consumer pulls; the consumer verifies it. */
export function layerTarStream(content: LayerContent): Readable {
  let blocks: Generator<Buffer, void, undefined> | undefined;
  return new Readable({
    highWaterMark: BLOCK,
    read() {
      try {
        blocks ??= tarBlocks(planLayer(content), undefined, false);
        const next = blocks.next();
        this.push(next.done ? null : next.value);
      } catch (e) {
        this.destroy(e as Error);
      }
    },
    destroy(err, cb) {
      try {
        blocks?.return();
      } finally {
        cb(err);
      }
    },
  });
}

/**
 * Reads the whole tar only to measure it: what `buildLayer` records at build time (with `build`,
 * which adds the build-time checks of planLayer), and the fingerprints a failed copy compares.
 */
export function digestLayer(content: LayerContent, opts: { build?: boolean } = {}): TarResult {
  const hash = createHash('sha256');
  const fps = new Fingerprints();
  let size = 0;
  for (const block of tarBlocks(planLayer(content, { build: opts.build }), fps, true)) {
    hash.update(block);
    size += block.length;
  }
  return { diffID: 'sha256:' + hash.digest('hex'), size, sources: fps.sources() };
}
