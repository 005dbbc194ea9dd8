// The one deterministic tar writer: build-time digesting and every copy go through here.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { LayerContent } from '../image/schema.js';
import { UserError } from '../util/errors.js';
import { planLayer, type PlanEntry } from './plan.js';

/** Bumped whenever the bytes produced for the same input change. */
export const WRITER_VERSION = 'longshore-tar-1';
// Fixed and independent of the image's `created`: changing `created` must not change layers.
export const MTIME = new Date(1000);
const SMALL_FILE = 1 << 20;

export interface TarOptions {
  /** Also fingerprint each source (store path, copyToRoot, declared) so a mismatch can be pinned on one. */
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

/**
 * Streams the layer's tar. `result` resolves once the stream has been fully read,
 * with the sha256 and length of exactly the bytes that were emitted.
 */
export function layerTarStream(content: LayerContent, opts: TarOptions = {}): { stream: Readable; result: Promise<TarResult> } {
  const layerHash = createHash('sha256');
  let size = 0;
  const fps = new Map<string, Hash>();
  const fp = (origin: string): Hash | undefined => {
    if (!opts.fingerprint) return undefined;
    const k = sourceKey(origin);
    let h = fps.get(k);
    if (!h) fps.set(k, (h = createHash('sha256')));
    return h;
  };
  let resolve!: (r: TarResult) => void;
  let reject!: (e: unknown) => void;
  const result = new Promise<TarResult>((res, rej) => ((resolve = res), (reject = rej)));
  result.catch(() => {});

  async function* generate(): AsyncGenerator<Buffer> {
    const plan = await planLayer(content);
    const pack = tar.pack();
    let feedError: unknown;
    const feeding = feed(pack, plan, fp).catch((e) => {
      feedError = e;
      pack.destroy(e);
    });
    try {
      for await (const chunk of pack as AsyncIterable<Buffer>) {
        layerHash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    } catch (e) {
      throw feedError ?? e;
    }
    await feeding;
    if (feedError) throw feedError;
    const sources: Record<string, string> = {};
    for (const k of [...fps.keys()].sort()) sources[k] = 'sha256:' + fps.get(k)!.digest('hex');
    resolve({ diffID: 'sha256:' + layerHash.digest('hex'), size, sources });
  }
  const stream = Readable.from(generate(), { objectMode: false, highWaterMark: 1 << 20 });
  stream.on('error', (e) => reject(e));
  return { stream, result };
}

function metaLine(e: PlanEntry): string {
  return `${e.name}\0${e.type}\0${e.mode}\0${e.uid}\0${e.gid}\0${e.uname}\0${e.gname}\0${e.size}\0${e.linkname ?? ''}\n`;
}

async function feed(pack: tar.Pack, plan: PlanEntry[], fp: (origin: string) => Hash | undefined): Promise<void> {
  for (const e of plan) {
    const header = headerFor(e);
    const h = fp(e.origin);
    h?.update(metaLine(e));
    if (e.type !== 'file') {
      await entry(pack, header, undefined);
    } else if (e.content) {
      h?.update(e.content);
      await entry(pack, header, e.content);
    } else if (e.size <= SMALL_FILE) {
      const data = await readSource(e.source!);
      if (data.length !== e.size) throw changedWhileReading(e);
      h?.update(data);
      await entry(pack, header, data);
    } else {
      await streamEntry(pack, header, e, h);
    }
  }
  pack.finalize();
}

function changedWhileReading(e: PlanEntry): UserError {
  return new UserError(`${e.source} changed while longshore was reading it (was ${e.size} bytes); is something writing into /nix/store?`);
}

async function readSource(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

function entry(pack: tar.Pack, header: Header, data: Buffer | undefined): Promise<void> {
  return new Promise((res, rej) => {
    const cb = (err?: Error | null) => (err ? rej(err) : res());
    if (data) pack.entry(header as tar.Header, data, cb);
    else pack.entry(header as tar.Header, cb);
  });
}

function streamEntry(pack: tar.Pack, header: Header, e: PlanEntry, h: Hash | undefined): Promise<void> {
  return new Promise((res, rej) => {
    const sink = pack.entry(header as tar.Header, (err) => (err ? rej(/Size mismatch/.test(err.message) ? changedWhileReading(e) : err) : res()));
    const src = createReadStream(e.source!, { highWaterMark: 1 << 20 });
    src.on('error', (err: NodeJS.ErrnoException) => {
      rej(new UserError(`cannot read ${e.source}: ${err.code ?? err}`));
      sink.destroy(err);
    });
    src.on('data', (chunk: string | Buffer) => {
      h?.update(chunk);
      if (!sink.write(chunk)) {
        src.pause();
        sink.once('drain', () => src.resume());
      }
    });
    src.on('end', () => (sink as unknown as { end(): void }).end());
  });
}

/** Reads the whole tar only to measure it: what `buildLayer` records at build time. */
export async function digestLayer(content: LayerContent): Promise<TarResult> {
  const { stream, result } = layerTarStream(content, { fingerprint: true });
  for await (const _ of stream) {
    // drained for the hash
  }
  return result;
}
