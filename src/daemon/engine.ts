// A small HTTP client for the Docker Engine API and Podman's API (both over a unix socket), with
// errors that say which socket was tried and what to do about it.
import { Agent, request, errors as undiciErrors } from '../util/http.js';
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
  throw new UserError(`unsupported daemon address ${JSON.stringify(value)}: expected unix:///path/to/socket or tcp://host:port`, hint);
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & { text(): Promise<string>; json(): Promise<unknown>; dump(): Promise<void> };
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: Readable | Buffer | string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const connectCode = (e: unknown): string | undefined => {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.cause?.code ?? err?.code;
};

export class EngineClient {
  private readonly agent: Agent;
  private readonly debug = debugEnabled();
  constructor(readonly endpoint: Endpoint, readonly product: string) {
    // The daemon answers a load only after consuming the whole archive: no timeouts.
    this.agent = new Agent({
      connect: endpoint.socketPath ? { socketPath: endpoint.socketPath } : {},
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }

  /** Turns socket-level failures into messages naming the socket. */
  explain(e: unknown): Error {
    if (e instanceof UserError) return e;
    const code = connectCode(e);
    const where = this.endpoint.display;
    if (code === 'ENOENT' || code === 'ECONNREFUSED')
      return new UserError(`cannot connect to ${this.product} at ${where}: ${code === 'ENOENT' ? 'no socket there' : 'connection refused'} (is it running?)`, this.endpoint.hint);
    if (code === 'EACCES' || code === 'EPERM')
      return new UserError(
        `permission denied connecting to ${this.product} at ${where}`,
        `run as a user allowed to use that socket (e.g. in the "docker" group), or ${this.endpoint.hint}`,
      );
    if (e instanceof undiciErrors.SocketError || code === 'ECONNRESET' || code === 'EPIPE')
      return new UserError(`${this.product} at ${where} closed the connection: ${(e as Error).message}`);
    return e as Error;
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const url = `${this.endpoint.origin}${path}${qs.size ? '?' + qs.toString() : ''}`;
    try {
      const r = await request(url, {
        method: method as 'GET',
        dispatcher: this.agent,
        headers: opts.headers,
        body: opts.body,
        signal: opts.signal,
      });
      if (this.debug) debugLog(`${this.product}: ${method} ${path}${qs.size ? '?' + qs.toString() : ''} → ${r.statusCode}`);
      return { status: r.statusCode, headers: r.headers, body: r.body as unknown as Response['body'] };
    } catch (e) {
      throw this.explain(e);
    }
  }

  /** GET/POST returning parsed JSON; a non-2xx status is an error carrying the daemon's message. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const r = await this.request(method, path, opts);
    const text = await r.body.text();
    if (r.status < 200 || r.status >= 300) throw new DaemonHttpError(this.product, method, path, r.status, daemonMessage(text));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A request whose reply body is not needed beyond the error message on a non-2xx status. */
  async ok(method: string, path: string, opts: RequestOptions = {}): Promise<void> {
    const r = await this.request(method, path, opts);
    const text = await r.body.text();
    if (r.status < 200 || r.status >= 300) throw new DaemonHttpError(this.product, method, path, r.status, daemonMessage(text));
  }

  /** A request whose reply body is not needed; returns the status. */
  async status(method: string, path: string, opts: RequestOptions = {}): Promise<number> {
    const r = await this.request(method, path, opts);
    await r.body.dump();
    return r.status;
  }
}

export class DaemonHttpError extends UserError {
  constructor(readonly product: string, method: string, path: string, readonly statusCode: number, readonly daemonText: string) {
    super(`${product}: ${method} ${path.replace(/\?.*/, '')} failed (HTTP ${statusCode}): ${daemonText}`);
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
  for await (const chunk of body) {
    rest += chunk.toString();
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      take(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  }
  take(rest);
  if (failure !== undefined) throw new UserError(`${product} refused the image: ${failure}`);
  return { lines };
}
