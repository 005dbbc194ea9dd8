// An image JSON named on the command line, read and resolved once for the commands that take one.
import { realpathSync } from 'node:fs';
import { resolveImage, resolveIndex, type ResolvedImage, type ResolvedSource } from '../image/model.js';
import { loadImageFile, loadImageOrIndex, type ImageFile, type LoadedIndex } from '../image/schema.js';
import { UserError } from '../util/errors.js';

/** The tar writer, loaded when a layer first travels: a copy that skips every layer never needs it. */
const loadTarWriter = () => import('../tar/writer.js');

function realPath(path: string, namedBy?: string): string {
  try {
    return realpathSync(path);
  } catch {
    throw new UserError('IMAGE_NOT_FOUND', `image JSON ${path}${namedBy ? ` (named by the index JSON ${namedBy})` : ''} does not exist; build it with nix-build first`);
  }
}

/** Reads and checks the image JSON at `path` (a buildImage output); errors name the file. */
export function openImage(path: string): { file: ImageFile; image: ResolvedImage } {
  const real = realPath(path);
  const file = loadImageFile(real);
  return { file, image: resolveImage(real, file, { tarWriter: loadTarWriter }) };
}

/** The files behind an opened source, for inspect. */
export type SourceFiles = { kind: 'image'; file: ImageFile } | { kind: 'index'; loaded: LoadedIndex };

/**
 * Reads and checks the image JSON or index JSON (a buildImageIndex output, with its images) at
 * `path`; `annotations` (copy --annotation) go over the manifest's, or the index's.
 */
export function openSource(path: string, opts: { annotations?: Record<string, string> } = {}): ResolvedSource & { files: SourceFiles } {
  const real = realPath(path);
  const readImage = (p: string) => loadImageFile(realPath(p, path));
  const got = loadImageOrIndex(real, readImage);
  const ro = { tarWriter: loadTarWriter, annotations: opts.annotations };
  if (got.kind === 'image') return { kind: 'image', image: resolveImage(real, got.image, ro), files: { kind: 'image', file: got.image } };
  return { kind: 'index', index: resolveIndex(real, got.index, ro), files: { kind: 'index', loaded: got.index } };
}
