// One blob to one repository: skip, mount, or upload — restarting from a fresh stream on failure.
import { Transform, type Readable } from 'node:stream';
import { RepositoryApi } from './api.js';
import { TransientError } from './errors.js';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry.js';

export interface BlobSource {
  digest: string;
  /** Known at build time for every longshore layer; undefined switches to a streamed PATCH. */
  size?: number;
  /** A fresh stream each call (a layer regenerated from the store). Never replayed. */
  open(): Readable;
  /** Another repository of the same registry that already has the blob. */
  mountFrom?: string;
  label: string;
}

export interface BlobEvents {
  state(s: string): void;
  bytes(n: number): void;
}

export interface BlobResult {
  action: 'mounted' | 'uploaded';
  bytesSent: number;
}

export async function pushBlob(api: RepositoryApi, src: BlobSource, ev: BlobEvents, retry: RetryOptions = DEFAULT_RETRY): Promise<BlobResult> {
  const what = `uploading ${src.label} ${src.digest} to ${api.repository}`;
  let sent = 0;
  let mountTried = false;
  let session: string | undefined;
  const attempt = async (): Promise<BlobResult> => {
    if (src.mountFrom && !mountTried) {
      mountTried = true;
      ev.state(`mounting from ${src.mountFrom}`);
      const m = await api.mount(src.digest, src.mountFrom);
      if (m.mounted) return { action: 'mounted', bytesSent: 0 };
      session = m.location; // 202: the registry opened an upload session instead
    }
    const location = session ?? (await api.startUpload(what));
    session = undefined; // a session is used once; a retry opens a new one
    ev.state('uploading');
    const stream = src.open();
    let streamError: Error | undefined;
    stream.on('error', (e) => (streamError ??= e));
    const count = new Transform({
      transform(chunk: Buffer, _e, cb) {
        sent += chunk.length;
        ev.bytes(chunk.length);
        cb(null, chunk);
      },
    });
    stream.on('error', (e) => count.destroy(e));
    const body = stream.pipe(count);
    let verified: boolean;
    try {
      verified = src.size !== undefined ? await api.putBlob(location, src.digest, body, src.size, what) : await api.patchThenPut(location, src.digest, body, what);
    } catch (e) {
      stream.destroy();
      // The store stream's own failure (e.g. a digest mismatch) is the real cause and is not retried.
      if (streamError) throw streamError;
      await api.cancelUpload(location).catch(() => undefined);
      throw e;
    }
    // Only a confirmed digest or a HEAD counts as present: nothing half-written gets tagged.
    if (!verified && !(await api.hasBlob(src.digest, src.size))) {
      throw new TransientError(`${what}: the registry accepted the upload but does not have the blob`);
    }
    return { action: 'uploaded', bytesSent: sent };
  };
  return withRetry(attempt, {
    ...retry,
    onRetry: (n, err, delay) => {
      ev.state(`retry ${n} in ${(delay / 1000).toFixed(1)} s: ${err.message}`);
      retry.onRetry?.(n, err, delay);
    },
  });
}
