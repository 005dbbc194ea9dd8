// A private dockerd for tests and benches: its own socket, data root and exec root under a temp dir;
// for the containerd image store, its own containerd there too.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import assert from 'node:assert/strict';
import { longshore, ROOT, tmp } from './nix.js';
import { loadImageFile } from '../../src/image/schema.js';

export interface Dockerd {
  flavour: DockerFlavour;
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

/**
 * Which dockerd: 'classic' is Debian 12's dockerd 20.10 with the overlay2 graphdriver (its classic
 * image store); 'containerd' is Debian 13's dockerd 26 (unpacked by scripts/setup.sh into
 * .tools/docker26) with the containerd image store, as new Docker installs run, over a private
 * containerd 1.7 started for it.
 */
export type DockerFlavour = 'classic' | 'containerd';
export const DOCKER_FLAVOURS: readonly DockerFlavour[] = ['classic', 'containerd'];

/** Where scripts/setup.sh unpacks Debian 13's docker.io and containerd. */
export const DOCKER26_ROOT = join(ROOT, '.tools/docker26');

/** Processes whose command line mentions `needle` (containerd's shims, which outlive a killed containerd). */
function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) pids.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export async function startDockerd(opts: { flavour?: DockerFlavour; storageDriver?: string } = {}): Promise<Dockerd> {
  const flavour = opts.flavour ?? 'classic';
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
  let containerd: ChildProcess | undefined;
  let dockerdBin = 'dockerd';
  let env: NodeJS.ProcessEnv = process.env;
  const ctdDir = join(dir, 'containerd');
  const ctdSock = join(ctdDir, 'containerd.sock');
  if (flavour === 'containerd') {
    const bin = join(DOCKER26_ROOT, 'usr/bin');
    dockerdBin = join(DOCKER26_ROOT, 'usr/sbin/dockerd');
    if (!existsSync(dockerdBin) || !existsSync(join(bin, 'containerd'))) throw new Error(`no dockerd 26 in ${DOCKER26_ROOT}: run bash scripts/setup.sh`);
    // containerd finds its shim (containerd-shim-runc-v2) and dockerd its docker-init on PATH: these
    // come from the same packages; runc is Debian 12's.
    env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    mkdirSync(ctdDir, { recursive: true });
    const conf = join(ctdDir, 'config.toml');
    writeFileSync(
      conf,
      [
        'version = 2',
        `root = "${join(ctdDir, 'root')}"`,
        `state = "${join(ctdDir, 'state')}"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${ctdSock}"`,
        '[ttrpc]',
        `  address = "${ctdSock}.ttrpc"`,
        '[plugins."io.containerd.internal.v1.opt"]',
        `  path = "${join(ctdDir, 'opt')}"`,
        '',
      ].join('\n'),
    );
    const ctdOut = openSync(join(dir, 'containerd.log'), 'a');
    containerd = spawn(join(bin, 'containerd'), ['--config', conf], { stdio: ['ignore', ctdOut, ctdOut], env });
    const daemonJson = join(dir, 'daemon.json');
    writeFileSync(daemonJson, JSON.stringify({ features: { 'containerd-snapshotter': true } }));
    args.push(`--config-file=${daemonJson}`, `--containerd=${ctdSock}`);
  }
  const child = spawn(dockerdBin, args, { stdio: ['ignore', out, out], env });
  const docker = (a: string[]) => execa('docker', ['-H', host, ...a], { reject: false, all: true, env: { DOCKER_HOST: host } });
  const log = () => readFileSync(logFile, 'utf8') + (containerd ? `\n--- containerd.log ---\n${readFileSync(join(dir, 'containerd.log'), 'utf8').slice(-3000)}` : '');
  const stop = async () => {
    child.kill('SIGTERM');
    await waitExit(child, 20_000);
    if (containerd) {
      containerd.kill('SIGTERM');
      await waitExit(containerd, 10_000);
      // A shim of a container still running (a failed test) outlives containerd: it names our socket.
      for (const pid of pidsMentioning(ctdSock)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exited = child.exitCode !== null ? 'dockerd' : containerd && containerd.exitCode !== null ? 'containerd' : undefined;
    if (exited) {
      const text = log();
      await stop();
      throw new Error(`${exited} exited:\n${text.slice(-6000)}`);
    }
    const r = await docker(['version', '--format', '{{.Server.Version}}']);
    if (r.exitCode === 0) break;
    if (Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`dockerd did not answer within 60 s:\n${text.slice(-6000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { flavour, dir, sock, host, env: { DOCKER_HOST: host }, docker, log, stop };
}

/**
 * A three-layer image (busybox, hello, app) whose app layer alone changes with `version`: the
 * shape of a one-file change. Built with the tests' Nix package set.
 */
export function appImageExpr(version: string, name = 'app'): string {
  return `longshore.buildImage { name = "${name}"; maxLayers = 4; config.entrypoint = [ "\${pkgs.writeShellScriptBin "app" "echo ${version}; \${pkgs.hello}/bin/hello"}/bin/app" ]; }`;
}

/**
 * A four-layer image (data, busybox, hello, app) whose bottom layer alone changes with `version`:
 * the shape of a dependency change. The app prints the data file (named in Cmd) and greets.
 */
export function depsImageExpr(version: string): string {
  const data = `pkgs.writeText "data" "${version}"`;
  return `longshore.buildImage { name = "deps"; maxLayers = 4; layers = [ (longshore.buildLayer { deps = [ (${data}) ]; }) ]; config.entrypoint = [ "\${pkgs.writeShellScriptBin "app" "cat $1; echo; \${pkgs.hello}/bin/hello"}/bin/app" ]; config.cmd = [ "\${${data}}" ]; }`;
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
