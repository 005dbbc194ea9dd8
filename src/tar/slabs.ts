// File data is read into recycled slabs when the consumer hashes chunks synchronously (build-time
// digesting). Fresh buffers for every file cost a page fault per 4 KiB touched, which in a VM is the
// bottleneck and serialises parallel digests; reusing memory avoids it.

export interface Allocator {
  take(n: number): Buffer;
  /** A chunk the packer emitted has been consumed; its memory may be reused. */
  release(chunk: Buffer): void;
}

export const freshAllocator: Allocator = {
  take: (n) => Buffer.allocUnsafeSlow(n),
  release: () => {},
};

const SLAB = 8 << 20;

interface Slab {
  buf: Buffer;
  used: number;
  outstanding: number;
  retired: boolean;
}

export function slabAllocator(): Allocator {
  const byBuffer = new Map<ArrayBuffer, Slab>();
  const free: Slab[] = [];
  let cur: Slab | undefined;
  const retire = (s: Slab): void => {
    s.retired = true;
    if (s.outstanding === 0) recycle(s);
  };
  const recycle = (s: Slab): void => {
    s.used = 0;
    s.retired = false;
    free.push(s);
  };
  return {
    take(n) {
      if (n > SLAB) return Buffer.allocUnsafeSlow(n);
      if (!cur || cur.used + n > SLAB) {
        if (cur) retire(cur);
        cur = free.pop();
        if (!cur) {
          cur = { buf: Buffer.allocUnsafeSlow(SLAB), used: 0, outstanding: 0, retired: false };
          byBuffer.set(cur.buf.buffer as ArrayBuffer, cur);
        }
      }
      const out = cur.buf.subarray(cur.used, cur.used + n);
      cur.used += n;
      cur.outstanding += n;
      return out;
    },
    release(chunk) {
      const s = byBuffer.get(chunk.buffer as ArrayBuffer);
      if (!s) return;
      s.outstanding -= chunk.length;
      if (s.retired && s.outstanding === 0) recycle(s);
    },
  };
}
