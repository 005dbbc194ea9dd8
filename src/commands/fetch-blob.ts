// Inside fixed-output derivations (pullImageFromManifest, pullImage): fetch one blob, or a whole
// image, from a registry into $out. Nix checks the output hash too; we check first, so a wrong blob
// fails with a message naming the registry and digest rather than a bare hash mismatch.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RegistryClient } from '../registry/client.js';
import { resolveCredential } from '../registry/credentials.js';
import { RegistryError } from '../registry/errors.js';
import { RegistryReader } from '../registry/pull.js';
import { parseRegistryReference, type RegistryReference } from '../reference/reference.js';
import { runLimited } from '../util/limit.js';
import { UserError } from '../util/errors.js';
import { digestHex, isDigest } from '../util/digest.js';
import { buildLock, type Platform } from './lock.js';
import { debugEnabled } from '../util/debug.js';

export interface FetchFlags {
  tlsVerify?: boolean;
  caCert?: string;
}

/** "https://host:5000", "host:5000/" → "host:5000". */
export function registryHost(s: string): string {
  return s.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
}

const env = process.env;

async function openReader(ref: RegistryReference, f: FetchFlags): Promise<RegistryReader> {
  // Credentials come from impure environment variables (the derivation lists them in impureEnvVars).
  const credential = await resolveCredential(ref.registry, ref.repository, {
    credsFile: env.LONGSHORE_REGISTRY_CREDS_FILE || undefined,
    authfile: env.LONGSHORE_REGISTRY_AUTH_FILE || undefined,
  });
  const client = new RegistryClient({ ref, credential, tlsVerify: f.tlsVerify, caCert: f.caCert, debug: debugEnabled(env) });
  await client.ping();
  return new RegistryReader(client, ref.repository);
}

async function closeReader(r: RegistryReader): Promise<void> {
  await r.close();
  await r.client.close();
}

function staleHint(e: unknown, digest: string, where: string): never {
  if (e instanceof RegistryError && e.status === 404) {
    throw new UserError('NOT_FOUND', `${e.message}`, `${where} no longer has blob ${digest}: the image was deleted or re-pushed since it was locked; re-run \`longshore lock\` and rebuild`);
  }
  throw e;
}

export interface FetchBlobArgs extends FetchFlags {
  registry: string;
  repository: string;
  digest: string;
  size?: number;
  out: string;
}

export async function fetchBlobCommand(a: FetchBlobArgs): Promise<void> {
  if (!isDigest(a.digest)) throw new UserError('INVALID_REFERENCE', `fetch-blob: bad digest ${JSON.stringify(a.digest)}`);
  const ref = parseRegistryReference(`${registryHost(a.registry)}/${a.repository}`);
  const where = `${ref.registry}/${ref.repository}`;
  const reader = await openReader(ref, a);
  try {
    const tmp = `${a.out}.part`;
    const t0 = Date.now();
    await reader.blobToFile(a.digest, a.size, tmp).catch((e) => staleHint(e, a.digest, where));
    renameSync(tmp, a.out);
    process.stderr.write(`fetched ${a.digest} from ${where} in ${((Date.now() - t0) / 1000).toFixed(2)} s\n`);
  } finally {
    await closeReader(reader);
  }
}

export interface FetchImageArgs extends FetchFlags {
  /** HOST/NAME@sha256:… (a tag works but makes the output unreproducible). */
  reference: string;
  platform: Platform;
  out: string;
  jobs?: number;
}

/** $out/lock.json (a lock, as `longshore lock` writes it) and $out/blobs/<hex> for every layer. */
export async function fetchImageCommand(a: FetchImageArgs): Promise<void> {
  const ref = parseRegistryReference(a.reference.replace(/^docker:\/\//, ''), `pullImage: ${a.reference}`);
  if (!ref.digest) throw new UserError('INVALID_REFERENCE', `pullImage: ${a.reference} has no digest; pass imageDigest = "sha256:…"`);
  const where = `${ref.registry}/${ref.repository}`;
  const reader = await openReader(ref, a);
  try {
    const lock = await buildLock(reader, ref, a.platform);
    mkdirSync(join(a.out, 'blobs'), { recursive: true });
    await runLimited(lock.layers, a.jobs ?? 3, async (l) => {
      const file = join(a.out, 'blobs', digestHex(l.digest));
      await reader.blobToFile(l.digest, l.size, file + '.part').catch((e) => staleHint(e, l.digest, where));
      renameSync(file + '.part', file);
    });
    mkdirSync(dirname(join(a.out, 'lock.json')), { recursive: true });
    writeFileSync(join(a.out, 'lock.json'), JSON.stringify(lock, null, 2) + '\n');
    process.stderr.write(`fetched ${lock.reference}: ${lock.layers.length} layers\n`);
  } finally {
    await closeReader(reader);
  }
}
