// A record, kept in the repository itself, of the compressed blobs pushed for uncompressed layers
// (diffID → digest, size, media type, compressor), so that a machine with no local cache can tell,
// with two GETs, that a layer it would compress is there already. It is an OCI artifact (image-spec
// 1.1 manifest with artifactType) under a fixed tag. Updated after each successful manifest push:
// what was read is merged with what was pushed, the newest first, bounded in size; the last writer
// wins, and an entry lost to a concurrent push costs only one compression.
import type { KnownBlob } from '../image/known-blobs.js';
import { MEDIA_TYPE_OCI_MANIFEST } from '../image/media-types.js';
import { isDigest, sha256 } from '../util/digest.js';
import type { RepositoryApi } from './api.js';

export const BLOB_MAP_TAG = 'longshore-blob-map';
export const BLOB_MAP_TYPE = 'application/vnd.longshore.blob-map.v1+json';
/** image-spec 1.1's empty descriptor: the config of an artifact that needs none. */
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 };
/** At ~200 bytes an entry, the record stays under half a megabyte. */
export const MAX_ENTRIES = 2000;

interface Record1 {
  version: 1;
  entries: readonly KnownBlob[];
}

function parse(bytes: Buffer): KnownBlob[] {
  const doc = JSON.parse(bytes.toString('utf8')) as Partial<Record1>;
  if (doc.version !== 1 || !Array.isArray(doc.entries)) return [];
  return doc.entries.filter(
    (e): e is KnownBlob => !!e && isDigest(e.diffID) && isDigest(e.digest) && typeof e.size === 'number' && typeof e.mediaType === 'string' && (e.compressor === undefined || typeof e.compressor === 'string'),
  );
}

/** What the repository's record holds; `found` when there is one (so its config blob is there too). */
export interface BlobMap {
  found: boolean;
  entries: KnownBlob[];
}

/** The record's entries; none when the repository has no record, or one this version cannot read. */
export async function readBlobMap(api: RepositoryApi): Promise<BlobMap> {
  const entries = await readEntries(api);
  return entries ? { found: true, entries } : { found: false, entries: [] };
}

async function readEntries(api: RepositoryApi): Promise<KnownBlob[] | undefined> {
  const m = await api.getManifest(BLOB_MAP_TAG, MEDIA_TYPE_OCI_MANIFEST);
  if (!m) return undefined;
  let doc: { artifactType?: unknown; layers?: { mediaType?: unknown; digest?: unknown }[] };
  try {
    doc = JSON.parse(m.bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const layer = doc.artifactType === BLOB_MAP_TYPE && Array.isArray(doc.layers) ? doc.layers.find((l) => l?.mediaType === BLOB_MAP_TYPE) : undefined;
  if (!layer || !isDigest(layer.digest)) return undefined;
  try {
    return parse(await api.getBlobBytes(layer.digest));
  } catch {
    return undefined;
  }
}

/** `pushed` first, then what was read, one entry per (diffID, digest), at most MAX_ENTRIES. */
export function mergeBlobMap(pushed: readonly KnownBlob[], read: readonly KnownBlob[]): KnownBlob[] {
  const out: KnownBlob[] = [];
  const seen = new Set<string>();
  for (const e of [...pushed, ...read]) {
    const key = `${e.diffID} ${e.digest}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ diffID: e.diffID, digest: e.digest, size: e.size, mediaType: e.mediaType, ...(e.compressor ? { compressor: e.compressor } : {}) });
    if (out.length === MAX_ENTRIES) break;
  }
  return out;
}

/**
 * Uploads the record and moves its tag to it: three requests when `previous` was found (its empty
 * config is there already), nothing at all when the entries did not change.
 */
export async function writeBlobMap(api: RepositoryApi, previous: BlobMap, entries: readonly KnownBlob[], upload: (bytes: Buffer, digest: string) => Promise<void>): Promise<void> {
  if (previous.found && JSON.stringify(entries) === JSON.stringify(previous.entries)) return;
  const record = Buffer.from(JSON.stringify({ version: 1, entries } satisfies Record1));
  const digest = sha256(record);
  if (!previous.found && !(await api.hasBlob(EMPTY.digest, EMPTY.size))) await upload(Buffer.from('{}'), EMPTY.digest);
  await upload(record, digest);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      artifactType: BLOB_MAP_TYPE,
      config: EMPTY,
      layers: [{ mediaType: BLOB_MAP_TYPE, digest, size: record.length }],
      annotations: { 'org.opencontainers.image.description': 'longshore: compressed blobs of uncompressed layers pushed to this repository' },
    }),
  );
  await api.putManifest(BLOB_MAP_TAG, manifest, MEDIA_TYPE_OCI_MANIFEST);
}
