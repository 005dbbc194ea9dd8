// One blob up to one repository (distribution spec: "Pushing blobs"), restarting from a fresh
// stream on failure, in the way this registry takes uploads:
//
// - a blob of known size goes as one monolithic PUT (POST, then PUT ?digest= with the body), unless
//   the registry, or a proxy in front of it, refused one as too large (413);
// - otherwise (a layer compressed on the way: its size and digest are known only at the end), in
//   chunks of at most 4 MiB (GHCR refuses larger PATCH bodies with 416), each with Content-Range,
//   then an empty PUT ?digest=. A chunk refused with 416, or lost with the connection, is resumed
//   from the offset the upload's status reports. A registry that answers a PATCH with 201 (ECR,
//   which then drops the PATCHes after the first) gets every later upload as one streamed PATCH.
//
// Nothing is written to disk: a restart regenerates the blob from the store (the compression is
// deterministic, so the bytes are the same).
import { Readable } from 'node:stream';
import { header1 } from './client.js';
import { nextLocation, receivedBytes, RepositoryApi } from './api.js';
import { TransientError } from './errors.js';
import { UserError } from '../util/errors.js';
import { backoffMs, DEFAULT_RETRY, retryKind, withRetry, type RetryOptions } from './retry.js';

/** GHCR refuses PATCH bodies over 4 MiB. */
export const CHUNK_SIZE = 4 << 20;
/** The first chunk is smaller, so that the link is busy soon after compression starts. */
export const FIRST_CHUNK_SIZE = 1 << 20;

/** What the registry was found to take, for the rest of the copy (shared by its uploads). */
export interface UploadModes {
  /** A monolithic PUT was refused as too large (413): send chunks. */
  noMonolithic?: boolean;
  /** A PATCH was answered 201 (ECR): later PATCHes of that session would be dropped; send one PATCH. */
  singlePatch?: boolean;
}

/** A stream of a blob that tells, once it ended, the digest and size of what it delivered. */
export interface MeasuredStream extends Readable {
  measured: Promise<{ digest: string; size: number }>;
}

export interface BlobSource {
  /** Known for blobs sent as stored; undefined for a layer compressed on the way. */
  digest?: string;
  size?: number;
  /** A fresh stream each call (a layer regenerated from the store). Never replayed. */
  open(): MeasuredStream;
  /** What it is, for messages: "layer sha256:…", "config sha256:…", "layer sha256:<diffID> (gzip)". */
  label: string;
  /** An upload session the registry already opened for this blob (a mount answered 202). */
  session?: string;
}

export interface BlobEvents {
  state(s: string): void;
}

/** A PATCH answered 201: this registry takes a blob in one PATCH only; start again that way. */
class SinglePatchOnly extends Error {}

/**
 * Uploads one blob, a new session and a fresh stream per attempt. Resolves with the digest and
 * size the registry confirmed (or a HEAD found); rejects with the stream's own failure (e.g. a
 * digest mismatch, never retried) or the last attempt's.
 */
export async function pushBlob(api: RepositoryApi, src: BlobSource, ev: BlobEvents, modes: UploadModes = {}, retry: RetryOptions = DEFAULT_RETRY): Promise<{ digest: string; size: number }> {
  const what = `uploading ${src.label} to ${api.where}`;
  let session = src.session;
  const attempt = async (): Promise<{ digest: string; size: number }> => {
    let location = session ?? (await api.startUpload(what));
    session = undefined; // a session is used once; a retry opens a new one
    ev.state('uploading');
    const body = src.open();
    let streamError: Error | undefined;
    body.on('error', (e) => (streamError ??= e));
    let verified: boolean;
    let got: { digest: string; size: number };
    try {
      if (src.digest !== undefined && src.size !== undefined && !modes.noMonolithic) {
        try {
          verified = await api.putBlob(location, src.digest, body, src.size, what);
          got = { digest: src.digest, size: src.size };
        } catch (e) {
          if (!(e instanceof UserError && (e as { status?: number }).status === 413)) throw e;
          modes.noMonolithic = true;
          throw new TransientError(`${what}: the registry refused the blob in one request (413); sending it in chunks`, undefined, 'UPLOAD_LOST');
        }
      } else if (modes.singlePatch) {
        const res = await api.patchChunk(location, body, what);
        if (res.status !== 202 && res.status !== 201 && res.status !== 204) throw api.client.error(what, res);
        got = await body.measured;
        verified = await api.closeUpload(header1(res.headers, 'location') ? nextLocation(res, what) : location, got.digest, what);
      } else {
        const chunks = ahead(chunksOf(body));
        const first = await chunks.next();
        if (!first.done && first.value.last && !modes.noMonolithic) {
          // The whole blob in one chunk: one PUT, now that its digest is known.
          got = await body.measured;
          verified = await api.putBlob(location, got.digest, Readable.from(first.value.pieces), got.size, what);
        } else {
          location = await sendChunks(api, location, first, chunks, what, retry);
          got = await body.measured;
          verified = await api.closeUpload(location, got.digest, what);
        }
      }
    } catch (e) {
      body.destroy();
      // The store stream's own failure (a digest mismatch, an unreadable file) is the real cause and
      // is not retried; the request's failure may reach the stream too, and is.
      if (streamError instanceof UserError) throw streamError;
      await api.cancelUpload(location).catch(() => undefined);
      if (e instanceof SinglePatchOnly) {
        modes.singlePatch = true;
        throw new TransientError(`${what}: the registry answered a PATCH with 201, as ECR does; sending the blob as one PATCH`, undefined, 'UPLOAD_LOST');
      }
      throw e;
    }
    // Only a confirmed digest or a HEAD counts as present: nothing half-written gets tagged.
    if (!verified && !(await api.hasBlob(got.digest, got.size))) {
      throw new TransientError(`${what}: the registry accepted the upload but does not have the blob`, undefined, 'UPLOAD_LOST');
    }
    return got;
  };
  return withRetry(attempt, {
    ...retry,
    onRetry: (n, err, delay) => {
      ev.state(`retry ${n} in ${(delay / 1000).toFixed(1)} s: ${err.message}`);
      retry.onRetry?.(n, err, delay);
    },
  });
}

/** A chunk as the pieces the stream gave (not copied into one buffer), and its length. */
class Chunk {
  constructor(
    readonly pieces: Buffer[],
    readonly length: number,
    /** The stream ended with this chunk. */
    readonly last: boolean,
  ) {}
  /** The bytes from `from` on, as pieces (no copy). */
  from(from: number): Buffer[] {
    const out: Buffer[] = [];
    for (const p of this.pieces) {
      if (from >= p.length) {
        from -= p.length;
        continue;
      }
      out.push(from > 0 ? p.subarray(from) : p);
      from = 0;
    }
    return out;
  }
}

/** Reads `src` in chunks: FIRST_CHUNK_SIZE bytes, then CHUNK_SIZE bytes, the last one shorter. */
async function* chunksOf(src: AsyncIterable<Buffer>): AsyncGenerator<Chunk> {
  let size = FIRST_CHUNK_SIZE;
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of src) {
    let rest = c;
    while (have + rest.length >= size) {
      const take = size - have;
      parts.push(rest.subarray(0, take));
      yield new Chunk(parts, size, false);
      parts = [];
      have = 0;
      rest = rest.subarray(take);
      size = CHUNK_SIZE;
    }
    if (rest.length) {
      parts.push(rest);
      have += rest.length;
    }
  }
  if (have) yield new Chunk(parts, have, true);
}

/** `it`, with its next item made while the current one is used: the next chunk is ready when a PATCH returns. */
async function* ahead<T>(it: AsyncIterator<T>): AsyncGenerator<T, void, undefined> {
  let next = it.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      next.catch(() => {}); // awaited at the top of the loop, or abandoned with the upload
      yield r.value;
    }
  } finally {
    await it.return?.(undefined);
  }
}

/**
 * What the registry holds of an upload after a chunk went wrong (`cause`). A registry that cannot
 * tell (distribution, once a PATCH broke off mid-body, calls the session invalid) gets the blob
 * again from the start, in a new session: `cause` is rethrown for the blob's own retries.
 */
async function resumeAt(api: RepositoryApi, location: string, what: string, offset: number, length: number, cause: unknown): Promise<{ location: string; received: number }> {
  let status;
  try {
    status = await api.uploadStatus(location, what);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    throw cause;
  }
  if (status.received < offset || status.received > offset + length)
    throw new TransientError(`${what}: the registry holds ${status.received} bytes, outside the chunk at ${offset}; starting the blob again`, undefined, 'UPLOAD_LOST');
  return status;
}

/**
 * PATCHes the stream's bytes in chunks, each from the offset the registry holds: a chunk refused
 * with 416 or lost with its connection is resent from the offset the upload's status reports.
 * Returns the newest Location.
 */
async function sendChunks(api: RepositoryApi, location: string, first: IteratorResult<Chunk, void>, rest: AsyncGenerator<Chunk, void, undefined>, what: string, retry: RetryOptions): Promise<string> {
  let offset = 0;
  for (let step = first; !step.done; step = await rest.next()) {
    const chunk = step.value;
    let sent = offset; // the registry holds [0, sent)
    for (let failures = 0; sent < offset + chunk.length; ) {
      let res;
      try {
        res = await api.patchChunk(location, chunk.from(sent - offset), what, sent);
      } catch (e) {
        if (retryKind(e) === 'never' || ++failures >= retry.attempts) throw e;
        await new Promise((r) => setTimeout(r, backoffMs(failures, retry)));
        ({ location, received: sent } = await resumeAt(api, location, what, offset, chunk.length, e));
        continue;
      }
      if (res.status === 201) throw new SinglePatchOnly();
      if (res.status === 416) {
        const refused = api.client.error(what, res);
        if (++failures >= retry.attempts) throw refused;
        ({ location, received: sent } = await resumeAt(api, location, what, offset, chunk.length, new TransientError(refused.message, undefined, 'UPLOAD_LOST')));
        continue;
      }
      if (res.status !== 202 && res.status !== 204) throw api.client.error(what, res);
      location = header1(res.headers, 'location') ? nextLocation(res, what) : location;
      const held = receivedBytes(res);
      sent = held > sent ? held : sent + (chunk.length - (sent - offset));
    }
    offset += chunk.length;
  }
  return location;
}
