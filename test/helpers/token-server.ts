// A token server following the distribution token spec: GET ?service=&scope=, Basic credentials,
// RS256 JWTs whose x5c header carries the signing certificate (the registry's rootcertbundle).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { makeSigningCert } from './registry-tls.js';

export interface TokenServerOptions {
  service: string;
  issuer: string;
  /** user → password; absent means anonymous requests only. */
  users?: Record<string, string>;
  /** Actions granted for a (user or undefined, repository, wanted actions). Default: users get all, anonymous gets pull. */
  grant?: (user: string | undefined, repo: string, wanted: string[]) => string[];
  /** Token lifetime in seconds (default 300). */
  ttl?: number;
  /** expires_in to announce instead of ttl: a larger value makes tokens expire at the registry unannounced. */
  announce?: number;
  /** Serve HTTPS with this certificate (the realm is then https://). */
  tls?: { cert: string; key: string };
  /** The host name in the realm URL instead of 127.0.0.1 (e.g. one only a proxy resolves); the port stays. */
  realmHost?: string;
}

// distribution accepts tokens up to 60 s after exp (its Leeway); exp is moved back by as much so a
// short ttl really expires at the registry after ttl seconds.
const REGISTRY_LEEWAY_S = 60;

export interface TokenServer {
  realm: string;
  rootcertbundle: string;
  /** Token requests seen: user (or "anonymous") and scopes. */
  requests: { user: string; scopes: string[] }[];
  setTtl(s: number): void;
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTokenServer(o: TokenServerOptions): Promise<TokenServer> {
  const pki = makeSigningCert();
  const key = createPrivateKey(readFileSync(pki.key));
  const certDer = new X509Certificate(readFileSync(pki.cert)).raw;
  let ttl = o.ttl ?? 300;
  const requests: TokenServer['requests'] = [];
  const grant = o.grant ?? ((user, _repo, wanted) => (user ? wanted : wanted.filter((a) => a === 'pull')));

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (!o.users || o.users[u] !== p.join(':')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      user = u;
    }
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    requests.push({ user: user ?? 'anonymous', scopes });
    const access = scopes
      .map((s) => {
        const [type, ...rest] = s.split(':');
        const actions = rest.pop()!.split(',');
        const name = rest.join(':');
        return { type, name, actions: type === 'repository' ? grant(user, name, actions) : [] };
      })
      .filter((a) => a.actions.length > 0);
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: o.issuer,
      sub: user ?? '',
      aud: o.service,
      exp: now + ttl - REGISTRY_LEEWAY_S,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: o.announce ?? ttl, issued_at: new Date().toISOString() }));
  };
  const server = o.tls ? createHttpsServer({ cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) }, handler) : createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    realm: `${o.tls ? 'https' : 'http'}://${o.realmHost ?? '127.0.0.1'}:${port}/token`,
    rootcertbundle: pki.cert,
    requests,
    setTtl: (s) => (ttl = s),
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
