// The one copy flow: every destination goes through here. It owns parallelism, progress, timing,
// the bytes sent, the layer encodings and the result; destinations implement only their protocol
// (types.ts).
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { encodeStream } from '../compress/blocks.js';
import { compressorName, LEVELS } from '../compress/encoding.js';
import { COMPRESSOR_ANNOTATION, compressionOf, layerMediaType, MEDIA_TYPE_LAYER_TAR, type Compression } from '../image/media-types.js';
import type { BlobBytes, LayerBlob, ResolvedImage, ResolvedIndex } from '../image/model.js';
import { choosePlatformEntry, hostPlatform, platformString, type Platform } from '../image/platform.js';
import { debugEnabled, debugLog } from '../util/debug.js';
import { UserError } from '../util/errors.js';
import { runLimited } from '../util/limit.js';
import { measuring, type Measured } from '../util/measure.js';
import type { LayerProgress, Progress } from '../util/progress.js';
import { CopyAgain, isIndex, type Blob, type Capabilities, type Committed, type CopyResult, type CopyTarget, type ImageDestination, type LayerDescriptor, type LayerOutcome, type Reused } from './types.js';

/** Probes (HEADs, stats) are cheap and must not wait behind puts: they get their own, wider limit. */
const PROBE_JOBS = 16;
/** A destination may ask for the copy again once (e.g. after refusing a partial archive), not forever. */
const MAX_ATTEMPTS = 3;

export interface CopyOptions {
  progress: Progress;
  /** Parallel blob puts (destinations that take one stream get one at a time). */
  jobs: number;
  /** Layer compression asked for on the command line (else the image's, else the destination's default). */
  compression?: Compression;
  /** Its level (else the compressor's default). */
  compressionLevel?: number;
  /** An index: copy only its image for this platform (--platform). */
  platform?: Platform;
}

export interface Encoding {
  compression: Compression;
  level?: number;
}

/**
 * How this copy encodes the image's own (uncompressed) layers: --compression, else the image's
 * default where the destination follows it, else the destination's. Base-image layers travel as
 * stored. Throws a USAGE error for an encoding the destination cannot hold or a level out of range.
 */
export function chooseEncoding(caps: Capabilities, description: string, opts: Pick<CopyOptions, 'compression' | 'compressionLevel'>, image: Pick<ResolvedImage, 'compression'>): Encoding {
  let compression: Compression;
  let level = opts.compressionLevel;
  if (opts.compression) {
    compression = opts.compression;
    if (!caps.compressions.includes(compression))
      throw new UserError('USAGE', `${description} cannot hold ${compression} layers; it takes ${caps.compressions.join(', ')}`, compression === 'zstd' ? 'zstd layers need an OCI manifest: use docker://, oci: or oci-archive:' : undefined);
  } else if (caps.followsImageCompression && image.compression && caps.compressions.includes(image.compression.type)) {
    compression = image.compression.type;
    level ??= image.compression.level;
  } else {
    compression = caps.defaultCompression;
  }
  if (compression === 'none') {
    if (opts.compressionLevel !== undefined) throw new UserError('USAGE', '--compression-level needs --compression gzip or zstd (layers go uncompressed here)');
    return { compression };
  }
  const range = LEVELS[compression];
  level ??= range.default;
  if (level < range.min || level > range.max) throw new UserError('USAGE', `${compression} levels run from ${range.min} to ${range.max}, not ${level}`);
  return { compression, level };
}

/**
 * Copies `image` to `dest`: layers whose store paths are gone fail first, before the destination
 * is touched; then open, reuse what the destination holds, put the rest, commit. Throws the first
 * failure (a UserError for anything a user can cause or meet), after the destination abandoned
 * what it had not committed.
 */
export async function copyImage(image: ResolvedImage, dest: ImageDestination, opts: CopyOptions): Promise<CopyResult> {
  return copyTarget(image, dest, opts);
}

/**
 * Copies an image index to `dest`. A destination that holds indexes ('all': a registry, an OCI
 * layout or archive) gets every image, each committed without a reference once its blobs are in
 * place, then the index, under the reference: the tag moves last. A destination that holds one
 * image ('one': a daemon, a docker-archive) gets the image for --platform, else for its own
 * platform, under the index's name and tag; none is a PLATFORM_MISMATCH naming the platforms the
 * index has. --platform picks one image for any destination.
 */
export async function copyIndex(index: ResolvedIndex, dest: ImageDestination, opts: CopyOptions): Promise<CopyResult> {
  if (dest.capabilities.index === 'all' && !opts.platform) return copyTarget(index, dest, opts);
  const want = opts.platform ?? (dest.platform ? await dest.platform({ progress: opts.progress }) : hostPlatform());
  const chosen = choosePlatformEntry(index.images, want, `${index.source} (an image index)`, opts.platform ? undefined : `choose one of its platforms with --platform OS/ARCH[/VARIANT]`);
  // Named as the index is: the user asked for NAME:TAG of the index, not one image's own tag.
  const result = await copyTarget({ ...chosen, name: index.name ?? chosen.name, tag: index.tag ?? chosen.tag }, dest, opts);
  return { ...result, platform: platformString(chosen.platform) };
}

async function copyTarget(target: CopyTarget, dest: ImageDestination, opts: CopyOptions): Promise<CopyResult> {
  const start = Date.now();
  const images = isIndex(target) ? target.images : [target];
  if (isIndex(target) && (!dest.commitChild || !dest.commitIndex)) throw new Error(`${dest.description} states it holds indexes but has no commitChild/commitIndex`);
  const encodings = images.map((i) => chooseEncoding(dest.capabilities, dest.description, opts, i));
  await Promise.all(images.flatMap((i) => i.layers.map((l) => l.check())));
  let reuse = true;
  for (let attempt = 1; ; attempt++) {
    try {
      return await copyOnce(target, dest, opts, encodings, reuse, start);
    } catch (e) {
      if (!(e instanceof CopyAgain) || attempt >= MAX_ATTEMPTS) throw e;
      opts.progress.info(e.message);
      // Quiet and --json runs hide progress: the debug log still says why the copy ran again.
      if (debugEnabled()) debugLog(`copying again: ${e.message}`);
      reuse &&= e.reuse;
    }
  }
}

interface Item {
  blob: Blob;
  /** Layers only: the layer's progress bar and outcome. */
  bar?: LayerProgress;
  outcome?: LayerOutcome;
  /** What the manifest lists for it, once known. */
  descriptor?: LayerDescriptor;
  /** An earlier item with the same content: this one travels with it. */
  same?: Item;
  /** Compressed on the way by this copy (else sent as stored). */
  encoded?: boolean;
}

/** Counts what passes into the item's outcome (bytes sent) or its progress bar (the layer's progress). */
function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}

/** `a` piped into `b`, failing and closing together. */
function joined<T extends Transform>(a: Readable, b: T): T {
  a.once('error', (e) => b.destroy(e));
  b.once('close', () => a.destroy());
  return a.pipe(b);
}

/**
 * The blob of one layer as this copy sends it: as stored, or compressed on the way (then without
 * a digest until its bytes are made). Progress counts the layer's own bytes; the outcome, the
 * bytes that travel.
 */
function layerItem(l: LayerBlob, encoding: Encoding): Item {
  const stored = compressionOf(l.mediaType) ?? 'none';
  const encode = l.mediaType === MEDIA_TYPE_LAYER_TAR && !l.record.blob && encoding.compression !== 'none';
  const item: Item = {} as Item;
  const raw = (): Readable => (item.bar ? joined(l.open(), counter((n) => item.bar!.bytes(n))) : l.open());
  const sent = (s: Readable): Readable => joined(s, counter((n) => item.outcome && (item.outcome.bytesSent += n)));
  let blob: Blob;
  if (encode) {
    const c = encoding.compression as Exclude<Compression, 'none'>;
    const make = () => encodeStream(raw(), { compression: c, level: encoding.level! });
    blob = {
      kind: 'layer',
      mediaType: layerMediaType(c),
      diffID: l.diffID,
      compression: c,
      annotations: { [COMPRESSOR_ANNOTATION]: compressorName(c, encoding.level!) },
      open: () => measuring(sent(make())),
      measure: async () => {
        const m = measuring(encodeStream(l.open(), { compression: c, level: encoding.level! }));
        await pipeline(m, new Writable({ write: (_c, _e, cb) => cb() }));
        return m.measured;
      },
    };
  } else {
    const known: Measured = { digest: l.digest, size: l.size };
    blob = {
      kind: 'layer',
      mediaType: l.mediaType,
      digest: l.digest,
      size: l.size,
      diffID: l.diffID,
      compression: stored,
      open: () => measuring(sent(raw()), known),
      measure: async () => known,
    };
  }
  if (l.record.sourceRepository) blob.sourceRepository = l.record.sourceRepository;
  item.blob = blob;
  item.encoded = encode;
  item.outcome = { digest: l.digest, size: l.size, diffID: l.diffID, mediaType: l.mediaType, action: 'skipped', bytesSent: 0, compressed: false };
  if (!encode) item.descriptor = { mediaType: l.mediaType, digest: l.digest, size: l.size };
  return item;
}

/** `byKey` is shared by the images of one copy (an index): a layer they share travels once. */
function items(image: ResolvedImage, encoding: Encoding, byKey: Map<string, Item>): { layers: Item[]; config: Item } {
  const layers = image.layers.map((l): Item => {
    const item = layerItem(l, encoding);
    // A layer listed twice travels once: by digest, or, compressed on the way, by what it holds.
    const key = item.blob.digest ?? `${item.blob.diffID}/${item.blob.compression}/${encoding.level}`;
    item.same = byKey.get(key);
    if (!item.same) byKey.set(key, item);
    return item;
  });
  const c = image.config;
  const known: Measured = { digest: c.digest, size: c.size };
  const config: Item = {
    blob: { kind: 'config', mediaType: c.mediaType, digest: c.digest, size: c.size, compression: 'none', open: () => measuring(Readable.from([c.bytes]), known), measure: async () => known },
  };
  return { layers, config };
}

/** Records what the destination holds for an item: its manifest descriptor and its outcome's digest. */
function settle(it: Item, held: Measured, annotations?: Record<string, string>): void {
  it.descriptor = { mediaType: it.blob.mediaType, digest: held.digest, size: held.size, ...(annotations ? { annotations } : {}) };
  if (it.outcome) Object.assign(it.outcome, { digest: held.digest, size: held.size, mediaType: it.blob.mediaType });
}

/** One image's blobs, sent (or found) and settled: its layers' items and the manifest as they went. */
interface Sent {
  layers: Item[];
  manifest: BlobBytes;
}

/**
 * Makes one image's blobs present at the destination: everything it can reuse, decided before any
 * put; then the rest from the store.
 */
async function sendImage(image: ResolvedImage, dest: ImageDestination, opts: CopyOptions, encoding: Encoding, reuse: boolean, byKey: Map<string, Item>, present: string | undefined): Promise<Sent> {
  const { progress } = opts;
  const caps = dest.capabilities;
  const { layers, config } = items(image, encoding, byKey);
  for (const l of layers) l.bar = progress.layer(l.outcome!.digest, l.outcome!.size);
  if (present) {
    for (const l of layers) l.bar!.done(`skipped (${present})`);
    return { layers, manifest: image.manifest };
  }
  const unique = [config, ...layers.filter((l) => !l.same)];
  // 1. Everything the destination can reuse, decided before any put.
  let reused: (Reused | undefined)[] = unique.map(() => undefined);
  if (reuse && caps.reuse !== 'none') {
    for (const l of layers) if (!l.same) l.bar!.state('checking');
    reused = await runLimited(unique, caps.reuse === 'probe' ? PROBE_JOBS : 1, (it) => dest.tryReuseBlob(it.blob, { progress }));
  }
  const missing: Item[] = [];
  unique.forEach((it, i) => {
    const r = reused[i];
    if (!r) return void missing.push(it);
    if (r.descriptor) settle(it, r.descriptor, r.descriptor.annotations);
    if (it.outcome) it.outcome.action = r.action;
    it.bar?.done(r.action === 'skipped' ? `skipped (${r.detail})` : `mounted (${r.detail})`);
  });
  // 2. The rest, from the store: one at a time in image order, config first, into one stream;
  // else in parallel, the config beside the layers where the destination allows, after them
  // where a failed copy must leave nothing behind.
  const put = async (it: Item): Promise<void> => {
    if (caps.needsSizeFirst && it.blob.digest === undefined) {
      it.bar?.state('compressing to measure');
      const m = await it.blob.measure();
      it.blob = { ...it.blob, ...m };
    }
    it.bar?.state(caps.putAction === 'uploaded' ? 'uploading' : 'writing');
    const held = await dest.putBlob(it.blob, { state: (s) => it.bar?.state(s) });
    settle(it, held, it.blob.annotations);
    if (it.outcome) Object.assign(it.outcome, { action: caps.putAction, compressed: !!it.encoded });
    it.bar?.done(caps.putAction);
  };
  if (caps.serial) {
    for (const it of missing) await put(it);
  } else {
    const configMissing = missing.includes(config);
    const beside = configMissing && caps.configBeside ? put(config) : undefined;
    beside?.catch(() => {}); // awaited below; a layer's failure must not leave it unhandled
    await runLimited(
      missing.filter((it) => it !== config),
      Math.max(1, opts.jobs),
      put,
    );
    await beside;
    if (configMissing && !caps.configBeside) await put(config);
  }
  for (const l of layers) {
    if (!l.same) continue;
    l.descriptor = l.same.descriptor;
    Object.assign(l.outcome!, { digest: l.same.outcome!.digest, size: l.same.outcome!.size, mediaType: l.same.outcome!.mediaType });
    l.bar!.done('skipped (repeated)');
  }
  const encoded = layers.some((l) => l.encoded);
  return { layers, manifest: encoded ? image.manifestFor(layers.map((l) => l.descriptor!)) : image.manifest };
}

async function copyOnce(target: CopyTarget, dest: ImageDestination, opts: CopyOptions, encodings: Encoding[], reuse: boolean, start: number): Promise<CopyResult> {
  const { progress } = opts;
  const byKey = new Map<string, Item>();
  try {
    const opened = await dest.open(target, { reuse, progress });
    let committed: Committed;
    let sent: Sent[];
    let images: CopyResult['images'];
    if (isIndex(target)) {
      // Each image is complete (its manifest present) before the next starts, and all before the index.
      sent = [];
      for (const [i, image] of target.images.entries()) {
        const s = await sendImage(image, dest, opts, encodings[i], reuse, byKey, undefined);
        await dest.commitChild!(image, s.manifest, { progress });
        sent.push(s);
      }
      const index = target.indexFor(sent.map((s) => s.manifest));
      committed = await dest.commitIndex!(target, index, { progress });
      committed.manifestDigest ??= index.digest;
      images = target.images.map((image, i) => ({ platform: platformString(image.platform), manifestDigest: sent[i].manifest.digest, layers: sent[i].layers.map((l) => l.outcome!) }));
    } else {
      const s = await sendImage(target, dest, opts, encodings[0], reuse, byKey, opened.present);
      sent = [s];
      committed = await dest.commit(target, s.manifest, { progress });
    }
    await dest.close();
    const outcomes = sent.flatMap((s) => s.layers.map((l) => l.outcome!));
    return {
      destination: dest.description,
      reference: committed.reference,
      ...(committed.references && committed.references.length > 1 ? { references: committed.references } : {}),
      ...(committed.manifestDigest ? { manifestDigest: committed.manifestDigest } : {}),
      ...(committed.imageId ? { imageId: committed.imageId } : {}),
      compression: encodings[0].compression,
      ...(images ? { images } : {}),
      layers: outcomes,
      bytesSent: outcomes.reduce((a, o) => a + o.bytesSent, 0),
      seconds: (Date.now() - start) / 1000,
    };
  } catch (e) {
    await dest.close(e).catch(() => undefined);
    throw e;
  }
}
