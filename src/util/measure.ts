// Streams that tell, once they ended, the digest and size of what they delivered: how a blob
// compressed on the way learns its own descriptor.
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

export interface Measured {
  digest: string;
  size: number;
}

/** A stream of a blob; `measured` resolves once it ended (and rejects if it failed). */
export interface MeasuredStream extends Readable {
  readonly measured: Promise<Measured>;
}

class Measuring extends Transform implements MeasuredStream {
  readonly measured: Promise<Measured>;
  private readonly hash = createHash('sha256');
  private size = 0;
  private settle!: { resolve(m: Measured): void; reject(e: unknown): void };
  constructor() {
    super();
    this.measured = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.measured.catch(() => {});
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    this.settle.resolve({ digest: 'sha256:' + this.hash.digest('hex'), size: this.size });
    cb();
  }
  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.settle.reject(err ?? new Error('the stream was closed before its end'));
    cb(err);
  }
}

/**
 * `src` as a MeasuredStream. With `known` (a blob whose digest and size are recorded, and that
 * `src` verifies itself), nothing is hashed again: `measured` resolves to `known` at the end.
 */
export function measuring(src: Readable, known?: Measured): MeasuredStream {
  if (known) {
    const out = src as Readable & { measured?: Promise<Measured> };
    const measured = new Promise<Measured>((resolve, reject) => {
      src.once('end', () => resolve(known));
      src.once('error', reject);
      src.once('close', () => reject(new Error('the stream was closed before its end')));
    });
    measured.catch(() => {});
    Object.defineProperty(out, 'measured', { value: measured });
    return out as MeasuredStream;
  }
  const m = new Measuring();
  src.once('error', (e) => m.destroy(e));
  m.once('close', () => src.destroy());
  return src.pipe(m);
}
