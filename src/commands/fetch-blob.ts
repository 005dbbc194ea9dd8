// Inside fixed-output derivations (pullImageFromManifest, pullImage): fetch one blob (or an index's
// platform manifest), or a whole image, from a registry into $out. Nix checks the output hash too;
// we check first, so a wrong blob fails with a message naming the registry and digest rather than
// a bare hash mismatch.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../registry/client.js';
import { resolveCredential } from '../registry/credentials.js';
import { RegistryError } from '../registry/errors.js';
import { RegistryReader } from '../registry/pull.js';
import { parseRegistryReference, type RegistryReference } from '../reference/reference.js';
import { runLimited } from '../util/limit.js';
import { UserError } from '../util/errors.js';
import { digestHex, isDigest } from '../util/digest.js';
import { buildLock, type Platform } from './lock.js';
import { DIR_VERSION } from '../dest/dir.js';
import { narSha256, parseSha256, toSri } from '../util/nar.js';
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
  /** A manifest (GET …/manifests/DIGEST: an index's platform entry) rather than a blob. */
  manifest?: boolean;
}

export async function fetchBlobCommand(a: FetchBlobArgs): Promise<void> {
  if (!isDigest(a.digest)) throw new UserError('INVALID_REFERENCE', `fetch-blob: bad digest ${JSON.stringify(a.digest)}`);
  const ref = parseRegistryReference(`${registryHost(a.registry)}/${a.repository}`);
  const where = `${ref.registry}/${ref.repository}`;
  const reader = await openReader(ref, a);
  try {
    const tmp = `${a.out}.part`;
    const t0 = Date.now();
    if (a.manifest) writeFileSync(tmp, (await reader.manifest(a.digest).catch((e) => staleHint(e, a.digest, where))).bytes);
    else await reader.blobToFile(a.digest, a.size, tmp).catch((e) => staleHint(e, a.digest, where));
    renameSync(tmp, a.out);
    process.stderr.write(`fetched ${a.manifest ? 'manifest ' : ''}${a.digest} from ${where} in ${((Date.now() - t0) / 1000).toFixed(2)} s\n`);
  } finally {
    await closeReader(reader);
  }
}

export interface FetchImageArgs extends FetchFlags {
  /** HOST/NAME@sha256:… (a tag works but makes the output unreproducible). */
  reference: string;
  platform: Platform;
  out: string;
  /** The sha256 given to pullImage: the output's NAR hash is checked against it. */
  expectedHash?: string;
  jobs?: number;
}

/**
 * What `skopeo copy --override-os OS --override-arch ARCH docker://NAME@DIGEST dir:$out` writes,
 * byte for byte, so that the sha256 of a nix2container pullImage fits: the `version` file, the
 * config and every layer as files named by their hex digest, and manifest.json, the platform
 * manifest's exact bytes. Then the NAR hash of $out is checked against the sha256 given, so that a
 * wrong one fails saying which one to set.
 */
export async function fetchImageCommand(a: FetchImageArgs): Promise<void> {
  const ref = parseRegistryReference(a.reference.replace(/^docker:\/\//, ''), `pullImage: ${a.reference}`);
  if (!ref.digest) throw new UserError('INVALID_REFERENCE', `pullImage: ${a.reference} has no digest; pass imageDigest = "sha256:…"`);
  const where = `${ref.registry}/${ref.repository}`;
  const reader = await openReader(ref, a);
  try {
    const lock = await buildLock(reader, ref, a.platform);
    mkdirSync(a.out, { recursive: true });
    writeFileSync(join(a.out, 'version'), DIR_VERSION);
    const blobs = new Map(lock.layers.map((l) => [l.digest, l.size]));
    await runLimited([...blobs], a.jobs ?? 3, async ([digest, size]) => {
      const file = join(a.out, digestHex(digest));
      await reader.blobToFile(digest, size, file + '.part').catch((e) => staleHint(e, digest, where));
      renameSync(file + '.part', file);
    });
    // buildLock checked both texts against their digests: these are the registry's bytes.
    writeFileSync(join(a.out, digestHex(lock.config.digest)), lock.config.raw);
    writeFileSync(join(a.out, 'manifest.json'), lock.manifest.raw);
    process.stderr.write(`fetched ${lock.reference}: ${lock.layers.length} layers\n`);
  } finally {
    await closeReader(reader);
  }
  if (a.expectedHash !== undefined) await checkNarHash(a.out, a.reference, a.expectedHash);
}

/** Fails, naming the hash to set, unless the NAR hash of `dir` is `expected` (in any notation Nix takes). */
export async function checkNarHash(dir: string, reference: string, expected: string): Promise<void> {
  const got = await narSha256(dir);
  if (parseSha256(expected)?.equals(got)) return;
  const sri = toSri(got);
  throw new UserError(
    'HASH_MISMATCH',
    `pullImage: ${reference} has hash ${sri}, not the sha256 given (${expected || 'empty'}); set sha256 = "${sri}";`,
    "the hash is the NAR hash of what `skopeo copy docker://NAME@DIGEST dir:$out` writes (nix2container's pullImage stores the same, so its sha256 values fit; longshore's earlier pullImage stored another layout)",
  );
}
