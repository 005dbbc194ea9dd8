// Registry traffic through HTTP proxies: which proxy a URL goes through (HTTPS_PROXY, HTTP_PROXY,
// NO_PROXY, the lowercase spelling first, as curl reads them), the undici dispatchers that reach the
// registry through it (a CONNECT tunnel for HTTPS, an absolute-form request for plain HTTP), and what
// the proxy's failures mean. The rules and the reasons for them: docs/registry.md, "Proxies".
//
// With no proxy variable set, proxySettings() is undefined and every request takes the direct
// Agent, as it did before proxies were supported.
import { BlockList, isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, Pool, ProxyAgent, request, type Dispatcher } from 'undici';
import { UserError } from '../util/errors.js';
import { NetworkError, networkKind, tlsFailure } from './network.js';
import { isLoopback, type RegistryTls } from './tls.js';

export interface ProxyVariable {
  /** The variable's name as set: `https_proxy` or `HTTPS_PROXY`. */
  name: string;
  value: string;
}

export type NoProxyEntry =
  | { kind: 'all' }
  | { kind: 'name'; name: string; subdomainsOnly: boolean; port?: number }
  | { kind: 'ip'; list: BlockList; port?: number };

export interface ProxySettings {
  https?: ProxyVariable;
  http?: ProxyVariable;
  noProxy: NoProxyEntry[];
  /** LONGSHORE_PROXY_LOOPBACK: loopback registries go through the proxy too. */
  loopback: boolean;
}

/** `name`, else `NAME`: the lowercase spelling wins, as in curl; an empty value counts as unset (curl, Go). */
function variable(env: NodeJS.ProcessEnv, name: string): ProxyVariable | undefined {
  for (const n of [name, name.toUpperCase()]) {
    const value = env[n];
    if (value) return { name: n, value };
  }
  return undefined;
}

/** The proxy variables, or undefined when neither proxy variable is set (then nothing else is looked at). */
export function proxySettings(env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  const https = variable(env, 'https_proxy');
  const http = variable(env, 'http_proxy');
  if (!https && !http) return undefined;
  const loopback = env.LONGSHORE_PROXY_LOOPBACK;
  return { https, http, noProxy: parseNoProxy(variable(env, 'no_proxy')?.value ?? ''), loopback: !!loopback && loopback !== '0' };
}

const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/**
 * NO_PROXY: entries separated by commas or white space, case-insensitive. `*` alone: every host.
 * `example.com` and `.example.com`: that name and every name under it; `*.example.com`: only the
 * names under it. An IPv4 or IPv6 address (`[::1]` or `::1`), or a CIDR range (`10.0.0.0/8`,
 * `fd00::/8`): hosts written as such an address (no DNS lookups). `HOST:PORT` and `[IPv6]:PORT`:
 * only that port. Anything else is ignored, as curl and Go ignore what they cannot parse.
 */
export function parseNoProxy(value: string): NoProxyEntry[] {
  const out: NoProxyEntry[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.toLowerCase();
    if (!entry) continue;
    if (entry === '*') {
      out.push({ kind: 'all' });
      continue;
    }
    const cidr = /^\[?([^\]/]+)\]?\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const bits = Number(cidr[2]);
      if (isIP(cidr[1]) && bits <= (isIP(cidr[1]) === 4 ? 32 : 128)) {
        const list = new BlockList();
        list.addSubnet(cidr[1], bits, family(cidr[1]));
        out.push({ kind: 'ip', list });
      }
      continue;
    }
    let host = entry;
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const withPort = /^([^:]+):(\d+)$/.exec(entry);
    if (bracketed) [host, port] = [bracketed[1], bracketed[2] ? Number(bracketed[2]) : undefined];
    else if (withPort) [host, port] = [withPort[1], Number(withPort[2])];
    if (isIP(host)) {
      const list = new BlockList();
      list.addAddress(host, family(host));
      out.push({ kind: 'ip', list, port });
      continue;
    }
    const name = host.replace(/^\*?\./, '').replace(/\.$/, '');
    if (!name || !/^[a-z0-9_.-]+$/.test(name)) continue;
    out.push({ kind: 'name', name, subdomainsOnly: host.startsWith('*.'), port });
  }
  return out;
}

/** Whether NO_PROXY sends `hostname` (as URL.hostname writes it) on `port` directly. */
export function noProxyMatches(entries: NoProxyEntry[], hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/(.)\.$/, '$1');
  const ip = isIP(host);
  for (const e of entries) {
    if (e.kind === 'all') return true;
    if (e.port !== undefined && e.port !== port) continue;
    if (e.kind === 'ip') {
      if (ip && e.list.check(host, family(host))) return true;
    } else if (!ip && ((!e.subdomainsOnly && host === e.name) || host.endsWith('.' + e.name))) return true;
  }
  return false;
}

/** A proxy to go through, parsed from its variable. */
export interface Proxy {
  /** scheme://host:port, without credentials. */
  origin: string;
  /** `Basic …` from the URL's USER:PASSWORD, sent to the proxy only, as Proxy-Authorization. */
  authorization?: string;
  /** For messages and the debug log: the URL with the password replaced, as Go's url.Redacted writes it. */
  shown: string;
  /** The variable it came from. */
  variable: string;
}

/** `http://[USER:PASSWORD@]HOST[:PORT]`, `https://…`, or `HOST[:PORT]` (http:// assumed, as curl and Go do). */
export function parseProxyUrl(v: ProxyVariable): Proxy {
  // The value is never repeated in a message: it may hold a password.
  const bad = () => new UserError('PROXY_CONFIG', `${v.name} is not a proxy URL`, `write it as http://[USER:PASSWORD@]HOST[:PORT], with special characters in USER and PASSWORD percent-encoded`);
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v.value) ? v.value : `http://${v.value}`);
  } catch {
    throw bad();
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UserError('PROXY_CONFIG', `${v.name}: ${u.protocol}// proxies are not supported`, 'use an HTTP proxy: http://[USER:PASSWORD@]HOST[:PORT] (or https:// for TLS to the proxy)');
  }
  if (!u.hostname) throw bad();
  let authorization: string | undefined;
  if (u.username || u.password) {
    try {
      authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
    } catch {
      throw bad();
    }
  }
  const user = u.username ? `${u.username}${u.password ? ':xxxxx' : ''}@` : '';
  return { origin: u.origin, authorization, shown: `${u.protocol}//${user}${u.host}`, variable: v.name };
}

/**
 * The proxy for `url`, or undefined to connect directly. In order: loopback hosts (127.0.0.0/8, ::1,
 * localhost) are reached directly unless LONGSHORE_PROXY_LOOPBACK is set; then NO_PROXY; then the
 * variable of the URL's scheme (HTTPS_PROXY for https:, HTTP_PROXY for http:; neither stands in for
 * the other, as in curl and Go).
 */
export function proxyFor(s: ProxySettings, url: URL): Proxy | undefined {
  const v = url.protocol === 'https:' ? s.https : url.protocol === 'http:' ? s.http : undefined;
  if (!v) return undefined;
  if (!s.loopback && isLoopback(url.host)) return undefined;
  if (noProxyMatches(s.noProxy, url.hostname, Number(url.port) || (url.protocol === 'https:' ? 443 : 80))) return undefined;
  return parseProxyUrl(v);
}

/** A CONNECT the proxy answered with another status than 200 (undici's own error says which only in words). */
export class ProxyStatusError extends Error {
  readonly code = 'LONGSHORE_PROXY_STATUS';
  constructor(readonly status: number) {
    super(`the proxy answered ${status}`);
    this.name = 'ProxyStatusError';
  }
}

/** A failure on the way to the proxy itself (connecting to it, TLS with it), before any tunnel existed. */
export class ProxyLegError extends Error {
  readonly code = 'LONGSHORE_PROXY_LEG';
  constructor(override readonly cause: unknown) {
    super(`connecting to the proxy failed`);
    this.name = 'ProxyLegError';
  }
}

/** The connection to the proxy under the tunnels: failures on it are marked as the proxy's, and a CONNECT not answered 200 carries its status. */
class ProxyLeg extends Pool {
  override connect(options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData>;
  override connect(options: Dispatcher.ConnectOptions, callback: (err: Error | null, data: Dispatcher.ConnectData) => void): void;
  override connect(options: Dispatcher.ConnectOptions, callback?: (err: Error | null, data: Dispatcher.ConnectData) => void): Promise<Dispatcher.ConnectData> | void {
    if (callback) return super.connect(options, callback);
    return super.connect(options).then(
      (data) => {
        if (data.statusCode === 200) return data;
        data.socket.destroy();
        throw new ProxyStatusError(data.statusCode);
      },
      (e: unknown) => {
        throw new ProxyLegError(e);
      },
    );
  }
}

function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let cur = e, d = 0; cur && d < 6; d++, cur = (cur as { cause?: unknown }).cause) out.push(cur);
  return out;
}

/**
 * A failure of a request sent through `proxy` that is the proxy's, as a one-line error naming the
 * proxy (never its password) and what was being done; undefined for anything else (the registry's
 * own failures inside the tunnel, which network.ts names as usual). `forward`: a plain-HTTP request
 * sent to the proxy itself, where a failure to connect can only be the proxy's.
 */
export function proxyError(e: unknown, what: string, proxy: Proxy, url: URL, forward: boolean): NetworkError | undefined {
  if (e instanceof NetworkError) return e;
  const via = `the proxy ${proxy.shown} (${proxy.variable})`;
  const target = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  const direct = `list ${url.hostname} in NO_PROXY if it is reachable without the proxy`;
  const links = chain(e);
  const status = links.find((c): c is ProxyStatusError => c instanceof ProxyStatusError)?.status;
  if (status === 407) {
    return proxy.authorization
      ? new NetworkError('PROXY_AUTH', `${what}: ${via} refused its credentials (407 Proxy Authentication Required)`, 'never', `check the user and password in ${proxy.variable} (special characters percent-encoded)`, e)
      : new NetworkError('PROXY_AUTH', `${what}: ${via} asks for credentials (407 Proxy Authentication Required)`, 'never', `put them in ${proxy.variable}: http://USER:PASSWORD@HOST:PORT, special characters percent-encoded`, e);
  }
  if (status !== undefined) {
    return status >= 500
      ? new NetworkError('PROXY_REFUSED', `${what}: ${via} could not connect to ${target} (${status})`, 'quick', `check the registry's name and port: the proxy resolves ${url.hostname} and connects to it`, e)
      : new NetworkError('PROXY_REFUSED', `${what}: ${via} refused to connect to ${target} (${status})`, 'never', `the proxy does not allow ${target}: ask its administrators, or ${direct}`, e);
  }
  const leg = links.some((c) => c instanceof ProxyLegError);
  const known = networkKind(e);
  const connecting = known && (known.code === 'CONNECTION_REFUSED' || known.code === 'NAME_NOT_RESOLVED' || known.code === 'HOST_UNREACHABLE' || links.some((c) => (c as { code?: string }).code === 'UND_ERR_CONNECT_TIMEOUT'));
  const tls = tlsFailure(e);
  if (!leg && !(forward && (connecting || (tls && proxy.origin.startsWith('https:'))))) return undefined;
  const proxyHost = new URL(proxy.origin).host;
  if (tls) {
    return new NetworkError(
      'PROXY_UNREACHABLE',
      `${what}: TLS with ${via} failed: ${tls.text} (${tls.code})`,
      'never',
      "the proxy's certificate must be trusted by the system store or NODE_EXTRA_CA_CERTS (--ca-cert and --tls-verify=false are for the registry)",
      e,
    );
  }
  const hint = known?.code === 'NAME_NOT_RESOLVED' ? `check the proxy's host name in ${proxy.variable}` : `is a proxy listening at ${proxyHost}? check ${proxy.variable}, or ${direct}`;
  const root = links.at(-1) as { code?: string; message?: string } | undefined;
  const why = known?.text ?? root?.code ?? root?.message ?? 'it failed';
  return new NetworkError('PROXY_UNREACHABLE', `${what}: cannot reach ${via}: ${why}`, known?.retry ?? 'never', hint, e);
}

export interface ConnectionRequest {
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: Buffer | Readable;
  /** For messages: "uploading layer sha256:… to HOST/REPO". */
  what: string;
  /** The body carries a secret (an identity token's refresh grant). */
  secret?: boolean;
}

const hasAuthorization = (headers: Record<string, string>) => Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');

/**
 * The connections of one registry client (or reader): direct, through a CONNECT tunnel with the
 * registry's TLS inside it, or as plain-HTTP requests to the proxy. Proxy dispatchers are made on
 * first use.
 */
export class Connections {
  private readonly settings: ProxySettings | undefined;
  private direct: Agent | undefined;
  private readonly viaProxy = new Map<string, Promise<Dispatcher>>();

  constructor(
    private readonly tls: RegistryTls,
    private readonly agentOptions: Pool.Options,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.settings = proxySettings(env);
  }

  /** The proxy `url` goes through, or undefined when it is reached directly. A bad proxy URL throws PROXY_CONFIG. */
  proxyFor(url: URL): Proxy | undefined {
    return this.settings && proxyFor(this.settings, url);
  }

  /** One request; a failure that is the proxy's comes back as a NetworkError naming it, anything else as it was. */
  async request(url: string, r: ConnectionRequest): Promise<Dispatcher.ResponseData> {
    const u = new URL(url);
    const proxy = this.proxyFor(u);
    if (!proxy) {
      this.direct ??= new Agent({ ...this.agentOptions, connect: this.tls.connector });
      return request(url, { method: r.method, headers: r.headers, body: r.body, dispatcher: this.direct });
    }
    const tunnel = u.protocol === 'https:';
    if (!tunnel && (r.secret || hasAuthorization(r.headers))) {
      throw new UserError(
        'PROXY_PLAIN_HTTP',
        `${r.what}: not sending the credentials for ${u.host} through the proxy ${proxy.shown} (${proxy.variable}) in plain HTTP, where the proxy could read them`,
        `serve the registry over HTTPS, or list ${u.hostname} in NO_PROXY to reach it directly`,
      );
    }
    try {
      const dispatcher = await this.dispatcherFor(proxy, tunnel);
      if (tunnel) return await request(url, { method: r.method, headers: r.headers, body: r.body, dispatcher });
      // Plain HTTP: the request goes to the proxy in absolute form (RFC 9112 §3.2.2), as curl and Go send it.
      const headers = { ...r.headers, host: u.host, ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}) };
      const res = await dispatcher.request({ path: u.href, method: r.method, headers, body: r.body });
      if (res.statusCode === 407) {
        await res.body.dump();
        throw new ProxyStatusError(407);
      }
      return res;
    } catch (e) {
      throw proxyError(e, r.what, proxy, u, !tunnel) ?? e;
    }
  }

  private dispatcherFor(proxy: Proxy, tunnel: boolean): Promise<Dispatcher> {
    const key = `${tunnel ? 'tunnel' : 'forward'} ${proxy.origin} ${proxy.authorization ?? ''}`;
    let d = this.viaProxy.get(key);
    if (!d) {
      d = (async (): Promise<Dispatcher> => {
        // The proxy's own TLS, if any, uses Node's default store (with NODE_EXTRA_CA_CERTS).
        if (!tunnel) return new Pool(proxy.origin, this.agentOptions);
        // The registry's TLS settings (--ca-cert, --tls-verify=false, NODE_EXTRA_CA_CERTS) apply inside
        // the tunnel; the proxy's own TLS, if any, uses the default store.
        return new ProxyAgent({
          ...this.agentOptions,
          uri: proxy.origin,
          token: proxy.authorization,
          requestTls: await this.tls.options(),
          clientFactory: (origin, opts) => new ProxyLeg(origin, opts as Pool.Options),
        });
      })();
      this.viaProxy.set(key, d);
    }
    return d;
  }

  async close(): Promise<void> {
    const proxied = [...this.viaProxy.values()].map((d) => d.then((x) => x.close(), () => undefined));
    await Promise.all([this.direct?.close(), ...proxied]);
  }
}
