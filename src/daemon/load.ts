// Streams an archive into a daemon's load call; if the archive fails (a layer's bytes differ from
// the build), the request is aborted mid-body so the daemon discards what it received.
import type { Readable } from 'node:stream';
import type { ResolvedImage } from '../image/model.js';
import type { LayerOutcome } from '../dest/types.js';
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
