// A throttling TCP proxy for the link bench: listens on 127.0.0.1, forwards every connection to a
// port on 127.0.0.1, and limits the client→server direction (the uplink) to a bit rate shared by
// all connections, as one real uplink is. The server→client direction is forwarded as fast as it
// comes unless a rate is given for it too. Bytes are counted in each direction: the TCP payload
// (HTTP headers and bodies, TLS records if any), not TCP/IP headers.
//
// It is a byte-level proxy: the HTTP Host header reaches the server unchanged, so a registry
// (distribution builds its Location headers from Host) sends its clients back through the proxy.
//
// The limit is a token bucket refilled continuously from a monotonic clock. Data is forwarded in
// slices of at most SLICE bytes, each waiting for its tokens, in arrival order across connections;
// while an idle bucket fills it holds at most `burst` bytes, so a connection that starts after a
// pause gets no more than that ahead of the rate. While bytes are waiting the link counts as busy,
// and a timer that fires late hands out the tokens of the whole interval (the link would have sent
// them): the average rate holds however late the event loop is. A connection whose bytes wait is
// paused (its socket stops being read) once HIGH_WATER bytes are queued, so the sender feels
// backpressure as it would from a slow link, instead of the proxy buffering its upload.
import { connect, createServer, type Socket } from 'node:net';

/** Bytes forwarded per token request: ~1.3 ms at 100 Mbit/s. */
export const SLICE = 16 * 1024;
/** Bytes a connection may have queued in the proxy before its socket is paused. */
const HIGH_WATER = 64 * 1024;

export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly waiters: { n: number; resolve: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** bytesPerSecond: the rate; burst: what an idle bucket holds (at least one slice). */
  constructor(
    readonly bytesPerSecond: number,
    readonly burst: number = 2 * SLICE,
  ) {
    this.tokens = burst;
  }

  private refill(): void {
    const now = performance.now();
    const accrued = ((now - this.last) / 1000) * this.bytesPerSecond;
    this.last = now;
    // Waiters now means waiters since the last refill: the link was busy all along.
    this.tokens = this.waiters.length > 0 ? this.tokens + accrued : Math.min(this.burst, this.tokens + accrued);
  }

  /** Resolves when n bytes may go; undefined when they may go at once (no promise, no tick). */
  take(n: number): Promise<void> | undefined {
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= n) {
      this.tokens -= n;
      return undefined;
    }
    return new Promise((resolve) => {
      this.waiters.push({ n, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    const ms = ((this.waiters[0].n - this.tokens) / this.bytesPerSecond) * 1000;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.serve();
    }, Math.max(1, Math.ceil(ms)));
  }

  private serve(): void {
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= this.waiters[0].n) {
      const w = this.waiters.shift()!;
      this.tokens -= w.n;
      w.resolve();
    }
    if (this.waiters.length === 0) this.tokens = Math.min(this.tokens, this.burst);
    this.schedule();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}

export interface Counters {
  /** client→server bytes forwarded (the uplink: "bytes on the wire"). */
  up: number;
  /** server→client bytes forwarded. */
  down: number;
  connections: number;
  /** Uplink bytes per 100 ms window since the last reset, to see where the link sat idle. */
  upWindows: number[];
}

export interface ThrottleProxy {
  host: string; // 127.0.0.1:PORT
  port: number;
  counters: Counters;
  /** Zeroes the counters and starts the windows at now. */
  reset(): void;
  stop(): Promise<void>;
}

export interface ThrottleOptions {
  /** The uplink (client→server) in Mbit/s (10^6 bit/s); 100 = 12.5 MB/s. */
  upMbit: number;
  /** The downlink in Mbit/s; unlimited when not given. */
  downMbit?: number;
}

const WINDOW_MS = 100;

/** Forwards `src` to `dst` through `bucket` (if any), slice by slice, pausing `src` while its bytes wait. */
function forward(src: Socket, dst: Socket, bucket: TokenBucket | undefined, count: (n: number) => void): void {
  const queue: Buffer[] = [];
  let queued = 0;
  let pumping = false;
  let ended = false;
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        dst.off('drain', done);
        dst.off('close', done);
        resolve();
      };
      dst.on('drain', done);
      dst.on('close', done);
    });
  const pump = async () => {
    pumping = true;
    while (queue.length > 0) {
      const head = queue[0];
      const n = Math.min(SLICE, head.length);
      const wait = bucket?.take(n);
      if (wait) await wait;
      if (dst.destroyed) return;
      if (n === head.length) queue.shift();
      else queue[0] = head.subarray(n);
      queued -= n;
      count(n);
      const ok = dst.write(head.subarray(0, n));
      if (queued < HIGH_WATER && src.isPaused() && !src.destroyed) src.resume();
      if (!ok) await drained();
      if (dst.destroyed) return;
    }
    pumping = false;
    if (ended) dst.end();
  };
  src.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= HIGH_WATER) src.pause();
    if (!pumping) void pump();
  });
  src.on('end', () => {
    ended = true;
    if (!pumping) dst.end();
  });
}

export async function startThrottleProxy(targetPort: number, o: ThrottleOptions): Promise<ThrottleProxy> {
  const upBucket = new TokenBucket((o.upMbit * 1e6) / 8);
  const downBucket = o.downMbit ? new TokenBucket((o.downMbit * 1e6) / 8) : undefined;
  const counters: Counters = { up: 0, down: 0, connections: 0, upWindows: [] };
  let t0 = performance.now();
  const sockets = new Set<Socket>();
  const countUp = (n: number) => {
    counters.up += n;
    const w = Math.floor((performance.now() - t0) / WINDOW_MS);
    while (counters.upWindows.length <= w) counters.upWindows.push(0);
    counters.upWindows[w] += n;
  };
  const countDown = (n: number) => (counters.down += n);
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    counters.connections++;
    const upstream = connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true, noDelay: true });
    sockets.add(client).add(upstream);
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', kill).on('close', () => (sockets.delete(client), kill()));
    upstream.on('error', kill).on('close', () => (sockets.delete(upstream), kill()));
    forward(client, upstream, upBucket, countUp);
    forward(upstream, client, downBucket, countDown);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    counters,
    reset() {
      counters.up = 0;
      counters.down = 0;
      counters.connections = 0;
      counters.upWindows = [];
      t0 = performance.now();
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        upBucket.close();
        downBucket?.close();
        server.close(() => resolve());
      }),
  };
}
