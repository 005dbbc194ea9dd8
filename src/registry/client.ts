// HTTP to one registry over undici: scheme/TLS choice, auth on every request, redirects without
// leaking credentials, debug logging with secrets redacted, retries for replayable requests.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { hasCode, UserError } from '../util/errors.js';
import { Authenticator } from './auth.js';
import type { Credential } from './credentials.js';
import { RegistryError, TransientError, parseErrorBody } from './errors.js';
import { networkError, notTls } from './network.js';
import type { RegistryReference } from '../reference/reference.js';
import { RETRYABLE_STATUS, parseRetryAfter, withRetry } from './retry.js';
import { isLoopback, registryTls, type RegistryTls } from './tls.js';
import { Connections } from './proxy.js';
import { debugLog } from '../util/debug.js';

export interface ClientOptions {
  ref: RegistryReference;
  credential?: Credential;
  /** false: accept any certificate, and allow plain HTTP. */
  tlsVerify?: boolean;
  caCert?: string;
  debug?: boolean;
}

export type Headers = Record<string, string | string[] | undefined>;

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  url: string;
}

export interface RequestOptions {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path under the registry ("/v2/…") or an absolute URL (a Location). */
  url: string;
  scopes: string[];
  headers?: Record<string, string>;
  /** A Buffer can be re-sent; a stream cannot (the caller restarts from the store instead). */
  body?: Buffer | Readable;
  /** Used in error messages: "uploading layer sha256:…". */
  what: string;
  /** Best-effort calls (cancelling a session) are not retried. */
  noRetry?: boolean;
}

const header1 = (h: Headers, k: string): string | undefined => {
  const v = h[k];
  return Array.isArray(v) ? v[0] : v;
};

function redact(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = /^(authorization|cookie)$/i.test(k) ? `${v.split(' ')[0]} <redacted>` : v;
  return out;
}

export class RegistryClient {
  readonly auth: Authenticator;
  private readonly connections: Connections;
  private base: string;
  private readonly host: string;

  /** This registry's TLS settings; readers of the same registry share them. */
  readonly tls: RegistryTls;

  constructor(readonly opts: ClientOptions) {
    this.tls = registryTls(opts);
    // Direct, or through the proxy that HTTPS_PROXY / HTTP_PROXY / NO_PROXY choose for each URL (src/registry/proxy.ts).
    this.connections = new Connections(this.tls, { bodyTimeout: 0, headersTimeout: 600_000, keepAliveTimeout: 30_000 });
    this.host = opts.ref.apiHost;
    this.base = `https://${this.host}`;
    this.auth = new Authenticator(opts.credential, (url, init) => this.tokenFetch(url, init), opts.ref.registry);
  }

  get registryURL(): string {
    return this.base;
  }

  /** Plain HTTP is tried for loopback hosts and with --tls-verify=false, after HTTPS fails as not-TLS. */
  private mayUseHttp(): boolean {
    return !this.opts.caCert && (this.opts.tlsVerify === false || isLoopback(this.host));
  }

  private debug(msg: string): void {
    if (this.opts.debug) debugLog(msg);
  }

  /** GET /v2/ (distribution spec: "Determining support"): picks the scheme and learns the auth challenge. */
  async ping(): Promise<void> {
    const what = `connecting to the registry at ${this.host}`;
    const tryPing = async (): Promise<void> => {
      const res = await this.send('GET', `${this.base}/v2/`, {}, undefined, what);
      if (res.status === 401) this.auth.setChallenge(res.headers['www-authenticate']);
      else if (res.status >= 500) throw new TransientError(`${what}: GET /v2/ answered ${res.status}`, parseRetryAfter(res.headers['retry-after']));
      else if (res.status !== 200 && res.status !== 404) {
        throw new UserError('NOT_A_REGISTRY', `${this.host} does not look like a container registry: GET /v2/ answered ${res.status}`);
      }
    };
    // Loopback registries speak plain HTTP by convention: start there and skip a TLS handshake
    // (and loading the CA store) on every push of the edit/push loop; a TLS server's 400 sends us back.
    if (this.base.startsWith('https:') && this.mayUseHttp() && isLoopback(this.host) && this.opts.tlsVerify !== true) {
      this.base = `http://${this.host}`;
      try {
        const res = await this.send('GET', `${this.base}/v2/`, {}, undefined, what);
        if (res.status === 200 || res.status === 401 || res.status === 404) {
          if (res.status === 401) this.auth.setChallenge(res.headers['www-authenticate']);
          return;
        }
      } catch (e) {
        // Nothing listening answers HTTPS either; anything else may be a TLS server.
        if (hasCode(e, 'CONNECTION_REFUSED') || hasCode(e, 'NAME_NOT_RESOLVED')) {
          this.base = `https://${this.host}`;
          await withRetry(tryPing);
          return;
        }
      }
      this.debug(`${this.host}: plain HTTP did not answer as a registry; trying HTTPS`);
      this.base = `https://${this.host}`;
    }
    await withRetry(async () => {
      try {
        await tryPing();
      } catch (e) {
        // (A proxy that dropped the connection is no sign of a plain-HTTP registry behind it.)
        if (this.base.startsWith('https:') && this.mayUseHttp() && notTls(e) && !hasCode(e, 'PROXY_UNREACHABLE')) {
          this.debug(`${this.host}: HTTPS failed (${(e as Error).message}); using plain HTTP`);
          this.base = `http://${this.host}`;
          return tryPing();
        }
        throw e;
      }
    });
  }

  /** ` via PROXY` for the debug log (the proxy's password replaced). */
  private via(url: string): string {
    try {
      const p = this.connections.proxyFor(new URL(url));
      return p ? ` via ${p.shown}` : '';
    } catch {
      return ''; // a bad proxy variable: the request itself says so
    }
  }

  /**
   * One HTTP exchange; a failure below HTTP becomes a NetworkError saying `what` failed. `secret`: the
   * body holds a credential (it must not cross a proxy in plain HTTP, as Authorization must not).
   */
  private async send(method: string, url: string, headers: Record<string, string>, body: Buffer | Readable | undefined, what: string, secret = false): Promise<Response> {
    if (this.opts.debug) this.debug(`> ${method} ${url}${this.via(url)} ${JSON.stringify(redact(headers))}`);
    try {
      const res = await this.connections.request(url, { method: method as Dispatcher.HttpMethod, headers, body, what, secret });
      const text = method === 'HEAD' ? (await res.body.dump(), '') : await res.body.text();
      this.debug(`< ${res.statusCode} ${method} ${url}${res.headers.location ? ` location=${String(res.headers.location)}` : ''}`);
      return { status: res.statusCode, headers: res.headers as Headers, text, url };
    } catch (e) {
      throw networkError(e, what, new URL(url).host) ?? e;
    }
  }

  private tokenFetch(url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<{ status: number; text: string }> {
    const what = `getting a token from ${new URL(url).host}`;
    return withRetry(async () => {
      // A body here is the refresh-token grant: a credential.
      const res = await this.send(init.method, url, init.headers, init.body !== undefined ? Buffer.from(init.body) : undefined, what, init.body !== undefined);
      if (RETRYABLE_STATUS.has(res.status)) throw new TransientError(`${what}: the token server answered ${res.status}`, parseRetryAfter(res.headers['retry-after']));
      return { status: res.status, text: res.text };
    });
  }

  resolve(url: string): string {
    return new URL(url, this.base + '/').toString();
  }

  /** Credentials go only to the registry's own origin (not to a redirect target or another host). */
  private sameOrigin(url: string): boolean {
    return new URL(url).origin === new URL(this.base).origin;
  }

  /**
   * One request with auth. 401 → new token and again (when the body can be re-sent); 408/429/5xx
   * and socket errors → TransientError (retried here for replayable bodies, by the caller for streams).
   * GET/HEAD follow redirects, dropping Authorization for other hosts.
   */
  async request(o: RequestOptions): Promise<Response> {
    const replayable = !o.body || Buffer.isBuffer(o.body);
    const once = async (): Promise<Response> => {
      let url = this.resolve(o.url);
      for (let authTries = 0, redirects = 0; ; ) {
        const headers: Record<string, string> = { ...o.headers };
        const auth = this.sameOrigin(url) ? await this.auth.header(o.scopes) : undefined;
        if (auth) headers.authorization = auth;
        const res = await this.send(o.method, url, headers, o.body, o.what);
        if (res.status === 401 && this.sameOrigin(url)) {
          const again = this.auth.unauthorized(res.headers['www-authenticate'], !!auth);
          if (again && authTries++ < 2) {
            if (replayable) continue;
            // The stream is spent; the caller reopens the layer and gets the new token.
            throw new TransientError(`${o.what}: authorization expired mid-request`, undefined, 'AUTH_EXPIRED');
          }
          throw this.error(
            o.what,
            res,
            this.opts.credential
              ? `check the credentials from ${this.opts.credential.source} and that they may push to this repository`
              : `no credentials found for ${this.opts.ref.registry}: use --creds USER:PASSWORD, --creds-file, --registry-token, --authfile or \`podman login\``,
          );
        }
        if ((o.method === 'GET' || o.method === 'HEAD') && res.status >= 300 && res.status < 400 && res.headers.location && redirects++ < 5) {
          url = new URL(header1(res.headers, 'location')!, url).toString();
          continue;
        }
        if (RETRYABLE_STATUS.has(res.status)) {
          throw new TransientError(`${o.what}: registry answered ${res.status}${summary(res)}`, parseRetryAfter(res.headers['retry-after']));
        }
        return res;
      }
    };
    return replayable && !o.noRetry ? withRetry(once) : once();
  }

  error(what: string, res: Response, hint?: string): RegistryError {
    let errors = parseErrorBody(res.text);
    // HEAD replies have no body: name the status the way the registry would.
    if (!errors.length && res.status === 401) errors = [{ code: 'UNAUTHORIZED', message: 'authentication required' }];
    if (!errors.length && res.status === 403) errors = [{ code: 'DENIED', message: 'requested access to the resource is denied' }];
    return new RegistryError(what, res.status, errors, res.text.replace(/\s+/g, ' ').trim(), hint);
  }

  close(): Promise<void> {
    return this.connections.close();
  }
}

function summary(res: Response): string {
  const errs = parseErrorBody(res.text);
  return errs.length ? ` (${errs.map((e) => `${e.code}${e.message ? ': ' + e.message : ''}`).join('; ')})` : '';
}

export { header1 };
