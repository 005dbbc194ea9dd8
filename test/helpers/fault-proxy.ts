// An HTTP proxy in front of the real registry (or a daemon's socket) that injects faults: connection
// resets mid-body, 500/503, 429 with Retry-After, and real registries' quirks (a status rewritten
// on the way back, a body swallowed). The Host header passes through, so the registry's Locations
// point here.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

export type Fault =
  | { kind: 'reset'; afterBytes: number }
  /** Answers with this status, after the request body (or at once, as a server refusing a path does). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string; immediate?: boolean }
  /** Forwards after a pause (slow registry, lets tokens expire mid-push). */
  | { kind: 'delay'; ms: number }
  /** Forwards the request (so it takes effect) but answers with this instead of the registry's reply. */
  | { kind: 'after'; status: number; body?: string }
  /** Forwards the request and the registry's reply, with its status changed (ECR's 201 to a PATCH). */
  | { kind: 'rewrite'; status: number }
  /** Reads the body, forwards nothing, answers with this status and headers (a body dropped). */
  | { kind: 'swallow'; status: number; headers?: Record<string, string> };

export interface SeenRequest {
  method: string;
  url: string;
  n: number;
  headers: Record<string, string | string[] | undefined>;
  /** Request body bytes the proxy read. */
  bytes: number;
  fault?: Fault['kind'] | number;
}

export interface FaultProxy {
  host: string;
  seen: SeenRequest[];
  setRule(rule: (r: SeenRequest) => Fault | undefined): void;
  stop(): Promise<void>;
}

/** target: the registry's port on 127.0.0.1, or a daemon's unix socket. */
export async function startFaultProxy(target: number | { socketPath: string }): Promise<FaultProxy> {
  const upstream = typeof target === 'number' ? { host: '127.0.0.1', port: target } : target;
  let rule: (r: SeenRequest) => Fault | undefined = () => undefined;
  const seen: SeenRequest[] = [];
  let n = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const entry: SeenRequest = { method: req.method ?? '', url: req.url ?? '', n: n++, headers: req.headers, bytes: 0 };
    seen.push(entry);
    req.on('data', (c: Buffer) => (entry.bytes += c.length));
    const fault = rule(entry);
    if (fault?.kind === 'swallow') {
      entry.fault = 'swallow';
      req.resume();
      req.on('end', () => res.writeHead(fault.status, { 'content-length': '0', ...fault.headers }).end());
      return;
    }
    if (fault?.kind === 'status') {
      entry.fault = fault.status;
      req.resume();
      const answer = () => {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected fault' }] }));
      };
      if (fault.immediate) answer();
      else req.on('end', answer);
      return;
    }
    if (fault?.kind === 'delay') {
      entry.fault = 'delay';
      req.pause();
      setTimeout(() => forward(req, res, undefined, entry), fault.ms);
      return;
    }
    forward(req, res, fault, entry);
  };
  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined, entry: SeenRequest) => {
    const up = httpRequest({ ...upstream, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      if (fault?.kind === 'rewrite') {
        entry.fault = fault.status;
        res.writeHead(fault.status, ur.headers);
        ur.pipe(res);
        return;
      }
      if (fault?.kind === 'after') {
        entry.fault = fault.status;
        ur.resume();
        ur.on('end', () => res.writeHead(fault.status, { 'content-type': 'application/json' }).end(fault.body ?? ''));
        return;
      }
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    if (fault?.kind === 'reset') {
      let got = 0;
      req.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got < fault.afterBytes) up.write(chunk);
        else if (!entry.fault) {
          entry.fault = 'reset'; // only counted when it really happened mid-body
          up.destroy();
          req.socket.destroy(); // the client sees ECONNRESET/EPIPE mid-body
        }
      });
      req.on('end', () => up.end());
      return;
    }
    req.pipe(up);
    req.resume();
  };
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    setRule: (r) => (rule = r),
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
