// `longshore copy IMAGE.json DEST`: one image, any destination, through the one copy flow.
import { copyImage, copyIndex } from '../copy/copy.js';
import type { Platform } from '../image/platform.js';
import type { CopyResult } from '../copy/types.js';
import { openSource } from './image.js';
import { parseDestination } from '../dest/parse.js';
import type { CopyFlags } from '../dest/flags.js';
import { humanBytes } from '../util/human.js';
import type { Compression } from '../image/media-types.js';
import { makeProgress } from '../util/progress.js';
import { platformString } from '../image/platform.js';
import { UserError } from '../util/errors.js';

export interface CopyArgs extends CopyFlags {
  image: string;
  destination: string;
  compression?: Compression;
  compressionLevel?: number;
  /** --annotation: for the manifest (of an index, the index). */
  annotations?: Record<string, string>;
  /** --platform: of an index, only the image for this platform. */
  platform?: Platform;
  json?: boolean;
  quiet?: boolean;
}

/** The one-line summary printed after a copy. */
export function summarise(r: CopyResult): string {
  const n = (a: string) => r.layers.filter((l) => l.action === a).length;
  const parts = [
    `${r.layers.length} layers`,
    n('skipped') && `${n('skipped')} skipped`,
    n('mounted') && `${n('mounted')} mounted`,
    n('uploaded') && `${n('uploaded')} uploaded`,
    n('written') && `${n('written')} written`,
  ].filter(Boolean);
  const what = r.images ? ` (an index of ${r.images.length} images: ${r.images.map((i) => i.platform).join(', ')})` : r.platform ? ` (the ${r.platform} image of the index)` : '';
  const also = r.references && r.references.length > 1 ? `, also as ${r.references.slice(1).join(', ')}` : '';
  return `copied to ${r.reference}${what}${also}: ${parts.join(', ')}; ${humanBytes(r.bytesSent)} sent in ${r.seconds.toFixed(2)} s`;
}

export async function copyCommand(args: CopyArgs): Promise<CopyResult> {
  const source = openSource(args.image, { annotations: args.annotations });
  const dest = await parseDestination(args.destination, args);
  const progress = makeProgress({ quiet: args.quiet || args.json });
  try {
    const opts = { progress, jobs: args.jobs ?? 4, compression: args.compression, compressionLevel: args.compressionLevel, platform: args.platform };
    if (source.kind === 'image' && args.platform) throw new UserError('USAGE', `--platform chooses an image of an index; ${args.image} is one image (for ${platformString(source.image.platform)})`);
    const result = source.kind === 'index' ? await copyIndex(source.index, dest, opts) : await copyImage(source.image, dest, opts);
    progress.finish();
    if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
    else if (!args.quiet) process.stderr.write(summarise(result) + '\n');
    return result;
  } catch (e) {
    progress.finish();
    throw e;
  }
}
