// An image JSON named on the command line, read and resolved once for the commands that take one.
import { realpathSync } from 'node:fs';
import { resolveImage, type ResolvedImage } from '../image/model.js';
import { loadImageFile, type ImageFile } from '../image/schema.js';
import { UserError } from '../util/errors.js';

/** The tar writer, loaded when a layer first travels: a copy that skips every layer never needs it. */
const loadTarWriter = () => import('../tar/writer.js');

/** Reads and checks the image JSON at `path` (a buildImage output); errors name the file. */
export function openImage(path: string): { file: ImageFile; image: ResolvedImage } {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new UserError('IMAGE_NOT_FOUND', `image JSON ${path} does not exist; build it with nix-build first`);
  }
  const file = loadImageFile(real);
  return { file, image: resolveImage(real, file, { tarWriter: loadTarWriter }) };
}
