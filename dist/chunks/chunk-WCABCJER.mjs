import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  Connections,
  RETRYABLE_STATUS,
  TransientError,
  networkError,
  parseRetryAfter,
  pullScope,
  withRetry
} from "./chunk-D6PQMSBU.mjs";
import {
  IMAGE_MANIFEST_TYPES,
  INDEX_TYPES,
  sha256
} from "./chunk-AYVEAJJV.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/registry/pull.ts
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { createHash } from "node:crypto";
import { pipeline } from "node:stream/promises";
var MANIFEST_ACCEPT = [...IMAGE_MANIFEST_TYPES, ...INDEX_TYPES].join(", ");
var h1 = (v) => Array.isArray(v) ? v[0] : v;
var RegistryReader = class {
  constructor(client, repository) {
    this.client = client;
    this.repository = repository;
    this.connections = new Connections(client.tls, { bodyTimeout: 3e5, headersTimeout: 3e5 });
  }
  client;
  repository;
  connections;
  get scopes() {
    return [pullScope(this.repository)];
  }
  /** Call client.ping() first: it picks http/https and learns the auth challenge. */
  async get(path, accept, what) {
    const origin = new URL(this.client.registryURL).origin;
    let url = this.client.resolve(path);
    for (let authTries = 0, redirects = 0; ; ) {
      const headers = {};
      if (accept) headers.accept = accept;
      const same = new URL(url).origin === origin;
      const auth = same ? await this.client.auth.header(this.scopes) : void 0;
      if (auth) headers.authorization = auth;
      let res;
      try {
        res = await this.connections.request(url, { method: "GET", headers, what });
      } catch (e) {
        throw networkError(e, what, new URL(url).host) ?? e;
      }
      const hdrs = res.headers;
      if (res.statusCode === 200) return { status: 200, headers: hdrs, body: res.body, url };
      const text = await res.body.text().catch(() => "");
      const asResponse = { status: res.statusCode, headers: hdrs, text, url };
      if (res.statusCode === 401 && same) {
        if (this.client.auth.unauthorized(hdrs["www-authenticate"], !!auth) && authTries++ < 2) continue;
        const c = this.client.opts.credential;
        throw this.client.error(
          what,
          asResponse,
          c ? `check the credentials from ${c.source} and that they may pull from ${this.repository}` : `no credentials found for ${this.client.opts.ref.registry}: use --creds USER:PASSWORD, --creds-file, --authfile, LONGSHORE_REGISTRY_USERNAME/PASSWORD or \`podman login\``
        );
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && hdrs.location && redirects++ < 5) {
        url = new URL(h1(hdrs.location), url).toString();
        continue;
      }
      if (RETRYABLE_STATUS.has(res.statusCode)) throw new TransientError(`${what}: registry answered ${res.statusCode}`, parseRetryAfter(hdrs["retry-after"]));
      throw this.client.error(what, asResponse);
    }
  }
  /** A manifest (or index) as exact bytes; by digest, the bytes are checked against it. */
  async manifest(reference) {
    const what = `fetching manifest ${this.client.opts.ref.registry}/${this.repository}${reference.startsWith("sha256:") ? "@" : ":"}${reference}`;
    return withRetry(async () => {
      const r = await this.get(`/v2/${this.repository}/manifests/${reference}`, MANIFEST_ACCEPT, what);
      const chunks = [];
      for await (const c of r.body) chunks.push(c);
      const bytes = Buffer.concat(chunks);
      const digest = sha256(bytes);
      if (reference.startsWith("sha256:") && digest !== reference)
        throw new UserError("DIGEST_MISMATCH", `${what}: the registry sent bytes whose digest is ${digest}, not ${reference}`);
      let mediaType = h1(r.headers["content-type"])?.split(";")[0].trim();
      try {
        const doc = JSON.parse(bytes.toString("utf8"));
        if (typeof doc.mediaType === "string") mediaType = doc.mediaType;
      } catch {
        throw new UserError("REGISTRY_PROTOCOL", `${what}: the registry sent something that is not JSON`);
      }
      if (!mediaType) throw new UserError("REGISTRY_PROTOCOL", `${what}: no media type (neither Content-Type nor "mediaType")`);
      return { bytes, mediaType, digest };
    });
  }
  /** A small blob (a config) in memory, verified. */
  async blobBytes(digest, size) {
    const what = `fetching blob ${digest} from ${this.client.opts.ref.registry}/${this.repository}`;
    return withRetry(async () => {
      const r = await this.get(`/v2/${this.repository}/blobs/${digest}`, void 0, what);
      const chunks = [];
      for await (const c of r.body) chunks.push(c);
      const bytes = Buffer.concat(chunks);
      verifyBlob(what, digest, size, sha256(bytes), bytes.length);
      return bytes;
    });
  }
  /**
   * Streams a blob to `file`, hashing as it goes; the file is removed unless it verified.
   * A dropped connection restarts the blob (a few times).
   */
  async blobToFile(digest, size, file, onBytes) {
    const what = `fetching blob ${digest} from ${this.client.opts.ref.registry}/${this.repository}`;
    await withRetry(async () => {
      const r = await this.get(`/v2/${this.repository}/blobs/${digest}`, void 0, what);
      const hash = createHash("sha256");
      let n = 0;
      try {
        await pipeline(
          r.body,
          async function* (src) {
            for await (const c of src) {
              hash.update(c);
              n += c.length;
              onBytes?.(c.length);
              yield c;
            }
          },
          createWriteStream(file)
        );
      } catch (e) {
        await rm(file, { force: true });
        throw networkError(e, what, this.client.opts.ref.apiHost) ?? e;
      }
      try {
        verifyBlob(what, digest, size, "sha256:" + hash.digest("hex"), n);
      } catch (e) {
        await rm(file, { force: true });
        throw e;
      }
    });
  }
  close() {
    return this.connections.close();
  }
};
function verifyBlob(what, digest, size, got, n) {
  if (got === digest && (size === void 0 || n === size)) return;
  throw new UserError(
    "DIGEST_MISMATCH",
    `${what}: the registry sent ${n} bytes${size !== void 0 ? ` (expected ${size})` : ""} whose digest is ${got}, not ${digest}`,
    "the registry (or a proxy or mirror in between) serves content that does not match its digest; its storage may be corrupt. Nothing was written to the store."
  );
}

export {
  RegistryReader
};
