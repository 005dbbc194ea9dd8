// Streams an archive into a daemon's load call; if the archive fails (a layer's bytes differ from
// the build), the request is aborted mid-body so the daemon discards what it received.
import type { Readable } from 'node:stream';
import type { ResolvedImage } from '../image/model.js';
import type { CopyResult, LayerOutcome } from '../dest/types.js';
import { UserError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { imageArchive, type ArchiveOptions } from './archive.js';

export async function loadArchive(
  image: ResolvedImage,
  opts: Omit<ArchiveOptions, 'verb'>,
  send: (archive: Readable, signal: AbortSignal) => Promise<unknown>,
): Promise<LayerOutcome[]> {
  const archive = imageArchive(image, { ...opts, verb: 'loading' });
  const ac = new AbortController();
  let archiveError: unknown;
  archive.done.catch((e) => {
    archiveError = e;
    ac.abort(e);
  });
  try {
    await send(archive.stream, ac.signal);
  } catch (e) {
    archive.stream.destroy();
    throw archiveError ?? e;
  }
  return archive.done;
}

/** Every layer skipped: the daemon already holds this exact image. */
export function alreadyLoaded(image: ResolvedImage, progress: Progress): LayerOutcome[] {
  for (const l of image.layers) progress.layer(l.digest, l.size).done('skipped (image already loaded)');
  return image.layers.map((l) => ({ digest: l.digest, size: l.size, action: 'skipped', bytesSent: 0 }));
}

/**
 * Loads an archive without the layers in `omit`; a daemon that refuses such an archive gets every
 * layer. A layer whose bytes differ from the build is never retried.
 */
export async function loadOmitting(
  omit: Set<string>,
  daemon: string,
  progress: Progress,
  load: (omit: Set<string>) => Promise<LayerOutcome[]>,
): Promise<LayerOutcome[]> {
  try {
    return await load(omit);
  } catch (e) {
    if (omit.size === 0 || !(e instanceof UserError) || e.name === 'DigestMismatchError') throw e;
    progress.info(`${daemon} refused the archive without the ${omit.size} layer(s) it has (${e.message}); sending every layer`);
    return load(new Set());
  }
}

/** The CopyResult of a load, once the daemon's image has been checked. */
export function loadResult(description: string, ref: string, image: ResolvedImage, layers: LayerOutcome[], start: number): CopyResult {
  return {
    destination: description,
    reference: ref,
    imageId: image.config.digest,
    layers,
    bytesSent: layers.reduce((a, l) => a + l.bytesSent, 0),
    seconds: (Date.now() - start) / 1000,
  };
}
