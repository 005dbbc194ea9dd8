// The distribution v2 calls longshore makes: blob HEAD, mount, upload (monolithic or streamed), manifest PUT.
import { sha256 } from '../util/digest.js';
import { Readable } from 'node:stream';
import { hasCode, UserError } from '../util/errors.js';
import { header1, type RegistryClient, type Response } from './client.js';
import { TransientError } from './errors.js';

export const pushScope = (repo: string) => `repository:${repo}:pull,push`;
export const pullScope = (repo: string) => `repository:${repo}:pull`;

/** Resolves a Location against the request URL, keeping its query (e.g. distribution's _state). */
export function nextLocation(res: Response, what: string): string {
  const loc = header1(res.headers, 'location');
  if (!loc) throw new UserError('REGISTRY_PROTOCOL', `${what}: the registry answered ${res.status} without a Location header`);
  return new URL(loc, res.url).toString();
}

/** Bytes an upload holds, from its `Range: 0-<last>` header (none: 0). */
export function receivedBytes(res: Response): number {
  const m = /^(?:bytes=)?0-(\d+)$/.exec(header1(res.headers, 'range')?.trim() ?? '');
  return m ? Number(m[1]) + 1 : 0;
}

export function withDigest(location: string, digest: string): string {
  return location + (location.includes('?') ? '&' : '?') + 'digest=' + encodeURIComponent(digest);
}

export class RepositoryApi {
  /** "HOST/REPOSITORY", for messages. */
  readonly where: string;
  constructor(
    readonly client: RegistryClient,
    readonly repository: string,
  ) {
    this.where = `${client.opts.ref.registry}/${repository}`;
  }

  private get scopes(): string[] {
    return [pushScope(this.repository)];
  }

  /** true when the registry has the blob in this repository (with the expected size when given). */
  async hasBlob(digest: string, size?: number): Promise<boolean> {
    const what = `checking blob ${digest} in ${this.where}`;
    const res = await this.client.request({ method: 'HEAD', url: `/v2/${this.repository}/blobs/${digest}`, scopes: this.scopes, what });
    if (res.status === 200) {
      const len = header1(res.headers, 'content-length');
      return size === undefined || len === undefined || Number(len) === size;
    }
    if (res.status === 404) return false;
    throw this.client.error(what, res);
  }

  /**
   * GET of a manifest by tag or digest (distribution spec: "Pulling manifests"), its exact bytes;
   * undefined when the registry has none (404). Bytes that do not match a digest reference fail.
   */
  async getManifest(reference: string, accept: string): Promise<{ bytes: Buffer; mediaType: string; digest: string } | undefined> {
    const what = `fetching manifest ${this.where}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const res = await this.client.request({ method: 'GET', url: `/v2/${this.repository}/manifests/${reference}`, scopes: this.scopes, what, headers: { accept } });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.client.error(what, res);
    const bytes = Buffer.from(res.text, 'utf8');
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) throw new UserError('DIGEST_MISMATCH', `${what}: the registry sent bytes whose digest is ${digest}`);
    const mediaType = header1(res.headers, 'content-type')?.split(';')[0].trim() ?? '';
    return { bytes, mediaType, digest };
  }

  /** GET of a small blob (a config, a record) into memory, checked against its digest. */
  async getBlobBytes(digest: string): Promise<Buffer> {
    const what = `fetching blob ${digest} from ${this.where}`;
    const res = await this.client.request({ method: 'GET', url: `/v2/${this.repository}/blobs/${digest}`, scopes: this.scopes, what });
    if (res.status !== 200) throw this.client.error(what, res);
    const bytes = Buffer.from(res.text, 'utf8');
    if (sha256(bytes) !== digest) throw new UserError('DIGEST_MISMATCH', `${what}: the registry sent bytes whose digest is ${sha256(bytes)}`);
    return bytes;
  }

  /** Cross-repository mount. 'mounted', or the upload session the registry opened instead. */
  async mount(digest: string, from: string): Promise<{ mounted: true } | { mounted: false; location?: string }> {
    const what = `mounting blob ${digest} from ${from} into ${this.where}`;
    const url = `/v2/${this.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    let res: Response;
    try {
      res = await this.client.request({ method: 'POST', url, scopes: [...this.scopes, `repository:${from}:pull`], what });
    } catch (e) {
      // Some registries answer 401/403 to a refused mount (no pull right on the source): upload instead.
      if (hasCode(e, 'UNAUTHORIZED') || hasCode(e, 'DENIED')) return { mounted: false };
      throw e;
    }
    if (res.status === 201) return { mounted: true };
    if (res.status === 202) return { mounted: false, location: nextLocation(res, what) };
    if (res.status === 401 || res.status === 403 || res.status === 404) return { mounted: false };
    throw this.client.error(what, res);
  }

  async startUpload(what: string): Promise<string> {
    const res = await this.client.request({ method: 'POST', url: `/v2/${this.repository}/blobs/uploads/`, scopes: this.scopes, what, headers: { 'content-length': '0' } });
    if (res.status !== 202) throw this.client.error(what, res);
    return nextLocation(res, what);
  }

  /** Monolithic PUT of the whole body. Returns whether the registry confirmed the digest (201 + matching header). */
  async putBlob(location: string, digest: string, body: Buffer | Readable, size: number, what: string): Promise<boolean> {
    const res = await this.client.request({
      method: 'PUT',
      url: withDigest(location, digest),
      scopes: this.scopes,
      what,
      body,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    });
    return this.finished(res, digest, what);
  }

  /**
   * One PATCH of an upload (distribution spec: "Pushing a blob in chunks"). With `start`, the body
   * is the chunk at that offset (Content-Range, Content-Length); without, the whole blob as one
   * streamed body. Not retried here: after a failure only the upload's status tells what arrived.
   */
  async patchChunk(location: string, body: Buffer[] | Readable, what: string, start?: number): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (start !== undefined && Array.isArray(body)) {
      const length = body.reduce((a, b) => a + b.length, 0);
      headers['content-range'] = `${start}-${start + length - 1}`;
      headers['content-length'] = String(length);
    }
    return this.client.request({ method: 'PATCH', url: location, scopes: this.scopes, what, body: Array.isArray(body) ? Readable.from(body) : body, headers, noRetry: true });
  }

  /** GET of an upload's status: how many bytes the registry holds, and the newest Location. */
  async uploadStatus(location: string, what: string): Promise<{ location: string; received: number }> {
    const res = await this.client.request({ method: 'GET', url: location, scopes: this.scopes, what });
    if (res.status !== 204 && res.status !== 200) throw this.client.error(what, res);
    return { location: header1(res.headers, 'location') ? nextLocation(res, what) : location, received: receivedBytes(res) };
  }

  /** The empty `PUT ?digest=` that closes a chunked upload. */
  async closeUpload(location: string, digest: string, what: string): Promise<boolean> {
    const fin = await this.client.request({ method: 'PUT', url: withDigest(location, digest), scopes: this.scopes, what, headers: { 'content-length': '0' } });
    return this.finished(fin, digest, what);
  }

  private async finished(res: Response, digest: string, what: string): Promise<boolean> {
    if (res.status === 201 || res.status === 204) return header1(res.headers, 'docker-content-digest') === digest;
    const err = this.client.error(what, res);
    // A retried PUT may find the session already committed: the blob may well be there.
    if (err.has('BLOB_UPLOAD_UNKNOWN') && (await this.hasBlob(digest))) return true;
    if (err.has('BLOB_UPLOAD_UNKNOWN')) throw new TransientError(err.message, undefined, 'UPLOAD_LOST');
    throw err;
  }

  async cancelUpload(location: string): Promise<void> {
    try {
      await this.client.request({ method: 'DELETE', url: location, scopes: this.scopes, what: 'cancelling an upload', noRetry: true });
    } catch {
      // best effort: the registry expires abandoned sessions
    }
  }

  /** PUT of the exact manifest bytes; checks the digest the registry computed. */
  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256(bytes);
    const what = `pushing manifest ${digest} as ${this.where}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const res = await this.client.request({
      method: 'PUT',
      url: `/v2/${this.repository}/manifests/${reference}`,
      scopes: this.scopes,
      what,
      body: bytes,
      headers: { 'content-type': mediaType },
    });
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) {
      const err = this.client.error(what, res);
      if (err.has('MANIFEST_BLOB_UNKNOWN') || err.has('BLOB_UNKNOWN')) {
        throw new UserError('MANIFEST_BLOB_UNKNOWN', `${err.message}`, 'a blob the manifest references is missing from the registry; run the copy again');
      }
      throw err;
    }
    const got = header1(res.headers, 'docker-content-digest');
    if (got && got !== digest) throw new UserError('MANIFEST_REWRITTEN', `${what}: the registry stored it as ${got}, not ${digest} (it rewrote the manifest)`);
    return digest;
  }
}
