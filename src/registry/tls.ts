// The TLS side of registry connections: --ca-cert, --tls-verify=false and the deferred
// NODE_EXTRA_CA_CERTS. Each trust store is built once per process, on the first TLS connection
// that needs it: parsing a CA bundle costs tens of milliseconds, and a push to a plain-HTTP local
// registry should not pay for it.
import { readFileSync } from 'node:fs';
import type { SecureContext } from 'node:tls';
import { buildConnector } from 'undici';
import { UserError } from '../util/errors.js';
import { deferredExtraCaFile } from '../util/extra-ca.js';

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

/** Node's default store plus the deferred extra certificates; undefined when there are none. */
async function extraCaContext(): Promise<SecureContext | undefined> {
  const file = deferredExtraCaFile();
  if (!file) return undefined;
  const tls = await import('node:tls');
  try {
    return tls.createSecureContext({ ca: [...tls.rootCertificates, readFileSync(file, 'utf8')] });
  } catch (e) {
    // What Node itself does with a bad NODE_EXTRA_CA_CERTS: warn, and go on with the default store.
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    process.stderr.write(`longshore: warning: ignoring the certificates in NODE_EXTRA_CA_CERTS=${file}: ${why}\n`);
    return undefined;
  }
}

function secureContext(caPem: string | undefined): Promise<SecureContext | undefined> {
  const key = caPem ?? '';
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = caPem === undefined ? extraCaContext() : import('node:tls').then((tls) => tls.createSecureContext({ ca: [caPem] }));
    contexts.set(key, ctx);
  }
  return ctx;
}

/** An undici connector for one registry client: plain sockets as usual, TLS with the right store. */
export function registryConnector(o: TlsOptions): Connector {
  // Read now, so that a bad --ca-cert fails before anything is sent.
  const caPem = o.caCert ? readCaCert(o.caCert) : undefined;
  const base = o.tlsVerify === false ? { rejectUnauthorized: false } : {};
  let plain: Connector | undefined;
  let secure: Promise<Connector> | undefined;
  return (opts, callback) => {
    if (opts.protocol !== 'https:') return (plain ??= buildConnector(base))(opts, callback);
    secure ??= secureContext(caPem).then((ctx) => buildConnector(ctx ? { ...base, secureContext: ctx } : base));
    secure.then(
      (connect) => connect(opts, callback),
      (e: Error) => callback(e, null),
    );
  };
}
