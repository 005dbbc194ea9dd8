// Podman with private storage (its own graphroot/runroot via CONTAINERS_STORAGE_CONF), usable
// through the CLI and, once startService() ran, through a private API socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { tmp } from './nix.js';
import { unmountUnder, waitExit } from './docker.js';

export interface Podman {
  dir: string;
  /** Env for every podman (and longshore) process using this storage. */
  env: Record<string, string>;
  podman(args: string[]): Promise<{ exitCode?: number; stdout: string; stderr: string; all?: string }>;
  /** podman run --rm with the settings this sandbox needs; resolves to stdout. */
  run(image: string): Promise<{ exitCode?: number; stdout: string; all?: string }>;
  /** Starts `podman system service` on a private socket; returns its CONTAINER_HOST value. */
  startService(): Promise<string>;
  stopService(): Promise<void>;
  stop(): Promise<void>;
}

export async function makePodman(): Promise<Podman> {
  const dir = tmp('longshore-podman-');
  chmodSync(dir, 0o711);
  const conf = join(dir, 'storage.conf');
  writeFileSync(conf, `[storage]\ndriver = "overlay"\ngraphroot = "${join(dir, 'root')}"\nrunroot = "${join(dir, 'runroot')}"\n`);
  const env = { CONTAINERS_STORAGE_CONF: conf };
  const podman = (a: string[]) => execa('podman', a, { reject: false, all: true, env });
  let service: ChildProcess | undefined;
  const stopService = async () => {
    if (!service) return;
    service.kill('SIGTERM');
    await waitExit(service, 10_000);
    service = undefined;
  };
  return {
    dir,
    env,
    podman,
    run: (image) => podman(['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'run', '--rm', '--network=none', image]),
    async startService() {
      const sock = join(dir, 'podman.sock');
      const out = openSync(join(dir, 'service.log'), 'a');
      service = spawn('podman', ['system', 'service', '--time=0', `unix://${sock}`], { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
      const host = `unix://${sock}`;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await execa('podman', ['--remote', '--url', host, 'version'], { reject: false });
        if (r.exitCode === 0) return host;
        if (service.exitCode !== null || Date.now() > deadline) {
          throw new Error(`podman system service did not start:\n${readFileSync(join(dir, 'service.log'), 'utf8').slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stopService,
    async stop() {
      await stopService();
      await podman(['rm', '-a', '-f']);
      await unmountUnder(dir);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
