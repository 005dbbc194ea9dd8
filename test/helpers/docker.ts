// A private dockerd for tests and benches: its own socket, data root and exec root under a temp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import assert from 'node:assert/strict';
import { longshore, tmp } from './nix.js';
import { loadImageFile } from '../../src/image/schema.js';

export interface Dockerd {
  dir: string;
  sock: string;
  /** DOCKER_HOST value */
  host: string;
  env: Record<string, string>;
  docker(args: string[]): Promise<{ exitCode?: number; stdout: string; stderr: string; all?: string }>;
  log(): string;
  stop(): Promise<void>;
}

/** Unmounts whatever a daemon left mounted below dir (deepest first), so the dir can be removed. */
export async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m && (m === dir || m.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await execa('umount', ['-l', m], { reject: false });
}

export async function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

export async function startDockerd(opts: { storageDriver?: string } = {}): Promise<Dockerd> {
  const dir = tmp('longshore-dockerd-');
  chmodSync(dir, 0o711); // lets a non-root user reach the socket and be refused by its mode
  const sock = join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  const logFile = join(dir, 'dockerd.log');
  const out = openSync(logFile, 'a');
  const args = [
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    `--host=${host}`,
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'pid')}`,
    ...(opts.storageDriver ? [`--storage-driver=${opts.storageDriver}`] : []),
  ];
  const child = spawn('dockerd', args, { stdio: ['ignore', out, out] });
  const docker = (a: string[]) => execa('docker', ['-H', host, ...a], { reject: false, all: true, env: { DOCKER_HOST: host } });
  const log = () => readFileSync(logFile, 'utf8');
  const stop = async () => {
    child.kill('SIGTERM');
    await waitExit(child, 20_000);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dockerd exited (${child.exitCode}):\n${log().slice(-3000)}`);
    const r = await docker(['version', '--format', '{{.Server.Version}}']);
    if (r.exitCode === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`dockerd did not answer within 60 s:\n${log().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { dir, sock, host, env: { DOCKER_HOST: host }, docker, log, stop };
}

/**
 * A three-layer image (busybox, hello, app) whose app layer alone changes with `version`: the
 * shape of a one-file change. Built with the tests' Nix package set.
 */
export function appImageExpr(version: string, name = 'app'): string {
  return `longshore.buildImage { name = "${name}"; maxLayers = 4; config.entrypoint = [ "\${pkgs.writeShellScriptBin "app" "echo ${version}; \${pkgs.hello}/bin/hello"}/bin/app" ]; }`;
}

export interface CopyJson {
  reference: string;
  imageId?: string;
  bytesSent: number;
  layers: { digest: string; size: number; action: string; bytesSent: number }[];
}

/** `longshore copy IMAGE DEST --json`, which must succeed; returns the parsed summary. */
export async function copyJson(image: string, dest: string, env: Record<string, string>): Promise<CopyJson> {
  const r = await longshore(['copy', image, dest, '--json'], env);
  assert.equal(r.exitCode, 0, r.all);
  return JSON.parse(r.stdout) as CopyJson;
}

export const layerDigests = (image: string): string[] => loadImageFile(image).layers.map((l) => l.digest);

/** Asserts that a load after a one-file change from `previous` sent exactly the one changed layer. */
export function assertSentOnlyChangedLayer(previous: string, r: CopyJson): void {
  const old = new Set(layerDigests(previous));
  const changed = r.layers.filter((l) => !old.has(l.digest));
  assert.equal(changed.length, 1, 'exactly one layer differs from the previous build');
  assert.deepEqual(r.layers.filter((l) => l.action === 'uploaded').map((l) => l.digest), [changed[0].digest]);
  assert.equal(r.bytesSent, changed[0].size);
}
