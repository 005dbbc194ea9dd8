// The TLS side of registry connections: --ca-cert, --tls-verify=false and the deferred
// NODE_EXTRA_CA_CERTS, for direct connections and inside a proxy's tunnel (src/registry/proxy.ts).
// Each trust store is built once per process, on the first TLS connection that needs it: parsing a
// CA bundle costs tens of milliseconds, and a push to a plain-HTTP local registry should not pay for it.
import { readFileSync } from 'node:fs';
import type { SecureContext } from 'node:tls';
import { buildConnector } from 'undici';
import { UserError } from '../util/errors.js';

export type Connector = buildConnector.connector;

/** Hosts where plain HTTP is the convention (loopback). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export interface TlsOptions {
  /** PEM file whose certificates replace the default trust store (as Node's `ca` option does). */
  caCert?: string;
  /** false: accept any certificate. */
  tlsVerify?: boolean;
}

// Promises, so that connections opened together share one store (and one warning).
const contexts = new Map<string, Promise<SecureContext | undefined>>();

function readCaCert(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError('CA_CERT', `--ca-cert ${file}: cannot read (${(e as NodeJS.ErrnoException).code})`);
  }
}

/** A trust store of `caPem` alone (--ca-cert); undefined for Node's default one (its roots, and NODE_EXTRA_CA_CERTS). */
function secureContext(caPem: string | undefined): Promise<SecureContext | undefined> {
  if (caPem === undefined) return Promise.resolve(undefined);
  let ctx = contexts.get(caPem);
  if (!ctx) {
    ctx = import('node:tls').then((tls) => tls.createSecureContext({ ca: [caPem] }));
    contexts.set(caPem, ctx);
  }
  return ctx;
}

/** TLS options as undici's connectors take them (and so tls.connect). */
export type TlsConnectOptions = buildConnector.BuildOptions;

/** The TLS settings of one registry client, for direct connections and for tunnels through a proxy. */
export interface RegistryTls {
  /** Direct sockets: plain as usual, TLS with the registry's trust store. */
  connector: Connector;
  /** The registry's TLS options (trust store, --tls-verify=false), for the TLS session inside a proxy's tunnel. */
  options(): Promise<TlsConnectOptions>;
}

/** The registry TLS of one client. A bad --ca-cert fails here, before anything is sent. */
export function registryTls(o: TlsOptions): RegistryTls {
  const caPem = o.caCert ? readCaCert(o.caCert) : undefined;
  const base: TlsConnectOptions = o.tlsVerify === false ? { rejectUnauthorized: false } : {};
  let plain: Connector | undefined;
  let options: Promise<TlsConnectOptions> | undefined;
  let secure: Promise<Connector> | undefined;
  const tlsOptions = () => (options ??= secureContext(caPem).then((ctx) => (ctx ? { ...base, secureContext: ctx } : base)));
  const connector: Connector = (opts, callback) => {
    if (opts.protocol !== 'https:') return (plain ??= buildConnector(base))(opts, callback);
    secure ??= tlsOptions().then((t) => buildConnector(t));
    secure.then(
      (connect) => connect(opts, callback),
      (e: Error) => callback(e, null),
    );
  };
  return { connector, options: tlsOptions };
}
