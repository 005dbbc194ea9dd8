// A layer's bytes as they are regenerated, checked against what the build recorded; on a mismatch,
// an error that names what changed (a store path, copyToRoot, the declared entries, the writer).
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { LayerContent, LayerRecord } from './schema.js';
import { DigestMismatchError } from '../util/errors.js';

export interface Expected {
  digest: string;
  size: number;
}

/** Holds back the last chunk until the digest is known, so a mismatch surfaces as an error, not an end. */
export class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private held: Buffer | null = null;
  private bytes = 0;
  constructor(
    private readonly expected: Expected,
    private readonly onMismatch: (got: string, size: number) => Promise<Error>,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const out = this.held;
    this.held = chunk;
    cb(null, out ?? undefined);
  }
  override _flush(cb: TransformCallback): void {
    const got = 'sha256:' + this.hash.digest('hex');
    if (got === this.expected.digest && this.bytes === this.expected.size) {
      cb(null, this.held ?? undefined);
      return;
    }
    this.onMismatch(got, this.bytes).then(
      (err) => cb(err),
      (err) => cb(err),
    );
  }
}

/** Per-source fingerprints of a layer as the tar writer would write it now (src/tar/writer.ts digestLayer). */
export type Fingerprint = (content: LayerContent) => Record<string, string>;

/**
 * Why a layer regenerated with other bytes: a second pass with per-source fingerprints names the
 * source that changed; with the same names, sizes and modes, Nix's database tells which store
 * path's content changed; else the tar writer itself differs from the one that built the image.
 */
export async function explainMismatch(rec: LayerRecord, got: string, size: number, fingerprint: () => Promise<Fingerprint>): Promise<Error> {
  const head = `layer ${rec.digest} (${rec.paths.length} store path${rec.paths.length === 1 ? '' : 's'}) regenerated as ${got} (${size} bytes, expected ${rec.size})`;
  if (rec.blob) return new DigestMismatchError(`${head}: the fetched blob ${rec.blob} was modified`, rec.blob);
  if (rec.sources) {
    const now = (await fingerprint())(rec);
    for (const key of Object.keys(rec.sources).sort()) {
      if (now[key] !== rec.sources[key]) {
        const what = key === 'declared' ? 'the declared entries (users, directories, symlinks)' : key.startsWith('copyToRoot:') ? `copyToRoot ${key.slice(11)}` : `store path ${key}`;
        return new DigestMismatchError(`${head}: ${what} changed since the image was built; rebuild it with nix-build`, key);
      }
    }
    for (const key of Object.keys(now)) {
      if (!(key in rec.sources)) return new DigestMismatchError(`${head}: ${key} appeared in the layer since it was built`, key);
    }
  }
  for (const p of [...rec.paths, ...rec.copyToRoot]) {
    const { execa } = await import('execa');
    const r = await execa('nix-store', ['--verify-path', p], { reject: false, all: true }).catch(() => undefined);
    // nix-store --verify-path exits 1 when the path's content no longer matches its registered hash.
    if (r && r.exitCode === 1)
      return new DigestMismatchError(
        `${head}: the content of store path ${p} was modified since the image was built (nix-store --verify-path: ${(r.all ?? '').trim().split('\n')[0]}); repair it with nix-store --repair-path or rebuild`,
        p,
      );
  }
  return new DigestMismatchError(`${head}: no store path changed, so the tar writer differs (layer written by ${rec.writer ?? 'an unknown writer'}); rebuild the image with this longshore`);
}
