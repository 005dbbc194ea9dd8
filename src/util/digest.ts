import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export const sha256 = (data: Buffer | string): string =>
  'sha256:' + createHash('sha256').update(data).digest('hex');

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
export const isDigest = (s: unknown): s is string => typeof s === 'string' && DIGEST_RE.test(s);
export const digestHex = (d: string): string => d.slice('sha256:'.length);

/** Passes bytes through while hashing and counting them. */
export class DigestingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  constructor() {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return 'sha256:' + this.hash.digest('hex');
  }
}
