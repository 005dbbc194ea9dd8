// oci:DIR[:TAG] — an OCI image layout directory (image-spec image-layout.md), written blob by
// blob with nothing half-written: each blob goes to a temporary name and is renamed once its
// digest checked out, and index.json moves last.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Blob, Capabilities, Committed, ImageDestination, Opened, Reused } from '../copy/types.js';
import type { BlobBytes, Descriptor, ResolvedImage, ResolvedIndex } from '../image/model.js';
import { MEDIA_TYPE_OCI_INDEX } from '../image/media-types.js';
import { digestHex } from '../util/digest.js';
import type { Measured } from '../util/measure.js';
import { KnownBlobs } from '../image/known-blobs.js';
import { UserError } from '../util/errors.js';
import { checkOciLayoutTag } from '../reference/reference.js';
import { fileError, makeDirectory, writeAtomically } from '../util/atomic.js';
import { addImageBlobs, hasBlobFile as exists, putBlobFile, readBlobJson, reuseBlobFile } from './blob-files.js';
import { extraTags, type CopyFlags, type TransportParser } from './flags.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexFile {
  schemaVersion: 2;
  mediaType?: string;
  manifests: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[];
}

export class OciLayoutDestination implements ImageDestination {
  readonly capabilities: Capabilities = {
    reuse: 'probe',
    serial: false,
    putAction: 'written',
    configBeside: false,
    compressions: ['none', 'gzip', 'zstd'],
    defaultCompression: 'none',
    followsImageCompression: true,
    needsSizeFirst: false,
    index: 'all',
  };
  readonly description: string;
  constructor(
    readonly dir: string,
    readonly tag: string | undefined,
    private readonly flags: CopyFlags = {},
  ) {
    this.description = `oci:${dir}${tag ? ':' + tag : ''}`;
  }

  private blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digestHex(digest));
  }

  async open(): Promise<Opened> {
    await makeDirectory(join(this.dir, 'blobs', 'sha256'));
    return {};
  }

  tryReuseBlob(blob: Blob): Promise<Reused | undefined> {
    // Compressed on the way: an image in the layout may hold the layer compressed the same way.
    return reuseBlobFile(blob, (d) => this.blobPath(d), () => this.known(), 'already in layout');
  }

  private knownBlobs: Promise<KnownBlobs> | undefined;

  /** The compressed layers of the images index.json names (an unreadable one is passed over). */
  private known(): Promise<KnownBlobs> {
    return (this.knownBlobs ??= (async () => {
      const known = new KnownBlobs();
      const pathOf = (d: string) => this.blobPath(d);
      let entries: IndexFile['manifests'] = [];
      try {
        const index = JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as IndexFile;
        if (Array.isArray(index.manifests)) entries = index.manifests;
      } catch {
        // a new layout, or an index commit will refuse: nothing known
      }
      for (const m of entries) {
        try {
          await addImageBlobs(known, await readBlobJson(pathOf, m.digest), pathOf);
        } catch {
          // not an image we can read: nothing known from it
        }
      }
      return known;
    })());
  }

  putBlob(blob: Blob): Promise<Measured> {
    return putBlobFile(blob, (d) => this.blobPath(d), join(this.dir, 'blobs', 'sha256'));
  }

  async commit(image: ResolvedImage, manifest: BlobBytes): Promise<Committed> {
    await this.writeBlob(manifest);
    return this.name(manifest, image.tag);
  }

  async commitChild(_image: ResolvedImage, manifest: BlobBytes): Promise<void> {
    await this.writeBlob(manifest);
  }

  async commitIndex(index: ResolvedIndex, bytes: BlobBytes): Promise<Committed> {
    await this.writeBlob(bytes);
    return this.name(bytes, index.tag);
  }

  private async writeBlob(b: BlobBytes): Promise<void> {
    const file = this.blobPath(b.digest);
    if (!(await exists(file, b.size))) await writeAtomically(file, (tmp) => writeFile(tmp, b.bytes));
  }

  /** index.json names the manifest (or image index) under the tag and --tag's, moving last. */
  private async name(manifest: Descriptor, defaultTag: string | undefined): Promise<Committed> {
    const first = this.tag ?? defaultTag;
    const tags = [...(first ? [first] : []), ...extraTags(this.flags, first, (t) => checkOciLayoutTag(t, `--tag ${t}`))];
    const layoutFile = join(this.dir, 'oci-layout');
    await writeFile(layoutFile, JSON.stringify({ imageLayoutVersion: '1.0.0' })).catch((e: unknown) => {
      throw fileError(e, layoutFile);
    });
    // The index moves last, once every blob it points to is in place.
    const indexFile = join(this.dir, 'index.json');
    let index: IndexFile = { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [] };
    try {
      index = JSON.parse(await readFile(indexFile, 'utf8')) as IndexFile;
      if (!Array.isArray(index.manifests)) throw new Error('no "manifests" list');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError('INVALID_LAYOUT', `${indexFile}: not an OCI index: ${(e as Error).message}`);
    }
    const desc = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
    const entries = tags.length ? tags.map((t) => ({ ...desc, annotations: { [REF_NAME]: t } })) : [desc];
    index.manifests = index.manifests.filter((m) => (tags.length ? !tags.includes(m.annotations?.[REF_NAME] as string) : m.digest !== desc.digest));
    index.manifests.push(...entries);
    await writeAtomically(indexFile, (tmp) => writeFile(tmp, JSON.stringify(index)));
    const refs = tags.length ? tags.map((t) => `oci:${this.dir}:${t}`) : [`oci:${this.dir}`];
    return { reference: refs[0], ...(refs.length > 1 ? { references: refs } : {}), manifestDigest: manifest.digest };
  }

  async close(): Promise<void> {}
}

/** DIR[:TAG]; the directory itself may not contain ':', as in containers/image. */
export const parseOciLayoutDestination: TransportParser = (rest, flags) => {
  const i = rest.lastIndexOf(':');
  const path = i <= 0 ? rest : rest.slice(0, i);
  const tag = i <= 0 ? undefined : rest.slice(i + 1);
  if (!path) throw new UserError('INVALID_REFERENCE', 'oci: needs a directory, as in oci:DIR[:TAG]');
  if (tag !== undefined) checkOciLayoutTag(tag, `oci:${rest}`);
  for (const t of flags.tags ?? []) checkOciLayoutTag(t, `--tag ${t}`);
  return new OciLayoutDestination(path, tag, flags);
};
