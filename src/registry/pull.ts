// Reading from a registry (issue 5: base images): manifests and blobs as exact bytes, streamed,
// with the client's auth, TLS settings and credential rules. Additive: nothing in the push path uses it.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { sha256 } from '../util/digest.js';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { UserError } from '../util/errors.js';
import type { RegistryClient, Response } from './client.js';
import { TransientError } from './errors.js';
import { RETRYABLE_STATUS, parseRetryAfter, withRetry } from './retry.js';
import { networkError } from './network.js';
import { Connections } from './proxy.js';
import { pullScope } from './api.js';
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES } from '../image/media-types.js';

export const MANIFEST_ACCEPT = [...IMAGE_MANIFEST_TYPES, ...INDEX_TYPES].join(', ');

const h1 = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** A GET that hands back the body as a stream; auth, redirects (credentials kept to the registry's origin), errors. */
export class RegistryReader {
  private readonly connections: Connections;
  constructor(
    readonly client: RegistryClient,
    readonly repository: string,
  ) {
    // The client's TLS settings, and the same proxy rules (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
    this.connections = new Connections(client.tls, { bodyTimeout: 300_000, headersTimeout: 300_000 });
  }

  private get scopes(): string[] {
    return [pullScope(this.repository)];
  }

  /** Call client.ping() first: it picks http/https and learns the auth challenge. */
  async get(path: string, accept: string | undefined, what: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Readable; url: string }> {
    const origin = new URL(this.client.registryURL).origin;
    let url = this.client.resolve(path);
    for (let authTries = 0, redirects = 0; ; ) {
      const headers: Record<string, string> = {};
      if (accept) headers.accept = accept;
      const same = new URL(url).origin === origin;
      const auth = same ? await this.client.auth.header(this.scopes) : undefined;
      if (auth) headers.authorization = auth;
      let res: Dispatcher.ResponseData;
      try {
        res = await this.connections.request(url, { method: 'GET', headers, what });
      } catch (e) {
        throw networkError(e, what, new URL(url).host) ?? e;
      }
      const hdrs = res.headers as Record<string, string | string[] | undefined>;
      if (res.statusCode === 200) return { status: 200, headers: hdrs, body: res.body, url };
      const text = await res.body.text().catch(() => '');
      const asResponse: Response = { status: res.statusCode, headers: hdrs, text, url };
      if (res.statusCode === 401 && same) {
        if (this.client.auth.unauthorized(hdrs['www-authenticate'], !!auth) && authTries++ < 2) continue;
        const c = this.client.opts.credential;
        throw this.client.error(
          what,
          asResponse,
          c
            ? `check the credentials from ${c.source} and that they may pull from ${this.repository}`
            : `no credentials found for ${this.client.opts.ref.registry}: use --creds USER:PASSWORD, --creds-file, --authfile, LONGSHORE_REGISTRY_USERNAME/PASSWORD or \`podman login\``,
        );
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && hdrs.location && redirects++ < 5) {
        url = new URL(h1(hdrs.location)!, url).toString();
        continue;
      }
      if (RETRYABLE_STATUS.has(res.statusCode)) throw new TransientError(`${what}: registry answered ${res.statusCode}`, parseRetryAfter(hdrs['retry-after']));
      throw this.client.error(what, asResponse);
    }
  }

  /** A manifest (or index) as exact bytes; by digest, the bytes are checked against it. */
  async manifest(reference: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const what = `fetching manifest ${this.client.opts.ref.registry}/${this.repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    return withRetry(async () => {
      const r = await this.get(`/v2/${this.repository}/manifests/${reference}`, MANIFEST_ACCEPT, what);
      const chunks: Buffer[] = [];
      for await (const c of r.body) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      const digest = sha256(bytes);
      if (reference.startsWith('sha256:') && digest !== reference)
        throw new UserError('DIGEST_MISMATCH', `${what}: the registry sent bytes whose digest is ${digest}, not ${reference}`);
      let mediaType = h1(r.headers['content-type'])?.split(';')[0].trim();
      try {
        const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
        if (typeof doc.mediaType === 'string') mediaType = doc.mediaType;
      } catch {
        throw new UserError('REGISTRY_PROTOCOL', `${what}: the registry sent something that is not JSON`);
      }
      if (!mediaType) throw new UserError('REGISTRY_PROTOCOL', `${what}: no media type (neither Content-Type nor "mediaType")`);
      return { bytes, mediaType, digest };
    });
  }

  /** A small blob (a config) in memory, verified. */
  async blobBytes(digest: string, size?: number): Promise<Buffer> {
    const what = `fetching blob ${digest} from ${this.client.opts.ref.registry}/${this.repository}`;
    return withRetry(async () => {
      const r = await this.get(`/v2/${this.repository}/blobs/${digest}`, undefined, what);
      const chunks: Buffer[] = [];
      for await (const c of r.body) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      verifyBlob(what, digest, size, sha256(bytes), bytes.length);
      return bytes;
    });
  }

  /**
   * Streams a blob to `file`, hashing as it goes; the file is removed unless it verified.
   * A dropped connection restarts the blob (a few times).
   */
  async blobToFile(digest: string, size: number | undefined, file: string, onBytes?: (n: number) => void): Promise<void> {
    const what = `fetching blob ${digest} from ${this.client.opts.ref.registry}/${this.repository}`;
    await withRetry(async () => {
      const r = await this.get(`/v2/${this.repository}/blobs/${digest}`, undefined, what);
      const hash = createHash('sha256');
      let n = 0;
      try {
        await pipeline(
          r.body,
          async function* (src: AsyncIterable<Buffer>) {
            for await (const c of src) {
              hash.update(c);
              n += c.length;
              onBytes?.(c.length);
              yield c;
            }
          },
          createWriteStream(file),
        );
      } catch (e) {
        await rm(file, { force: true });
        throw networkError(e, what, this.client.opts.ref.apiHost) ?? e;
      }
      try {
        verifyBlob(what, digest, size, 'sha256:' + hash.digest('hex'), n);
      } catch (e) {
        await rm(file, { force: true });
        throw e;
      }
    });
  }

  close(): Promise<void> {
    return this.connections.close();
  }
}

function verifyBlob(what: string, digest: string, size: number | undefined, got: string, n: number): void {
  if (got === digest && (size === undefined || n === size)) return;
  throw new UserError(
    'DIGEST_MISMATCH',
    `${what}: the registry sent ${n} bytes${size !== undefined ? ` (expected ${size})` : ''} whose digest is ${got}, not ${digest}`,
    'the registry (or a proxy or mirror in between) serves content that does not match its digest; its storage may be corrupt. Nothing was written to the store.',
  );
}
