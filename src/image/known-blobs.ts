// Blobs a destination is known to hold for a layer, other than the layer as stored: compressed
// blobs found by reading images it holds (config rootfs.diff_ids[i] pairs with manifest
// layers[i], image-spec config.md) or from a record of earlier copies. They let a copy that
// compresses on the way skip a layer without compressing it first.
import { COMPRESSOR_ANNOTATION, compressionOf } from './media-types.js';
import { isDigest } from '../util/digest.js';

export interface KnownBlob {
  /** The uncompressed layer it holds. */
  diffID: string;
  digest: string;
  size: number;
  mediaType: string;
  /** What made it, when recorded (COMPRESSOR_ANNOTATION). */
  compressor?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The layers of an image manifest paired with its config's diff_ids; [] when the two do not fit. */
export function pairsFromImage(manifest: unknown, config: unknown): KnownBlob[] {
  if (!isObj(manifest) || !isObj(config) || !Array.isArray(manifest.layers) || !isObj(config.rootfs)) return [];
  const diffIDs = config.rootfs.diff_ids;
  if (!Array.isArray(diffIDs) || diffIDs.length !== manifest.layers.length) return [];
  const out: KnownBlob[] = [];
  manifest.layers.forEach((l: unknown, i) => {
    if (!isObj(l) || !isDigest(l.digest) || typeof l.size !== 'number' || typeof l.mediaType !== 'string' || !isDigest(diffIDs[i])) return;
    const compressor = isObj(l.annotations) && typeof l.annotations[COMPRESSOR_ANNOTATION] === 'string' ? (l.annotations[COMPRESSOR_ANNOTATION] as string) : undefined;
    out.push({ diffID: diffIDs[i] as string, digest: l.digest, size: l.size, mediaType: l.mediaType, ...(compressor ? { compressor } : {}) });
  });
  return out;
}

/** Known blobs by the layer they hold; candidates come in the order they were added (the most trusted first). */
export class KnownBlobs {
  private readonly byDiffID = new Map<string, KnownBlob[]>();

  add(blobs: Iterable<KnownBlob>): void {
    for (const b of blobs) {
      if (b.digest === b.diffID) continue; // the layer as stored: found by its own digest anyway
      const list = this.byDiffID.get(b.diffID) ?? [];
      if (!list.some((k) => k.digest === b.digest)) list.push(b);
      this.byDiffID.set(b.diffID, list);
    }
  }

  /** Blobs holding `diffID` in the same encoding as `mediaType` (OCI and Docker names of gzip count as one). */
  candidates(diffID: string, mediaType: string): KnownBlob[] {
    const want = compressionOf(mediaType);
    return (this.byDiffID.get(diffID) ?? []).filter((k) => compressionOf(k.mediaType) === want);
  }

  all(): KnownBlob[] {
    return [...this.byDiffID.values()].flat();
  }
}
