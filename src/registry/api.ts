// The distribution v2 calls longshore makes: blob HEAD, mount, upload (monolithic or streamed), manifest PUT.
import { sha256 } from '../util/digest.js';
import type { Readable } from 'node:stream';
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

  /** Streamed PATCH (length unknown), then `PUT ?digest=` with an empty body. */
  async patchThenPut(location: string, digest: string, body: Readable, what: string): Promise<boolean> {
    const res = await this.client.request({ method: 'PATCH', url: location, scopes: this.scopes, what, body, headers: { 'content-type': 'application/octet-stream' } });
    if (res.status !== 202 && res.status !== 204 && res.status !== 201) throw this.client.error(what, res);
    const loc = header1(res.headers, 'location') ? nextLocation(res, what) : location;
    const fin = await this.client.request({ method: 'PUT', url: withDigest(loc, digest), scopes: this.scopes, what, headers: { 'content-length': '0' } });
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
