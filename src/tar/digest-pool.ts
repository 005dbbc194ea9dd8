// Digests layers on worker threads: hashing is CPU-bound and one thread per core halves build time.
import { availableParallelism } from 'node:os';
import { Worker, parentPort } from 'node:worker_threads';
import type { LayerContent } from '../image/schema.js';
import { UserError, type ErrorCode } from '../util/errors.js';
import { runLimited } from '../util/limit.js';
import { digestLayer, type TarResult } from './writer.js';

import { DIGEST_WORKER_ENV } from './worker-role.js';

export function serveDigests(): void {
  parentPort!.on('message', (msg: { id: number; content: LayerContent }) => {
    try {
      parentPort!.postMessage({ id: msg.id, result: digestLayer(msg.content, { build: true }) });
    } catch (e) {
      parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e), code: e instanceof UserError ? e.code : undefined, hint: e instanceof UserError ? e.hint : undefined });
    }
  });
}

/**
 * Digests every layer, on up to `jobs` threads. Workers re-run this very module file, so they are
 * only used from the bundled CLI; elsewhere (tests importing the sources) digests run in-process.
 */
export async function digestLayers(contents: LayerContent[], entryUrl: string | undefined, jobs = availableParallelism()): Promise<TarResult[]> {
  const n = Math.max(1, Math.min(jobs, contents.length));
  if (!entryUrl || !entryUrl.endsWith('.mjs') || n === 1) return runLimited(contents, 1, async (c) => digestLayer(c, { build: true }));
  // This thread digests too: one worker fewer to start.
  const workers = Array.from({ length: n - 1 }, () => new Worker(new URL(entryUrl), { env: { ...process.env, [DIGEST_WORKER_ENV]: '1' } }));
  try {
    let nextId = 0;
    const free: (Worker | 'here')[] = ['here', ...workers];
    return await runLimited(contents, n, async (content) => {
      const w = free.pop()!;
      try {
        if (w === 'here') return digestLayer(content, { build: true });
        return await new Promise<TarResult>((resolve, reject) => {
          const id = nextId++;
          const onMsg = (m: { id: number; result?: TarResult; error?: string; code?: ErrorCode; hint?: string }) => {
            if (m.id !== id) return;
            w.off('message', onMsg);
            w.off('error', reject);
            if (m.error !== undefined) reject(m.code ? new UserError(m.code, m.error, m.hint) : new Error(m.error));
            else resolve(m.result!);
          };
          w.on('message', onMsg);
          w.once('error', reject);
          w.postMessage({ id, content });
        });
      } finally {
        free.push(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
