import { realpathSync } from 'node:fs';
import { resolveImage } from '../image/model.js';
import { loadImageFile } from '../image/schema.js';
import { parseDestination } from '../dest/parse.js';
import type { CopyFlags } from '../dest/flags.js';
import type { CopyResult } from '../dest/types.js';
import { humanBytes } from '../util/human.js';
import { makeProgress } from '../util/progress.js';
import { UserError } from '../util/errors.js';

export interface CopyArgs extends CopyFlags {
  image: string;
  destination: string;
  json?: boolean;
  quiet?: boolean;
}

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
  let file: string;
  try {
    file = realpathSync(args.image);
  } catch {
    throw new UserError(`image JSON ${args.image} does not exist; build it with nix-build first`);
  }
  const dest = await parseDestination(args.destination, args);
  const image = resolveImage(file, loadImageFile(file));
  const progress = makeProgress({ quiet: args.quiet || args.json });
  const jobs = args.jobs ?? 4;
  try {
    // A garbage-collected store path fails here, before any destination is touched.
    await Promise.all(image.layers.map((l) => l.check()));
    const result = await dest.copy(image, { progress, jobs });
    progress.finish();
    if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
    else if (!args.quiet) process.stderr.write(summarise(result) + '\n');
    return result;
  } catch (e) {
    progress.finish();
    throw e;
  }
}
