// dir:DIR — skopeo's directory layout (containers/image's dir transport), byte for byte what
// `skopeo copy … dir:DIR` writes: a `version` file, one file per blob (config and layers) named by
// the hex of its sha256 digest, and `manifest.json`, the manifest's exact bytes. One image per
// directory. skopeo empties the directory before it writes; here the image already there stays
// whole until manifest.json moves: blobs go to temporary names and are renamed once their digest
// checked out (a blob already there is kept), manifest.json moves last, and only then are the
// previous image's blobs and signatures (signature-N, which signed the previous manifest) removed.
// longshore writes no signatures.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isIndex, type Blob, type Capabilities, type Committed, type CopyTarget, type ImageDestination, type Opened, type Reused } from '../copy/types.js';
import type { BlobBytes, ResolvedImage } from '../image/model.js';
import { KnownBlobs } from '../image/known-blobs.js';
import { digestHex } from '../util/digest.js';
import { UserError } from '../util/errors.js';
import type { Measured } from '../util/measure.js';
import { fileError, makeDirectory, writeAtomically } from '../util/atomic.js';
import { addImageBlobs, putBlobFile, reuseBlobFile } from './blob-files.js';
import type { TransportParser } from './flags.js';

/** The `version` file's exact content (containers/image directory_transport's `version`). */
export const DIR_VERSION = 'Directory Transport Version: 1.1\n';
const MANIFEST = 'manifest.json';
const BLOB_NAME = /^[0-9a-f]{64}$/;
const SIGNATURE_NAME = /^signature-[0-9]+$/;

export class DirDestination implements ImageDestination {
  readonly capabilities: Capabilities = {
    reuse: 'probe',
    serial: false,
    putAction: 'written',
    configBeside: false,
    compressions: ['none', 'gzip', 'zstd'],
    defaultCompression: 'none',
    followsImageCompression: true,
    needsSizeFirst: false,
    // One image per directory: of an index, the one for this machine's platform (or --platform's).
    index: 'one',
  };
  readonly description: string;
  constructor(readonly dir: string) {
    this.description = `dir:${dir}`;
  }

  private blobPath(digest: string): string {
    return join(this.dir, digestHex(digest));
  }

  /** Refuses a directory that holds something other than an image (as skopeo does), creates a new one. */
  async open(target: CopyTarget): Promise<Opened> {
    if (isIndex(target)) throw new Error(`${this.description} takes one image of an index, not the index`);
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(e, this.dir, 'reading');
      entries = [];
    }
    if (entries.length > 0) {
      const version = await readFile(join(this.dir, 'version'), 'utf8').catch(() => undefined);
      if (version !== DIR_VERSION)
        throw new UserError(
          'INVALID_LAYOUT',
          `${this.description}: ${this.dir} is not empty and is not an image directory (${version === undefined ? 'no "version" file' : `its "version" file does not read ${JSON.stringify(DIR_VERSION)}`}); refusing to write into it`,
          'name a new or empty directory, or one that skopeo or longshore wrote with dir:',
        );
      return {};
    }
    await makeDirectory(this.dir);
    await writeFile(join(this.dir, 'version'), DIR_VERSION).catch((e: unknown) => {
      throw fileError(e, join(this.dir, 'version'));
    });
    return {};
  }

  tryReuseBlob(blob: Blob): Promise<Reused | undefined> {
    return reuseBlobFile(blob, (d) => this.blobPath(d), () => this.known(), 'already in directory');
  }

  private knownBlobs: Promise<KnownBlobs> | undefined;

  /** The compressed layers of the image the directory holds (nothing, when there is none or it cannot be read). */
  private known(): Promise<KnownBlobs> {
    return (this.knownBlobs ??= (async () => {
      const known = new KnownBlobs();
      try {
        await addImageBlobs(known, JSON.parse(await readFile(join(this.dir, MANIFEST), 'utf8')), (d) => this.blobPath(d));
      } catch {
        // no image, or not one we can read: nothing known
      }
      return known;
    })());
  }

  putBlob(blob: Blob): Promise<Measured> {
    return putBlobFile(blob, (d) => this.blobPath(d), this.dir);
  }

  async commit(image: ResolvedImage, manifest: BlobBytes): Promise<Committed> {
    const file = join(this.dir, MANIFEST);
    await writeAtomically(file, (tmp) => writeFile(tmp, manifest.bytes));
    // The new image is whole: what only the previous one used goes.
    const doc = JSON.parse(manifest.bytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
    const keep = new Set([doc.config.digest, ...doc.layers.map((l) => l.digest)].map(digestHex));
    for (const name of await readdir(this.dir)) {
      if ((BLOB_NAME.test(name) && !keep.has(name)) || SIGNATURE_NAME.test(name))
        await rm(join(this.dir, name), { force: true }).catch((e: unknown) => {
          throw fileError(e, join(this.dir, name), 'removing');
        });
    }
    return { reference: this.description, manifestDigest: manifest.digest };
  }

  async close(): Promise<void> {}
}

/** dir:DIR; everything after "dir:" is the path, ":" included (there is no tag). */
export const parseDirDestination: TransportParser = (rest, flags) => {
  if (!rest) throw new UserError('INVALID_REFERENCE', 'dir: needs a directory, as in dir:DIR');
  if (flags.tags?.length) throw new UserError('USAGE', `dir:${rest}: a dir: directory holds one image under no tag; --tag does not apply`);
  return new DirDestination(rest);
};
