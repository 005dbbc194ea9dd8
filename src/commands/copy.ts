// `longshore copy IMAGE.json DEST`: one image, any destination, through the one copy flow.
import { copyImage } from '../copy/copy.js';
import type { CopyResult } from '../copy/types.js';
import { openImage } from './image.js';
import { parseDestination } from '../dest/parse.js';
import type { CopyFlags } from '../dest/flags.js';
import { humanBytes } from '../util/human.js';
import type { Compression } from '../image/media-types.js';
import { makeProgress } from '../util/progress.js';

export interface CopyArgs extends CopyFlags {
  image: string;
  destination: string;
  compression?: Compression;
  compressionLevel?: number;
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
  return `copied to ${r.reference}: ${parts.join(', ')}; ${humanBytes(r.bytesSent)} sent in ${r.seconds.toFixed(2)} s`;
}

export async function copyCommand(args: CopyArgs): Promise<CopyResult> {
  const { image } = openImage(args.image);
  const dest = await parseDestination(args.destination, args);
  const progress = makeProgress({ quiet: args.quiet || args.json });
  try {
    const result = await copyImage(image, dest, { progress, jobs: args.jobs ?? 4, compression: args.compression, compressionLevel: args.compressionLevel });
    progress.finish();
    if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
    else if (!args.quiet) process.stderr.write(summarise(result) + '\n');
    return result;
  } catch (e) {
    progress.finish();
    throw e;
  }
}
