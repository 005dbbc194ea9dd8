// A small HTTP client for the Docker Engine API and Podman's API (both over a unix socket), with
// errors that say which socket was tried and what to do about it.
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions as HttpOptions } from 'node:http';
import type { Readable } from 'node:stream';
import { UserError } from '../util/errors.js';
import { debugEnabled, debugLog } from '../util/debug.js';

export interface Endpoint {
  /** unix socket path, or undefined for tcp */
  socketPath?: string;
  /** http origin requests go to ("http://localhost" for sockets) */
  origin: string;
  /** What a user would recognise, e.g. "unix:///var/run/docker.sock". */
  display: string;
  /** How to point longshore elsewhere, for error hints. */
  hint: string;
}

/** Parses DOCKER_HOST / CONTAINER_HOST style values: unix:///path, /path, tcp://host:port. */
export function parseHost(value: string, hint: string): Endpoint {
  if (value.startsWith('unix://')) return { socketPath: value.slice(7), origin: 'http://localhost', display: value, hint };
  if (value.startsWith('/')) return { socketPath: value, origin: 'http://localhost', display: `unix://${value}`, hint };
  const m = /^(?:tcp|http):\/\/([^/]+)\/?$/.exec(value);
  if (m) return { origin: `http://${m[1]}`, display: value, hint };
  throw new UserError('INVALID_REFERENCE', `unsupported daemon address ${JSON.stringify(value)}: expected unix:///path/to/socket or tcp://host:port`, hint);
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  text(): Promise<string>;
  /** Reads and discards the body. */
  dump(): Promise<void>;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: Readable | Buffer | string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function wrap(res: IncomingMessage, explain: (e: unknown) => Error): Response {
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: res,
    text: async () => {
      const chunks: Buffer[] = [];
      try {
        for await (const c of res) chunks.push(c as Buffer);
      } catch (e) {
        throw explain(e);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    dump: async () => {
      try {
        for await (const _ of res) void _;
      } catch (e) {
        throw explain(e);
      }
    },
  };
}

/**
 * node:http rather than undici, which the registry client uses: these are short requests on a
 * local socket, and loading undici took ~12 ms of a ~180 ms reload into dockerd.
 */
export class EngineClient {
  // Keep-alive: ping, inspect and load share one connection where they can.
  private readonly agent = new Agent({ keepAlive: true });
  private readonly debug = debugEnabled();
  private readonly host: { hostname?: string; port?: string };
  constructor(readonly endpoint: Endpoint, readonly product: string) {
    const u = new URL(endpoint.origin);
    this.host = endpoint.socketPath ? {} : { hostname: u.hostname, port: u.port };
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  /** A LONGSHORE_DEBUG line about this daemon. */
  note(msg: string): void {
    if (this.debug) debugLog(`${this.product}: ${msg}`);
  }

  /** Turns socket-level failures into messages naming the socket. */
  explain(e: unknown): Error {
    if (e instanceof UserError) return e;
    const code = (e as NodeJS.ErrnoException)?.code;
    const where = this.endpoint.display;
    if (code === 'ENOENT' || code === 'ECONNREFUSED')
      return new UserError('DAEMON_UNREACHABLE', `cannot connect to ${this.product} at ${where}: ${code === 'ENOENT' ? 'no socket there' : 'connection refused'} (is it running?)`, this.endpoint.hint);
    if (code === 'EACCES' || code === 'EPERM')
      return new UserError(
        'PERMISSION_DENIED',
        `permission denied connecting to ${this.product} at ${where}`,
        `run as a user allowed to use that socket (e.g. in the "docker" group), or ${this.endpoint.hint}`,
      );
    if (code === 'ECONNRESET' || code === 'EPIPE') return new UserError('DAEMON_CONNECTION_LOST', `${this.product} at ${where} closed the connection: ${(e as Error).message}`);
    return e as Error;
  }

  /** Resolves once the reply's headers arrive; no timeouts (a load is answered only after the whole archive). */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const target = `${path}${qs.size ? '?' + qs.toString() : ''}`;
    return new Promise((resolve, reject) => {
      const options: HttpOptions & { servername: string } = {
        ...this.host,
        socketPath: this.endpoint.socketPath,
        agent: this.agent,
        method,
        path: target,
        headers: opts.headers,
        signal: opts.signal,
        // Node's agent would work out a TLS server name for this plain connection, running its IPv6
        // address regex on every request: ~5 ms on the first, ~1.5 ms on each after.
        servername: '',
      };
      const req = httpRequest(options);
      // Kept for the request's life: a write error after the reply must not go unhandled.
      req.on('error', (e) => reject(this.explain(e)));
      req.once('response', (res) => {
        this.note(`${method} ${target} → ${res.statusCode}`);
        resolve(wrap(res, (e) => this.explain(e)));
      });
      const body = opts.body;
      if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
      else {
        body.once('error', (e) => req.destroy(e));
        body.pipe(req);
      }
    });
  }

  /** GET/POST returning parsed JSON; a non-2xx status is an error carrying the daemon's message. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const r = await this.request(method, path, opts);
    const text = await r.text();
    if (r.status < 200 || r.status >= 300) throw new DaemonHttpError(this.product, method, path, r.status, daemonMessage(text));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A request whose reply body is not needed beyond the error message on a non-2xx status. */
  async ok(method: string, path: string, opts: RequestOptions = {}): Promise<void> {
    const r = await this.request(method, path, opts);
    const text = await r.text();
    if (r.status < 200 || r.status >= 300) throw new DaemonHttpError(this.product, method, path, r.status, daemonMessage(text));
  }

  /** A request whose reply body is not needed; returns the status. */
  async status(method: string, path: string, opts: RequestOptions = {}): Promise<number> {
    const r = await this.request(method, path, opts);
    await r.dump();
    return r.status;
  }
}

export class DaemonHttpError extends UserError {
  constructor(readonly product: string, method: string, path: string, readonly statusCode: number, readonly daemonText: string) {
    super('DAEMON_HTTP', `${product}: ${method} ${path.replace(/\?.*/, '')} failed (HTTP ${statusCode}): ${daemonText}`);
  }
}

/** Docker and Podman put the reason in {"message": …}; fall back to the raw text. */
export function daemonMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: string; cause?: string };
    if (j.message) return j.message;
  } catch {
    // not JSON
  }
  return text.trim() || '(empty reply)';
}

export interface NdjsonResult {
  /** "stream"/"status" texts, in order. */
  lines: string[];
}

/**
 * Reads Docker's NDJSON progress reply. It arrives with HTTP 200 even when the load failed, so any
 * line with errorDetail (or error) is the failure.
 */
export async function readNdjson(body: AsyncIterable<Buffer | string>, product: string): Promise<NdjsonResult> {
  const lines: string[] = [];
  let rest = '';
  let failure: string | undefined;
  const take = (line: string): void => {
    if (!line.trim()) return;
    let j: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } };
    try {
      j = JSON.parse(line);
    } catch {
      failure ??= `unexpected reply line from ${product}: ${line.slice(0, 200)}`;
      return;
    }
    if (j.errorDetail || j.error) failure ??= j.errorDetail?.message ?? j.error ?? 'unknown error';
    const text = j.stream ?? j.status;
    if (text) lines.push(text.trim());
  };
  // A character's bytes may arrive in two chunks: decode as a stream.
  const utf8 = new TextDecoder();
  for await (const chunk of body) {
    rest += typeof chunk === 'string' ? chunk : utf8.decode(chunk, { stream: true });
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      take(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  }
  take(rest + utf8.decode());
  if (failure !== undefined) throw new UserError('DAEMON_REFUSED', `${product} refused the image: ${failure}`);
  return { lines };
}
