// The one copy flow: every destination goes through here. It owns parallelism, progress, timing,
// the bytes sent and the result; destinations implement only their protocol (types.ts).
import { Readable, Transform } from 'node:stream';
import type { ResolvedImage } from '../image/model.js';
import { debugEnabled, debugLog } from '../util/debug.js';
import { runLimited } from '../util/limit.js';
import type { LayerProgress, Progress } from '../util/progress.js';
import { CopyAgain, type Blob, type CopyResult, type ImageDestination, type LayerOutcome, type Reused } from './types.js';

/** Probes (HEADs, stats) are cheap and must not wait behind puts: they get their own, wider limit. */
const PROBE_JOBS = 16;
/** A destination may ask for the copy again once (e.g. after refusing a partial archive), not forever. */
const MAX_ATTEMPTS = 3;

export interface CopyOptions {
  progress: Progress;
  /** Parallel blob puts (destinations that take one stream get one at a time). */
  jobs: number;
}

/**
 * Copies `image` to `dest`: layers whose store paths are gone fail first, before the destination
 * is touched; then open, reuse what the destination holds, put the rest, commit. Throws the first
 * failure (a UserError for anything a user can cause or meet), after the destination abandoned
 * what it had not committed.
 */
export async function copyImage(image: ResolvedImage, dest: ImageDestination, opts: CopyOptions): Promise<CopyResult> {
  const start = Date.now();
  await Promise.all(image.layers.map((l) => l.check()));
  let reuse = true;
  for (let attempt = 1; ; attempt++) {
    try {
      return await copyOnce(image, dest, opts, reuse, start);
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
  /** An earlier item with the same digest: this one travels with it. */
  same?: Item;
}

/** A blob whose open() counts the bytes it delivers into the item's outcome and progress bar. */
function counted(item: Item, open: () => Readable): () => Readable {
  return () => {
    const src = open();
    const count = new Transform({
      transform(chunk: Buffer, _e, cb) {
        if (item.outcome) item.outcome.bytesSent += chunk.length;
        item.bar?.bytes(chunk.length);
        cb(null, chunk);
      },
    });
    src.once('error', (e) => count.destroy(e));
    count.once('close', () => src.destroy());
    return src.pipe(count);
  };
}

function items(image: ResolvedImage): { layers: Item[]; config: Item } {
  const byDigest = new Map<string, Item>();
  const layers = image.layers.map((l): Item => {
    const item: Item = { blob: { mediaType: l.mediaType, digest: l.digest, size: l.size, kind: 'layer', diffID: l.diffID, open: () => l.open() } };
    if (l.record.sourceRepository) item.blob.sourceRepository = l.record.sourceRepository;
    item.outcome = { digest: l.digest, size: l.size, action: 'skipped', bytesSent: 0 };
    item.blob.open = counted(item, () => l.open());
    item.same = byDigest.get(l.digest);
    if (!item.same) byDigest.set(l.digest, item);
    return item;
  });
  const c = image.config;
  const config: Item = { blob: { mediaType: c.mediaType, digest: c.digest, size: c.size, kind: 'config', open: () => Readable.from([c.bytes]) } };
  return { layers, config };
}

async function copyOnce(image: ResolvedImage, dest: ImageDestination, opts: CopyOptions, reuse: boolean, start: number): Promise<CopyResult> {
  const { progress } = opts;
  const caps = dest.capabilities;
  const { layers, config } = items(image);
  for (const l of layers) l.bar = progress.layer(l.blob.digest, l.blob.size);
  try {
    const opened = await dest.open(image, { reuse, progress });
    if (opened.present) {
      for (const l of layers) l.bar!.done(`skipped (${opened.present})`);
    } else {
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
        if (it.outcome) it.outcome.action = r.action;
        it.bar?.done(r.action === 'skipped' ? `skipped (${r.detail})` : `mounted (${r.detail})`);
      });
      // 2. The rest, from the store: one at a time in image order, config first, into one stream;
      // else in parallel, the config beside the layers where the destination allows, after them
      // where a failed copy must leave nothing behind.
      const put = async (it: Item): Promise<void> => {
        it.bar?.state(caps.putAction === 'uploaded' ? 'uploading' : 'writing');
        await dest.putBlob(it.blob, { state: (s) => it.bar?.state(s) });
        if (it.outcome) it.outcome.action = caps.putAction;
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
      for (const l of layers) if (l.same) l.bar!.done('skipped (repeated)');
    }
    const committed = await dest.commit(image, image.manifest, { progress });
    await dest.close();
    const outcomes = layers.map((l) => l.outcome!);
    return {
      destination: dest.description,
      reference: committed.reference,
      ...(committed.manifestDigest ? { manifestDigest: committed.manifestDigest } : {}),
      ...(committed.imageId ? { imageId: committed.imageId } : {}),
      layers: outcomes,
      bytesSent: outcomes.reduce((a, o) => a + o.bytesSent, 0),
      seconds: (Date.now() - start) / 1000,
    };
  } catch (e) {
    await dest.close(e).catch(() => undefined);
    throw e;
  }
}
