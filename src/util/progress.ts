// Progress on long work: a line per layer event when not a TTY, live bars on a TTY, nothing with -q.
import { humanBytes, shortDigest } from './human.js';

export interface LayerProgress {
  /** e.g. "checking", "skipped", "mounted", "uploading", "writing", "loading" */
  state(s: string): void;
  bytes(n: number): void;
  done(final: string): void;
}

export interface Progress {
  layer(digest: string, size: number, label?: string): LayerProgress;
  info(msg: string): void;
  finish(): void;
}

export const silentProgress: Progress = {
  layer: () => ({ state() {}, bytes() {}, done() {} }),
  info() {},
  finish() {},
};

interface Bar {
  digest: string;
  size: number;
  label: string;
  state: string;
  sent: number;
  start: number;
  final?: string;
}

class PlainProgress implements Progress {
  constructor(private readonly out: NodeJS.WritableStream) {}
  layer(digest: string, size: number, label = ''): LayerProgress {
    const start = Date.now();
    let sent = 0;
    let last = 'checking';
    const id = `${shortDigest(digest)} ${humanBytes(size).padStart(9)}${label ? ' ' + label : ''}`;
    return {
      // A line a change of state: the flow and the upload both say "uploading".
      state: (s) => {
        if (s !== last) this.out.write(`${id}: ${s}\n`);
        last = s;
      },
      bytes: (n) => {
        sent += n;
      },
      done: (final) => {
        const secs = (Date.now() - start) / 1000;
        const rate = sent > 0 && secs > 0 ? ` (${humanBytes(sent)} at ${humanBytes(sent / secs)}/s)` : '';
        this.out.write(`${id}: ${final}${rate}\n`);
      },
    };
  }
  info(msg: string): void {
    this.out.write(msg + '\n');
  }
  finish(): void {}
}

class TtyProgress implements Progress {
  private readonly bars: Bar[] = [];
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly out: NodeJS.WriteStream) {}
  layer(digest: string, size: number, label = ''): LayerProgress {
    const bar: Bar = { digest, size, label, state: 'waiting', sent: 0, start: Date.now() };
    this.bars.push(bar);
    this.timer ??= setInterval(() => this.draw(), 100);
    return {
      state: (s) => {
        bar.state = s;
        bar.start = Date.now();
      },
      bytes: (n) => {
        bar.sent += n;
      },
      done: (final) => {
        bar.final = final;
        this.draw();
      },
    };
  }
  info(msg: string): void {
    this.clear();
    this.out.write(msg + '\n');
    this.drawn = 0;
    this.draw();
  }
  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
  }
  private line(b: Bar): string {
    const id = `${shortDigest(b.digest)} ${humanBytes(b.size).padStart(9)}`;
    if (b.final) return `${id} ${b.final}`;
    if (b.sent === 0) return `${id} ${b.state}`;
    const width = 24;
    const frac = b.size > 0 ? Math.min(1, b.sent / b.size) : 1;
    const fill = Math.round(frac * width);
    const secs = Math.max(0.001, (Date.now() - b.start) / 1000);
    return `${id} ${b.state} [${'='.repeat(fill)}${' '.repeat(width - fill)}] ${humanBytes(b.sent)} ${humanBytes(b.sent / secs)}/s`;
  }
  private draw(): void {
    this.clear();
    const cols = this.out.columns || 100;
    const text = this.bars.map((b) => this.line(b).slice(0, cols - 1)).join('\n');
    this.out.write(text + (text ? '\n' : ''));
    this.drawn = this.bars.length;
  }
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.draw();
  }
}

export function makeProgress(opts: { quiet?: boolean; json?: boolean }): Progress {
  if (opts.quiet) return silentProgress;
  const err = process.stderr;
  return err.isTTY ? new TtyProgress(err) : new PlainProgress(err);
}
