// Test PKI made with the openssl CLI: a CA, a server certificate for 127.0.0.1, and a token-signing certificate.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './nix.js';

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

export interface TestPki {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** A CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost, and DNS:`names`) signed by it. */
export function makePki(names: string[] = []): TestPki {
  const dir = tmp('longshore-pki-');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=longshore test CA'], dir);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=IP:127.0.0.1,DNS:localhost${names.map((n) => `,DNS:${n}`).join('')}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf'], dir);
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

/** A self-signed signing certificate (also the registry's rootcertbundle) and its key. */
export function makeSigningCert(): { dir: string; cert: string; key: string } {
  const dir = tmp('longshore-jwt-');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'sign.key', '-out', 'sign.pem', '-days', '2', '-subj', '/CN=longshore token issuer'], dir);
  return { dir, cert: join(dir, 'sign.pem'), key: join(dir, 'sign.key') };
}
