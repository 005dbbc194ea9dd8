// A real distribution registry (Debian's docker-registry, 2.8) on 127.0.0.1 with a free port and temp storage.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { tmp } from './nix.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RegistryOptions {
  /** htpasswd file (bcrypt entries) for Basic auth. */
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; rootcertbundle: string };
  tls?: { cert: string; key: string; ca: string };
}

export interface Registry {
  host: string; // 127.0.0.1:PORT
  port: number;
  dir: string;
  log: () => string;
  stop(): Promise<void>;
}

export async function startRegistry(o: RegistryOptions = {}): Promise<Registry> {
  const dir = tmp('longshore-registry-');
  const port = await freePort();
  mkdirSync(join(dir, 'data'));
  const auth = o.htpasswd
    ? `auth:\n  htpasswd:\n    realm: longshore-test\n    path: ${o.htpasswd}\n`
    : o.token
      ? `auth:\n  token:\n    realm: ${o.token.realm}\n    service: ${o.token.service}\n    issuer: ${o.token.issuer}\n    rootcertbundle: ${o.token.rootcertbundle}\n`
      : '';
  const tls = o.tls ? `  tls:\n    certificate: ${o.tls.cert}\n    key: ${o.tls.key}\n` : '';
  const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: longshore-test-secret
${tls}${auth}`;
  writeFileSync(join(dir, 'config.yml'), config);
  let out = '';
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const scheme = o.tls ? 'https' : 'http';
  const dispatcher = new Agent({ connect: o.tls ? { rejectUnauthorized: false } : {} });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}:\n${out}`);
    try {
      const r = await request(`${scheme}://127.0.0.1:${port}/v2/`, { dispatcher });
      await r.body.dump();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`docker-registry did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await dispatcher.close();
  return {
    host: `127.0.0.1:${port}`,
    port,
    dir,
    log: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { execa } from 'execa';
import { longshore } from './nix.js';

export interface PushResult {
  exitCode: number;
  output: string;
  json?: {
    reference: string;
    manifestDigest: string;
    bytesSent: number;
    layers: { digest: string; size: number; diffID: string; mediaType: string; action: string; bytesSent: number; compressed: boolean }[];
  };
}

/** Runs `longshore copy IMAGE docker://REF --json` with a fresh HOME (no credentials, no cache) unless env says otherwise. */
export async function push(image: string, ref: string, args: string[] = [], env: Record<string, string> = {}): Promise<PushResult> {
  const home = tmp('longshore-home-');
  const r = await longshore(['copy', image, `docker://${ref}`, '--json', ...args], {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    DOCKER_CONFIG: join(home, '.docker'),
    REGISTRY_AUTH_FILE: '',
    ...env,
  });
  const out = { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
  if (r.exitCode !== 0) return out;
  return { ...out, json: JSON.parse(r.stdout.trim().split('\n').pop()!) };
}

/** The manifest digest a tag points to, read independently with skopeo. */
export async function skopeoDigest(ref: string, args: string[] = ['--tls-verify=false']): Promise<string | undefined> {
  const r = await execa('skopeo', ['inspect', ...args, `docker://${ref}`], { reject: false });
  return r.exitCode === 0 ? (JSON.parse(r.stdout) as { Digest: string }).Digest : undefined;
}

/** An image with several layers where `change` alters only the small app layer. */
export function variantExpr(change: string): string {
  return `let app = pkgs.writeShellScriptBin "app" ''
    # change: ${change}
    exec \${pkgs.hello}/bin/hello "$@"
  ''; in longshore.buildImage { name = "variant"; maxLayers = 4; config.entrypoint = [ "\${app}/bin/app" ]; }`;
}
