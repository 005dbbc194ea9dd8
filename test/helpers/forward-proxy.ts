// A forward proxy of the suite's own, as corporate proxies are: CONNECT tunnels (for HTTPS) and
// absolute-form requests (for plain HTTP), optional Basic Proxy-Authorization, and a host map that
// plays its DNS (`registry.test` → 127.0.0.1), so a registry under such a name is reachable only
// through it. It records what it could read: the CONNECT targets, every non-CONNECT request as
// received (request line, raw headers, body), and the bytes clients sent inside the tunnels.
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, isIP, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';

export interface ForwardProxyOptions {
  /** Host names the proxy resolves itself (name → address). Other names get 502; IP literals are reached as they are. */
  hosts?: Record<string, string>;
  /** Proxy-Authorization: Basic user:password required, else 407. */
  auth?: { user: string; password: string };
  /** A status to answer a CONNECT with instead of tunnelling (403, 502, …); undefined tunnels. */
  refuse?: (target: string) => number | undefined;
  /** Serve the proxy itself over TLS (an https:// proxy URL). */
  tls?: { cert: string; key: string };
}

export interface ForwardRequest {
  method: string;
  url: string;
  /** Request line, headers as received and body: what the proxy could read. */
  raw: Buffer;
}

export interface ForwardProxy {
  /** http://127.0.0.1:PORT (https:// with tls), without credentials. */
  url: string;
  /** The proxy URL with `user:password@` when auth is on (what a user would put in HTTPS_PROXY). */
  urlWithAuth: string;
  port: number;
  /** CONNECT targets, in order, including refused ones. */
  connects: string[];
  /** Non-CONNECT (absolute-form) requests. */
  requests: ForwardRequest[];
  /** 407 answers given. */
  authFailures: number;
  /** Everything a client sent that the proxy could read: request heads and bodies, and tunnel bytes. */
  seenBytes(): Buffer;
  reset(): void;
  stop(): Promise<void>;
}

export async function startForwardProxy(o: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const connects: string[] = [];
  const requests: ForwardRequest[] = [];
  const tunnelled: Buffer[] = [];
  let authFailures = 0;
  const sockets = new Set<Duplex>();

  const expected = o.auth ? 'Basic ' + Buffer.from(`${o.auth.user}:${o.auth.password}`).toString('base64') : undefined;
  const authorized = (req: IncomingMessage) => !expected || req.headers['proxy-authorization'] === expected;
  const resolve = (host: string): string | undefined => {
    const h = host.replace(/^\[|\]$/g, '').toLowerCase();
    return o.hosts?.[h] ?? (isIP(h) ? h : undefined);
  };
  const splitTarget = (target: string): { host: string; port: number } => {
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
    return m ? { host: m[1], port: Number(m[2]) } : { host: target, port: 443 };
  };

  const onConnect = (req: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const target = req.url ?? '';
    connects.push(target);
    const answer = (status: number, text: string, extra = '') => client.end(`HTTP/1.1 ${status} ${text}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    if (!authorized(req)) {
      authFailures++;
      return answer(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="longshore-test-proxy"\r\n');
    }
    const refused = o.refuse?.(target);
    if (refused) return answer(refused, 'Refused by the test proxy');
    const { host, port } = splitTarget(target);
    const address = resolve(host);
    if (!address) return answer(502, 'Bad Gateway (name not known to the test proxy)');
    const up: Socket = connect(port, address);
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.once('error', () => (client.writable ? answer(502, 'Bad Gateway') : client.destroy()));
    up.once('connect', () => {
      up.removeAllListeners('error');
      up.on('error', () => client.destroy());
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) {
        tunnelled.push(Buffer.from(head));
        up.write(head);
      }
      client.on('data', (c: Buffer) => tunnelled.push(Buffer.from(c)));
      client.pipe(up);
      up.pipe(client);
      client.on('close', () => up.destroy());
      up.on('close', () => client.destroy());
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const head = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) head.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    const entry: ForwardRequest = { method: req.method ?? '', url: req.url ?? '', raw: Buffer.from(head.join('\r\n') + '\r\n\r\n') };
    requests.push(entry);
    req.on('data', (c: Buffer) => (entry.raw = Buffer.concat([entry.raw, c])));
    if (!authorized(req)) {
      authFailures++;
      req.resume();
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="longshore-test-proxy"', 'content-length': '0' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      req.resume();
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const address = resolve(target.hostname);
    if (!address || target.protocol !== 'http:') {
      req.resume();
      res.writeHead(502).end('name not known to the test proxy');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = httpRequest({ host: address, port: Number(target.port || 80), method: req.method, path: target.pathname + target.search, headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end('upstream failed')));
    req.pipe(up);
  };

  const server: Server = o.tls ? createHttpsServer({ cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) }) : createHttpServer();
  server.on('request', onRequest);
  server.on('connect', onConnect);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const scheme = o.tls ? 'https' : 'http';
  const creds = o.auth ? `${encodeURIComponent(o.auth.user)}:${encodeURIComponent(o.auth.password)}@` : '';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    urlWithAuth: `${scheme}://${creds}127.0.0.1:${port}`,
    port,
    connects,
    requests,
    get authFailures() {
      return authFailures;
    },
    seenBytes: () => Buffer.concat([...requests.map((r) => r.raw), ...tunnelled]),
    reset() {
      connects.length = 0;
      requests.length = 0;
      tunnelled.length = 0;
      authFailures = 0;
    },
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
