// What the directory destinations (oci:, dir:) share: blobs as files named by their digest, found
// by a stat, written to a temporary name and renamed once their digest checked out, so that no
// file a digest names is ever half-written.
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Blob, Reused } from '../copy/types.js';
import { COMPRESSOR_ANNOTATION } from '../image/media-types.js';
import { pairsFromImage, type KnownBlobs } from '../image/known-blobs.js';
import { isDigest } from '../util/digest.js';
import { fileError, writeAtomically } from '../util/atomic.js';
import type { Measured } from '../util/measure.js';

/** A file of `size` bytes is at `file`. */
export async function hasBlobFile(file: string, size: number): Promise<boolean> {
  try {
    return (await stat(file)).size === size;
  } catch {
    return false;
  }
}

/**
 * tryReuseBlob of a directory of blob files: the blob's own file, or, for a layer compressed on the
 * way (no digest yet), an equivalent compressed blob of an image the directory holds.
 */
export async function reuseBlobFile(blob: Blob, pathOf: (digest: string) => string, known: () => Promise<KnownBlobs>, detail: string): Promise<Reused | undefined> {
  if (blob.digest !== undefined) return (await hasBlobFile(pathOf(blob.digest), blob.size!)) ? { action: 'skipped', detail } : undefined;
  for (const k of (await known()).candidates(blob.diffID!, blob.mediaType)) {
    if (await hasBlobFile(pathOf(k.digest), k.size))
      return { action: 'skipped', detail, descriptor: { mediaType: k.mediaType, digest: k.digest, size: k.size, ...(k.compressor ? { annotations: { [COMPRESSOR_ANNOTATION]: k.compressor } } : {}) } };
  }
  return undefined;
}

/**
 * putBlob of a directory of blob files: the bytes go to a temporary name in `tmpDir` (on the same
 * file system) and are renamed to the file their digest names; a blob compressed on the way gets
 * its name once it is written.
 */
export async function putBlobFile(blob: Blob, pathOf: (digest: string) => string, tmpDir: string): Promise<Measured> {
  if (blob.digest !== undefined) {
    await writeAtomically(pathOf(blob.digest), (tmp) => pipeline(blob.open(), createWriteStream(tmp)));
    return { digest: blob.digest, size: blob.size! };
  }
  const src = blob.open();
  const tmp = join(tmpDir, `incoming.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await pipeline(src, createWriteStream(tmp));
    const got = await src.measured;
    await rename(tmp, pathOf(got.digest));
    return got;
  } catch (e) {
    await rm(tmp, { force: true });
    throw fileError(e, tmp);
  }
}

/** A blob file's JSON (a manifest, a config); undefined for what is not a digest. */
export async function readBlobJson(pathOf: (digest: string) => string, digest: unknown): Promise<unknown> {
  return isDigest(digest) ? JSON.parse(await readFile(pathOf(digest), 'utf8')) : undefined;
}

/** Adds the compressed layers of an image `manifest` to `known`, paired with its config's diff_ids (read from the blob files). */
export async function addImageBlobs(known: KnownBlobs, manifest: unknown, pathOf: (digest: string) => string): Promise<void> {
  known.add(pairsFromImage(manifest, await readBlobJson(pathOf, (manifest as { config?: { digest?: unknown } } | undefined)?.config?.digest)));
}
