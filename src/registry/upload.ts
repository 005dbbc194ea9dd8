// One blob up to one repository, restarting from a fresh stream on failure.
import type { Readable } from 'node:stream';
import { RepositoryApi } from './api.js';
import { TransientError } from './errors.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry.js';

export interface BlobSource {
  digest: string;
  /** Known at build time for every longshore layer; undefined switches to a streamed PATCH. */
  size?: number;
  /** A fresh stream each call (a layer regenerated from the store). Never replayed. */
  open(): Readable;
  /** "layer" or "config", for messages. */
  label: string;
  /** An upload session the registry already opened for this blob (a mount answered 202). */
  session?: string;
}

export interface BlobEvents {
  state(s: string): void;
}

/**
 * Uploads one blob (distribution spec: "Pushing blobs"), a new session and a fresh stream per
 * attempt. Resolves once the registry confirmed the digest or a HEAD finds the blob; rejects with
 * the stream's own failure (e.g. a digest mismatch, never retried) or the last attempt's.
 */
export async function pushBlob(api: RepositoryApi, src: BlobSource, ev: BlobEvents, retry: RetryOptions = DEFAULT_RETRY): Promise<void> {
  const what = `uploading ${src.label} ${src.digest} to ${api.where}`;
  let session = src.session;
  const attempt = async (): Promise<void> => {
    const location = session ?? (await api.startUpload(what));
    session = undefined; // a session is used once; a retry opens a new one
    ev.state('uploading');
    const body = src.open();
    let streamError: Error | undefined;
    body.on('error', (e) => (streamError ??= e));
    let verified: boolean;
    try {
      verified = src.size !== undefined ? await api.putBlob(location, src.digest, body, src.size, what) : await api.patchThenPut(location, src.digest, body, what);
    } catch (e) {
      body.destroy();
      // The store stream's own failure (a digest mismatch, an unreadable file) is the real cause and
      // is not retried; the request's failure may reach the stream too, and is.
      if (streamError instanceof UserError) throw streamError;
      await api.cancelUpload(location).catch(() => undefined);
      throw e;
    }
    // Only a confirmed digest or a HEAD counts as present: nothing half-written gets tagged.
    if (!verified && !(await api.hasBlob(src.digest, src.size))) {
      throw new TransientError(`${what}: the registry accepted the upload but does not have the blob`, undefined, 'UPLOAD_LOST');
    }
  };
  return withRetry(attempt, {
    ...retry,
    onRetry: (n, err, delay) => {
      ev.state(`retry ${n} in ${(delay / 1000).toFixed(1)} s: ${err.message}`);
      retry.onRetry?.(n, err, delay);
    },
  });
}
