// Where registry credentials come from, in the order documented in docs/registry.md.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';

export type Credential =
  | { kind: 'basic'; username: string; password: string; source: string }
  /** Sent as is: `Authorization: Bearer <token>` (a registry token). */
  | { kind: 'bearer'; token: string; source: string }
  /** An OAuth2 refresh token (docker login's identitytoken) traded at the token realm. */
  | { kind: 'identity'; token: string; source: string };

export interface CredentialFlags {
  creds?: string;
  registryToken?: string;
  credsFile?: string;
  authfile?: string;
}

type Env = Record<string, string | undefined>;

function parseUserPass(s: string, source: string): Credential {
  const i = s.indexOf(':');
  if (i <= 0) throw new UserError('CREDENTIALS', `${source}: expected USER:PASSWORD`);
  return { kind: 'basic', username: s.slice(0, i), password: s.slice(i + 1), source };
}

/** hocker's credential file: USERNAME=/PASSWORD= lines, or BEARER_TOKEN=. */
export function readCredsFile(file: string): Credential {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError('CREDENTIALS', `--creds-file ${file}: cannot read (${(e as NodeJS.ErrnoException).code})`);
  }
  const kv: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) kv[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  const source = `--creds-file ${file}`;
  if (kv.BEARER_TOKEN) return { kind: 'bearer', token: kv.BEARER_TOKEN, source };
  if (kv.USERNAME !== undefined && kv.PASSWORD !== undefined) return { kind: 'basic', username: kv.USERNAME, password: kv.PASSWORD, source };
  throw new UserError('CREDENTIALS', `${source}: needs USERNAME= and PASSWORD= lines, or a BEARER_TOKEN= line`);
}

/** Auth files in lookup order; --authfile replaces the list. */
export function authFileCandidates(flags: CredentialFlags, env: Env): string[] {
  if (flags.authfile) return [flags.authfile];
  const home = env.HOME || homedir();
  const out: string[] = [];
  if (env.REGISTRY_AUTH_FILE) out.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) out.push(join(env.XDG_RUNTIME_DIR, 'containers/auth.json'));
  out.push(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers/auth.json'));
  out.push(join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json'));
  return out;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}
interface AuthFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Strips scheme and trailing "/v1/" etc. so "https://index.docker.io/v1/" matches docker.io. */
function normaliseKey(key: string): string {
  let k = key.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  k = k.replace(/\/v[12]$/, '');
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') k = 'docker.io';
  return k;
}

/** Longest key matching registry or registry/repository-prefix wins. */
function bestKey(keys: string[], registry: string, repository: string): string | undefined {
  const full = `${registry}/${repository}`;
  let best: string | undefined;
  for (const key of keys) {
    const k = normaliseKey(key);
    if (k === registry || full === k || full.startsWith(k + '/')) {
      if (!best || normaliseKey(best).length < k.length) best = key;
    }
  }
  return best;
}

function fromEntry(e: AuthEntry, source: string): Credential | undefined {
  if (e.identitytoken) return { kind: 'identity', token: e.identitytoken, source };
  if (e.registrytoken) return { kind: 'bearer', token: e.registrytoken, source };
  if (e.auth) {
    const dec = Buffer.from(e.auth, 'base64').toString('utf8');
    return parseUserPass(dec, source);
  }
  if (e.username && e.password) return { kind: 'basic', username: e.username, password: e.password, source };
  return undefined;
}

/** docker-credential-<name> get: server URL on stdin, {ServerURL,Username,Secret} on stdout. */
export async function runCredentialHelper(helper: string, serverURL: string): Promise<Credential | undefined> {
  const bin = `docker-credential-${helper}`;
  // Loaded here: most pushes use no helper, and child_process is costly to load at every start.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = execFile(bin, ['get'], { timeout: 30_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const out = `${stdout}${stderr}`;
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new UserError('CREDENTIALS', `credential helper ${bin} is configured but not on PATH`));
        if (/credentials not found/i.test(out)) return resolve(undefined);
        // Helper output may echo secrets; report only the exit status.
        return reject(new UserError('CREDENTIALS', `credential helper ${bin} failed for ${serverURL} (exit ${(err as { code?: unknown }).code ?? '?'})`));
      }
      try {
        const doc = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!doc.Secret) return resolve(undefined);
        const source = `credential helper ${bin}`;
        resolve(doc.Username === '<token>' ? { kind: 'identity', token: doc.Secret, source } : { kind: 'basic', username: doc.Username ?? '', password: doc.Secret, source });
      } catch {
        reject(new UserError('CREDENTIALS', `credential helper ${bin} printed something that is not JSON`));
      }
    });
    child.stdin?.end(serverURL);
  });
}

async function fromAuthFile(file: string, registry: string, repository: string, explicit = false): Promise<Credential | undefined> {
  let doc: AuthFile;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as AuthFile;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return undefined;
    throw new UserError('CREDENTIALS', `auth file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'not valid JSON'}`);
  }
  const helperKey = bestKey(Object.keys(doc.credHelpers ?? {}), registry, repository);
  const serverURL = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
  if (helperKey) return runCredentialHelper(doc.credHelpers![helperKey], serverURL);
  const key = bestKey(Object.keys(doc.auths ?? {}), registry, repository);
  if (key) {
    const c = fromEntry(doc.auths![key], `${file} (${key})`);
    if (c) return c;
  }
  if (doc.credsStore) return runCredentialHelper(doc.credsStore, serverURL);
  return undefined;
}

/**
 * The credential to use for registry/repository, or undefined for anonymous access.
 * Order: --registry-token, --creds, --creds-file, LONGSHORE_REGISTRY_* variables, auth files.
 */
export async function resolveCredential(registry: string, repository: string, flags: CredentialFlags, env: Env = process.env): Promise<Credential | undefined> {
  if (flags.registryToken) return { kind: 'bearer', token: flags.registryToken, source: '--registry-token' };
  if (flags.creds) return parseUserPass(flags.creds, '--creds');
  if (flags.credsFile) return readCredsFile(flags.credsFile);
  if (env.LONGSHORE_REGISTRY_TOKEN) return { kind: 'bearer', token: env.LONGSHORE_REGISTRY_TOKEN, source: 'LONGSHORE_REGISTRY_TOKEN' };
  if (env.LONGSHORE_REGISTRY_USERNAME && env.LONGSHORE_REGISTRY_PASSWORD !== undefined) {
    return { kind: 'basic', username: env.LONGSHORE_REGISTRY_USERNAME, password: env.LONGSHORE_REGISTRY_PASSWORD, source: 'LONGSHORE_REGISTRY_USERNAME/PASSWORD' };
  }
  for (const file of authFileCandidates(flags, env)) {
    const c = await fromAuthFile(file, registry, repository, file === flags.authfile);
    if (c) return c;
  }
  return undefined;
}
